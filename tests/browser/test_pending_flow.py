"""Each person's own list, on a 320 px phone: INDAP's representative, the secretary and the
chair of the goat mesa open /pendientes with JavaScript off, see what waits for them, and every
line leads to the page where it is done. The same pages pass axe-core with JavaScript on."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.accounts.demo import DEMO_PASSWORD
from portal.accounts.models import User
from portal.commitments.models import Commitment, Observation
from portal.core import clock
from portal.demo import load_demo_data
from portal.extensions import db
from portal.meetings.models import Meeting
from portal.mesas.models import JoinRequest, Mesa, Organization, RequestStatus

from .test_membership_flow import GOAT_MESA, SECRETARY_EMAIL, log_in, log_out

SMALL_PHONE = {"width": 320, "height": 640}
MARK = "(prueba de pendientes)"
LATE = f"Reparar el pozo de Quebrada Alta {MARK}"
DELIVERED = f"Entregar 40 estanques {MARK}"
INDAP_EMAIL = "indap@demo.example"
CHAIR_EMAIL = "presidencia@demo.example"
PRODUCER_EMAIL = "productora@demo.example"


@pytest.fixture
def waiting_work(live_app):  # type: ignore[no-untyped-def]
    """The demo, plus what waits: an INDAP commitment overdue, another INDAP says it
    delivered, a citizen's observation to review, and a producer asking to join."""
    with live_app.app_context():
        load_demo_data()
        mesa = db.session.scalar(sa.select(Mesa).where(Mesa.slug == GOAT_MESA.rsplit("/")[-1]))
        indap = db.session.scalar(sa.select(Organization).where(Organization.short_name == "INDAP"))
        held = db.session.scalar(
            sa.select(Meeting).where(Meeting.mesa_id == mesa.id).order_by(Meeting.number)
        )
        today = clock.today()
        late, delivered = (
            Commitment(
                mesa_id=mesa.id,
                territory_id=mesa.territory_id,
                meeting_id=held.id,
                organization_id=indap.id,
                deliverable=text,
                original_due_on=due,
                due_on=due,
                committed_on=held.day,
                reported_done_on=done,
            )
            for text, due, done in (
                (LATE, today - dt.timedelta(days=5), None),
                (DELIVERED, today + dt.timedelta(days=30), today - dt.timedelta(days=1)),
            )
        )
        db.session.add_all([late, delivered])
        db.session.flush()
        db.session.add(Observation(commitment_id=late.id, text=f"El pozo sigue seco {MARK}"))
        producer = db.session.scalar(sa.select(User).where(User.email == PRODUCER_EMAIL))
        db.session.add(JoinRequest(mesa=mesa, user=producer, message=MARK))
        db.session.commit()
        ids = {"late": late.id, "delivered": delivered.id}
    yield ids
    with live_app.app_context():
        ours = sa.select(Commitment.id).where(Commitment.deliverable.like(f"%{MARK}"))
        db.session.execute(sa.delete(Observation).where(Observation.commitment_id.in_(ours)))
        db.session.execute(sa.delete(Commitment).where(Commitment.id.in_(ours)))
        db.session.execute(
            sa.delete(JoinRequest).where(
                JoinRequest.message == MARK, JoinRequest.status == RequestStatus.PENDING
            )
        )
        db.session.commit()


def sign_in_without_js(page: Page, server: str, email: str) -> None:
    page.goto(server + "/cuenta/ingresar")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("link", name="Mi cuenta")).to_be_visible()


def follow_every_line(page: Page, server: str) -> list[str]:
    """Opens each line of the list in turn; returns the headings of the pages reached."""
    links = page.locator("main .pending .lines a")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    reached = []
    for target in targets:
        response = page.goto(server + target)
        assert response is not None and response.status == 200, target
        reached.append(page.get_by_role("heading", level=1).inner_text())
    return reached


def test_each_role_reads_its_own_list_on_a_small_phone_without_javascript(
    browser, live_server, live_app, waiting_work, page: Page, visit
):
    context = browser.new_context(
        java_script_enabled=False, viewport=SMALL_PHONE, locale="es-CL", base_url=live_server
    )
    phone = context.new_page()

    # INDAP's representative: the overdue commitment first, and it leads to where progress is
    # reported.
    sign_in_without_js(phone, live_server, INDAP_EMAIL)
    expect(phone.get_by_role("navigation", name="Principal")).to_contain_text("Pendientes (")
    phone.get_by_role("link", name="Pendientes").click()
    section = phone.locator(".pending").filter(has_text="Compromisos de mi institución")
    expect(section.locator("li").first).to_contain_text(LATE)
    expect(section.locator("li").first).to_contain_text("vencido desde el")
    expect(phone.locator("main")).not_to_contain_text(DELIVERED)  # it waits for the mesa now
    phone.locator("main").get_by_role("link", name=f"INDAP: {LATE}").click()
    expect(phone.get_by_role("link", name="Informar un avance")).to_be_visible()
    phone.goto(live_server + "/pendientes")
    assert all(follow_every_line(phone, live_server))
    phone.get_by_role("button", name="Salir").click()

    # The secretary: the delivery to validate, the observation, the request to join.
    sign_in_without_js(phone, live_server, SECRETARY_EMAIL)
    phone.goto(live_server + "/pendientes")
    main = phone.locator("main")
    expect(main).to_contain_text("Entregas por validar (1)")
    expect(main).to_contain_text("Observaciones por revisar (1)")
    expect(main).to_contain_text("Rosa Aravena Tapia pide integrarse")
    main.get_by_role("link", name="Rosa Aravena Tapia pide integrarse").click()
    expect(phone.get_by_role("button", name="Enviar la respuesta")).to_be_visible()
    phone.goto(live_server + "/pendientes")
    main.get_by_role("link", name="El pozo sigue seco").click()
    expect(phone.get_by_role("button", name="Publicar").first).to_be_visible()
    phone.goto(live_server + "/pendientes")
    main.get_by_role("link", name=f"INDAP: {DELIVERED}").click()
    expect(phone.get_by_role("link", name="Registrar la validación de la mesa")).to_be_visible()
    phone.goto(live_server + "/pendientes")
    assert all(follow_every_line(phone, live_server))
    phone.get_by_role("button", name="Salir").click()

    # The chair manages the mesa too: the same work, on her own list.
    sign_in_without_js(phone, live_server, CHAIR_EMAIL)
    phone.goto(live_server + "/pendientes")
    expect(phone.locator("main")).to_contain_text("Entregas por validar (1)")
    assert all(follow_every_line(phone, live_server))
    context.close()

    # With JavaScript on the same lists pass axe-core and nothing scrolls sideways at 320 px.
    page.set_viewport_size(SMALL_PHONE)
    for email in (INDAP_EMAIL, SECRETARY_EMAIL, CHAIR_EMAIL):
        visit("/")
        log_in(page, visit, email, DEMO_PASSWORD)
        visit("/pendientes")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        log_out(page, visit)
