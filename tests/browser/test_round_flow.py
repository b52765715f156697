"""A dot-voting round on a phone: the secretary opens it, a member's ballot over the points is
refused and then saved, the round is closed in a session and a citizen reads the ranking."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.accounts.demo import DEMO_PASSWORD
from portal.demo import load_demo_data
from portal.extensions import db
from portal.meetings.models import Agreement, agreement_initiatives
from portal.rounds.models import Ballot, BallotEntry, Round, RoundItem

from .test_membership_flow import GOAT_MESA, SECRETARY_EMAIL, log_in, log_out

PHONE = {"width": 360, "height": 740}
TITLE = "Prioridades de la prueba"


@pytest.fixture
def demo(live_app):  # type: ignore[no-untyped-def]
    with live_app.app_context():
        load_demo_data()
    yield
    with live_app.app_context():
        rounds = sa.select(Round.id).where(Round.title == TITLE)
        agreements = sa.select(Round.agreement_id).where(Round.title == TITLE)
        agreement_ids = [a for a in db.session.scalars(agreements) if a]
        ballots = sa.select(Ballot.id).where(Ballot.round_id.in_(rounds))
        db.session.execute(sa.delete(BallotEntry).where(BallotEntry.ballot_id.in_(ballots)))
        db.session.execute(sa.delete(Ballot).where(Ballot.round_id.in_(rounds)))
        db.session.execute(sa.delete(RoundItem).where(RoundItem.round_id.in_(rounds)))
        db.session.execute(sa.delete(Round).where(Round.title == TITLE))
        db.session.execute(
            sa.delete(agreement_initiatives).where(
                agreement_initiatives.c.agreement_id.in_(agreement_ids)
            )
        )
        db.session.execute(sa.delete(Agreement).where(Agreement.id.in_(agreement_ids)))
        db.session.commit()


def test_a_dot_vote_from_opening_to_a_public_ranking(page: Page, visit, demo):
    page.set_viewport_size(PHONE)
    visit(GOAT_MESA)
    log_in(page, visit, SECRETARY_EMAIL, DEMO_PASSWORD)
    visit(GOAT_MESA)
    page.get_by_role("link", name="Rondas de priorización").click()
    visit.check()
    page.get_by_role("link", name="Abrir una ronda").click()
    visit.check()
    page.get_by_label("Nombre de la ronda").fill(TITLE)
    page.get_by_role("radio", name="Votación por puntos: cada integrante reparte").check()
    page.get_by_label("Puntos que reparte cada integrante (votación por puntos)").fill("5")
    page.get_by_role("button", name="Abrir la ronda").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("La ronda está abierta.")
    url = page.url
    log_out(page, visit)

    log_in(page, visit, "integrante@demo.example", DEMO_PASSWORD)
    page.goto(url)
    visit.check()
    points = page.get_by_label("Puntos", exact=True)
    points.nth(0).fill("4")
    points.nth(1).fill("3")
    page.get_by_role("button", name="Guardar mi voto").click()
    visit.check()
    expect(page.locator(".error-summary")).to_contain_text("Diste 7 puntos")
    expect(page.locator(".error-summary")).to_be_focused()
    points = page.get_by_label("Puntos", exact=True)
    expect(points.nth(0)).to_have_value("4")
    points.nth(1).fill("1")
    page.get_by_role("button", name="Guardar mi voto").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("Tu voto quedó guardado.")
    log_out(page, visit)

    log_in(page, visit, SECRETARY_EMAIL, DEMO_PASSWORD)
    page.goto(url)
    visit.check()
    page.get_by_label("Sesión en que se cierra la ronda").select_option(label="Sesión 2")
    page.get_by_role("button", name="Cerrar la ronda").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("La ronda quedó cerrada")
    log_out(page, visit)

    page.goto(url)
    visit.check()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("4")
    expect(page.get_by_text("Desempates")).to_be_visible()
