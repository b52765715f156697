"""The public accountability pages on a 320 px phone: the territory's commitments, an
institution's scorecard and who contributes what pass axe-core, never scroll sideways, and the
filters work with JavaScript off (a bad date gets its message with what was typed kept)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.commitments.models import Commitment, CommitmentStatus, commitment_comunas
from portal.core import clock
from portal.extensions import db
from portal.meetings.models import Meeting, MeetingKind, MeetingStatus, Modality
from portal.mesas.models import ActorType, Mesa, Organization, OrganizationKind
from portal.places.models import Comuna, Territory

PHONE = {"width": 320, "height": 640}
SLUG = "ranco"
MARK = "(prueba de navegador)"
INSTITUTIONS = (
    (f"Dirección de Vialidad {MARK}", OrganizationKind.PUBLIC_SERVICE, ActorType.PUBLIC),
    (f"Cooperativa Lechera del Ranco {MARK}", OrganizationKind.COOPERATIVE, ActorType.SOCIAL),
    (f"Forestal del Sur {MARK}", OrganizationKind.COMPANY, ActorType.PRIVATE),
    (f"Universidad Austral {MARK}", OrganizationKind.UNIVERSITY, ActorType.KNOWLEDGE),
)


@pytest.fixture
def commitments(live_app):  # type: ignore[no-untyped-def]
    """Forty commitments of the Ranco mesas, of every status, some with money and a comuna,
    written straight to the tables (so the audit log does not hold rows that go afterwards);
    they, their session and their institutions are removed at the end."""
    with live_app.app_context():
        today = clock.today()
        territory = db.session.scalar(sa.select(Territory).where(Territory.slug == SLUG))
        mesa = db.session.scalar(
            sa.select(Mesa).where(Mesa.territory_id == territory.id).order_by(Mesa.id).limit(1)
        )
        comuna = db.session.scalar(
            sa.select(Comuna).where(Comuna.id == territory.memberships[0].comuna_id)
        )
        start = dt.datetime(2025, 4, 1, 14, tzinfo=dt.UTC)
        meeting = Meeting(
            mesa=mesa,
            number=900,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            place="Escuela rural",
            modality=Modality.IN_PERSON,
            kind=MeetingKind.ORDINARY,
            status=MeetingStatus.HELD,
        )
        orgs = [Organization(name=n, kind=k, actor_type=a) for n, k, a in INSTITUTIONS]
        db.session.add_all([meeting, *orgs])
        db.session.flush()
        statuses = list(CommitmentStatus)
        rows = []
        for n in range(40):
            status = statuses[n % len(statuses)]
            due = today + dt.timedelta(days=15 * n - 300)
            rows.append(
                {
                    "mesa_id": mesa.id,
                    "territory_id": territory.id,
                    "meeting_id": meeting.id,
                    "organization_id": orgs[n % len(orgs)].id,
                    "official": "",
                    "deliverable": f"Compromiso de prueba número {n} {MARK}",
                    "amount": (n + 1) * 7_000_000 if n % 3 else None,
                    "original_due_on": due,
                    "due_on": due,
                    "status": status,
                    "status_reason": "",
                    "done_on": due if status == CommitmentStatus.FULFILLED else None,
                    "first_update_on": start.date() + dt.timedelta(days=n) if n % 2 else None,
                    "is_public": True,
                    "committed_on": start.date(),
                    "created_at": start,
                    "updated_at": start,
                }
            )
        db.session.execute(sa.insert(Commitment.__table__), rows)
        ids = list(
            db.session.scalars(sa.select(Commitment.id).where(Commitment.meeting_id == meeting.id))
        )
        db.session.execute(
            sa.insert(commitment_comunas),
            [{"commitment_id": i, "comuna_id": comuna.id} for i in ids[::2]],
        )
        db.session.commit()
        org_id = orgs[0].id
        meeting_id = meeting.id
    yield {"territory": SLUG, "org": org_id}
    with live_app.app_context():
        db.session.execute(
            sa.delete(commitment_comunas).where(commitment_comunas.c.commitment_id.in_(ids))
        )
        db.session.execute(
            sa.delete(Commitment.__table__).where(Commitment.meeting_id == meeting_id)
        )
        db.session.execute(sa.delete(Meeting.__table__).where(Meeting.id == meeting_id))
        db.session.execute(
            sa.delete(Organization.__table__).where(Organization.name.like(f"%{MARK}"))
        )
        db.session.commit()


def test_the_accountability_pages_read_well_on_a_320_px_phone(page: Page, visit, commitments):
    page.set_viewport_size(PHONE)
    territory = commitments["territory"]
    for path in (
        f"/territorios/{territory}/compromisos",
        f"/territorios/{territory}/compromisos?estado=overdue",
        f"/territorios/{territory}/aportes",
        f"/organizaciones/{commitments['org']}/compromisos",
    ):
        assert visit(path).status == 200
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways: {width}px"
    visit(f"/territorios/{territory}/compromisos")
    chart = page.get_by_role("img")
    expect(chart).to_have_count(1)
    expect(chart).to_have_accessible_name(re.compile("Ranco"))  # the title names it
    page.get_by_role("link", name=f"Dirección de Vialidad {MARK}").first.click()
    visit.check()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dirección de Vialidad")


def test_the_filters_work_with_javascript_off(no_js_page: Page, commitments):
    page = no_js_page
    page.goto(f"/territorios/{commitments['territory']}/compromisos")
    page.locator("#f-estado").select_option("overdue")
    page.locator("#f-institucion").select_option(str(commitments["org"]))
    page.get_by_role("button", name="Mostrar").click()
    assert "estado=overdue" in page.url
    assert f"institucion={commitments['org']}" in page.url
    expect(page.locator("#f-estado")).to_have_value("overdue")
    items = page.locator("ol.commitments > li")
    expect(items.first).to_contain_text(f"Dirección de Vialidad {MARK}")
    page.locator("#f-desde").fill("31-02-2026")
    response_waiter = page.expect_response(lambda r: "compromisos?" in r.url)
    with response_waiter as info:
        page.get_by_role("button", name="Mostrar").click()
    assert info.value.status == 400
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#f-desde")).to_have_value("31-02-2026")
    expect(page.locator("ol.commitments")).to_have_count(0)
