"""A producer proposes an initiative on her phone; the form shows her that a similar idea was
discarded years ago; the secretary moves hers into deliberation; a citizen reads its page and
timeline. Every page is checked by axe-core."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.accounts.demo import DEMO_PASSWORD
from portal.accounts.models import Notice
from portal.demo import load_demo_data
from portal.extensions import db
from portal.initiatives.models import (
    Comment,
    FundingLine,
    Initiative,
    StatusChange,
    Support,
    initiative_comunas,
    initiative_gaps,
)

from .test_membership_flow import GOAT_MESA, SECRETARY_EMAIL, log_in, log_out

PHONE = {"width": 360, "height": 740}
MEMBER_EMAIL = "integrante@demo.example"
TITLE = "Camión aljibe para los crianceros del secano"


@pytest.fixture
def demo(live_app):  # type: ignore[no-untyped-def]
    with live_app.app_context():
        load_demo_data()
    yield
    with live_app.app_context():
        ids = sa.select(Initiative.id).where(Initiative.title == TITLE)
        for table in (initiative_gaps, initiative_comunas):
            db.session.execute(sa.delete(table).where(table.c.initiative_id.in_(ids)))
        for model in (FundingLine, StatusChange, Support):
            db.session.execute(sa.delete(model).where(model.initiative_id.in_(ids)))
        answers = sa.select(Comment.id).where(
            Comment.initiative_id.in_(ids), Comment.parent_id.is_not(None)
        )
        db.session.execute(sa.delete(Comment).where(Comment.id.in_(answers)))
        db.session.execute(sa.delete(Comment).where(Comment.initiative_id.in_(ids)))
        db.session.execute(sa.delete(Notice).where(Notice.link.like("/iniciativas/%")))
        db.session.execute(sa.delete(Initiative).where(Initiative.title == TITLE))
        db.session.commit()


def test_a_producer_proposes_an_initiative_and_a_citizen_follows_it(page: Page, visit, demo):
    page.set_viewport_size(PHONE)
    visit(GOAT_MESA)
    log_in(page, visit, MEMBER_EMAIL, DEMO_PASSWORD)
    visit(GOAT_MESA)
    page.get_by_role("link", name="Iniciativas", exact=True).click()
    visit.check()
    page.get_by_role("link", name="Proponer una iniciativa").click()
    visit.check()

    # As she types the name, the form shows the old idea that was discarded.
    page.get_by_label("Nombre de la iniciativa").press_sequentially("Camión aljibe para los")
    similar = page.locator("#similar")
    expect(similar).to_contain_text("Camión aljibe comunitario para el secano")
    expect(similar).to_contain_text("Descartada")
    visit.check()
    page.get_by_label("Nombre de la iniciativa").fill(TITLE)
    page.get_by_label("Resumen").fill(
        "Un camión aljibe propio de la cooperativa para los sectores que la municipalidad "
        "no alcanza a cubrir en verano."
    )
    page.get_by_label("Inversión", exact=True).check()
    page.get_by_label("Costo estimado en pesos (opcional)").fill("72.000.000")
    page.get_by_label("FNDR (gobierno regional)").fill("60.000.000")
    page.get_by_label("Aporte de la comunidad").fill("12.000.000")
    page.get_by_label("Combarbalá").check()
    page.get_by_role("button", name="Proponerla a la mesa").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("La iniciativa fue propuesta a la mesa.")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    url = page.url
    log_out(page, visit)

    # The secretary takes it into deliberation.
    log_in(page, visit, SECRETARY_EMAIL, DEMO_PASSWORD)
    page.goto(url)
    visit.check()
    page.get_by_role("link", name="Cambiar el estado").click()
    visit.check()
    page.get_by_label("En deliberación").check()
    page.get_by_role("button", name="Cambiar el estado").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("En deliberación")
    page.get_by_label("Una pregunta").check()
    page.get_by_label("Tu comentario").fill("¿Quién pagaría el petróleo del camión?")
    page.get_by_role("button", name="Publicar mi comentario").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("Tu comentario fue publicado.")
    log_out(page, visit)

    # She answers from the notice she got.
    log_in(page, visit, MEMBER_EMAIL, DEMO_PASSWORD)
    page.goto(url)
    visit.check()
    page.locator("summary", has_text="Responder").click()
    page.get_by_label("Tu respuesta").fill("La cooperativa, con lo que cobra por viaje.")
    page.get_by_role("button", name="Publicar la respuesta").click()
    visit.check()
    page.get_by_role("button", name="Apoyo esta iniciativa").click()
    visit.check()
    log_out(page, visit)

    # A citizen finds it in the territory's list and reads its money and timeline.
    visit("/territorios/limari-choapa")
    page.get_by_role("link", name="Iniciativas de Limarí-Choapa").click()
    visit.check()
    page.get_by_role("link", name=TITLE).click()
    visit.check()
    expect(page.get_by_role("row", name=re.compile("FNDR"))).to_contain_text("$ 60.000.000")
    expect(page.get_by_role("row", name=re.compile("Total"))).to_contain_text("M$ 72.000")
    timeline = page.locator("ol.timeline > li")
    expect(timeline).to_have_count(2)
    expect(timeline.nth(0)).to_contain_text("Propuesta")
    expect(timeline.nth(1)).to_contain_text("En deliberación")
    expect(page.get_by_text("1 apoyo")).to_be_visible()
    expect(page.locator("article.comment")).to_contain_text("La cooperativa, con lo que cobra")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the initiative scrolls sideways: {width}px"
