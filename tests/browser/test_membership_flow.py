"""A producer asks to join a mesa temática for her cooperative, the secretary approves, the
public page counts her under her cooperative, she leaves, and the public history keeps her
membership with its end date."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from babel.dates import format_date
from playwright.sync_api import Locator, Page, expect

from portal.accounts import services
from portal.accounts.demo import DEMO_PASSWORD
from portal.accounts.models import Notice, PasswordResetToken, User
from portal.core import clock
from portal.demo import load_demo_data
from portal.extensions import db
from portal.mesas.models import JoinRequest, Membership, Mesa, Person
from portal.mesas.services import request_to_join
from portal.notifications.models import Follow, OutboxMessage, Preference
from tests.browser.conftest import last_mail_link

GOAT_MESA = "/mesas/limari-choapa-ganaderia-caprina"
MESA_NAME = "Mesa de Ganadería caprina, Limarí-Choapa"
COOPERATIVE = "Cooperativa Caprina Quebrada Alta"
PRODUCER = "Carolina Tapia Rojas"
PRODUCER_EMAIL = "carolina.tapia@demo.example"
PRODUCER_PASSWORD = "quesos de cabra en la quebrada"
SECRETARY_EMAIL = "secretaria@demo.example"
REASON = "Me cambio a la mesa de turismo de la comuna"


@pytest.fixture
def demo_data(live_app):  # type: ignore[no-untyped-def]
    """The demo accounts and members, as `portal demo` loads them (idempotent). Afterwards the
    producer's account and what it left behind go, so the other browser tests that share the
    live server find the demo mesas as they were."""
    with live_app.app_context():
        load_demo_data()
    yield
    with live_app.app_context():
        forget_account(PRODUCER_EMAIL)


def forget_account(email: str) -> None:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        return
    requests = sa.select(JoinRequest.id).where(JoinRequest.user_id == user.id)
    links = [f"{GOAT_MESA}/solicitudes/{id_}" for id_ in db.session.scalars(requests)]
    people = sa.select(Person.id).where(Person.user_id == user.id)
    db.session.execute(sa.delete(Notice).where(Notice.link.in_(links)))
    db.session.execute(sa.delete(JoinRequest).where(JoinRequest.user_id == user.id))
    db.session.execute(sa.delete(Membership).where(Membership.person_id.in_(people)))
    db.session.execute(sa.delete(Person).where(Person.user_id == user.id))
    db.session.execute(sa.delete(Notice).where(Notice.user_id == user.id))
    db.session.execute(sa.delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.user_id == user.id))
    db.session.execute(sa.delete(Follow).where(Follow.user_id == user.id))
    db.session.execute(sa.delete(Preference).where(Preference.user_id == user.id))
    db.session.execute(sa.delete(User).where(User.id == user.id))
    db.session.commit()


def today_in_santiago(fmt: str) -> str:
    today = clock.today()
    return format_date(today, fmt, locale="es_CL")


def log_in(page: Page, visit, email: str, password: str, code: str = "") -> None:  # type: ignore[no-untyped-def]
    """Signs in from the header's link; ``code`` answers the second step of an account with
    two-step sign-in."""
    page.get_by_role("link", name="Ingresar").first.click()
    visit.check()
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()
    visit.check()
    if code:
        expect(page.get_by_role("heading", level=1)).to_have_text("Segundo paso: el código")
        page.get_by_label("Código de tu aplicación, o un código de recuperación").fill(code)
        page.get_by_role("button", name="Ingresar").click()
        visit.check()
    expect(page.get_by_role("link", name="Mi cuenta")).to_be_visible()


def log_out(page: Page, visit) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Salir").click()
    visit.check()
    expect(page.get_by_role("status")).to_contain_text("Saliste del portal")


def cooperative_card(page: Page) -> Locator:
    return page.locator("li.card").filter(
        has=page.get_by_role("heading", level=3, name=COOPERATIVE, exact=True)
    )


def members_counted(page: Page) -> int:
    """The number of ordinary members the public page shows under the cooperative."""
    lines = cooperative_card(page).get_by_role("listitem")
    counted = lines.filter(has_text=re.compile(r"^\d+ integrantes?$"))
    expect(counted).to_have_count(1)
    return int(counted.inner_text().split()[0])


def test_a_producer_joins_a_mesa_for_her_cooperative_and_leaves_it(
    page: Page, visit, live_app, demo_data
):
    # What a citizen reads before: the cooperative's card and nobody who left.
    visit(GOAT_MESA)
    expect(page.get_by_role("heading", level=1)).to_have_text(MESA_NAME)
    before = members_counted(page)
    expect(page.get_by_role("heading", name="Quiénes integraron esta mesa antes")).to_have_count(0)

    # She creates her account.
    page.get_by_role("link", name="Crear una cuenta").first.click()
    visit.check()
    page.get_by_label("Nombre completo").fill(PRODUCER)
    page.get_by_label("Correo electrónico").fill(PRODUCER_EMAIL)
    page.get_by_label("Contraseña", exact=True).fill(PRODUCER_PASSWORD)
    page.get_by_label("Escribe la contraseña otra vez").fill(PRODUCER_PASSWORD)
    page.get_by_label("Comuna donde vives o trabajas").select_option(label="Combarbalá")
    page.get_by_role("button", name="Crear mi cuenta").click()
    visit.check()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revisa tu correo")
    visit(last_mail_link(live_app, "/cuenta/confirmar/"))
    expect(page.get_by_role("status")).to_contain_text("Tu correo quedó confirmado")
    page.get_by_label("Correo electrónico").fill(PRODUCER_EMAIL)
    page.get_by_label("Contraseña").fill(PRODUCER_PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    visit.check()
    expect(page.get_by_role("link", name="Mi cuenta")).to_be_visible()

    # She asks to join for her cooperative.
    visit(GOAT_MESA)
    page.get_by_role("link", name="Pedir integrarme a esta mesa").click()
    visit.check()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pedir integrarme a esta mesa")
    page.get_by_label("¿Qué organización representas?").select_option(label=COOPERATIVE)
    page.get_by_label("Mensaje para la secretaría (opcional)").fill(
        "Crío cabras en Combarbalá y la cooperativa me pidió representarla."
    )
    page.get_by_role("button", name="Enviar mi solicitud").click()
    visit.check()
    assert visit.path() == GOAT_MESA
    expect(page.get_by_role("status")).to_contain_text("Se envió tu solicitud")
    expect(page.get_by_text("La respuesta está pendiente.")).to_have_text(
        f"Pediste integrarte a esta mesa el {today_in_santiago('long')}. "
        "La respuesta está pendiente."
    )
    expect(page.get_by_role("link", name="Pedir integrarme a esta mesa")).to_have_count(0)
    log_out(page, visit)

    # The secretary gets a notice and answers from the request's page.
    log_in(page, visit, SECRETARY_EMAIL, DEMO_PASSWORD)
    # (Other flows may have left her notices of their own: hers is among the new ones.)
    page.get_by_role("link", name=re.compile(r"^Avisos \(\d+ nuevos?\)$")).click()
    visit.check()
    subject = f"{PRODUCER} pide integrarse a {MESA_NAME}"
    expect(page.get_by_role("heading", level=2).filter(has_text=subject)).to_have_text(
        f"Nuevo: {subject}"
    )
    expect(page.get_by_text(f"en representación de {COOPERATIVE}")).to_be_visible()
    # Chromium names the link "Abrir : …": the visually hidden part is not inline text.
    page.get_by_role("link", name=re.compile(rf"^Abrir ?: {re.escape(subject)}$")).click()
    visit.check()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Solicitud de {PRODUCER}")
    expect(page.get_by_text("Crío cabras en Combarbalá")).to_be_visible()
    page.get_by_label("Aprobar: la persona se integra a la mesa").check()
    expect(page.get_by_label("Rol", exact=True).locator("option:checked")).to_have_text(
        "Integrante"
    )
    expect(page.get_by_label("Organización que representa").locator("option:checked")).to_have_text(
        COOPERATIVE
    )
    expect(page.get_by_label("Sector privado", exact=True)).to_be_checked()
    page.get_by_role("button", name="Enviar la respuesta").click()
    visit.check()
    expect(page.get_by_role("status")).to_contain_text(f"{PRODUCER} ahora integra la mesa.")
    expect(page.get_by_text("No hay solicitudes esperando respuesta.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=PRODUCER)).to_contain_text(COOPERATIVE)
    log_out(page, visit)

    # She is told.
    log_in(page, visit, PRODUCER_EMAIL, PRODUCER_PASSWORD)
    page.get_by_role("link", name="Avisos (1 nuevo)").click()
    visit.check()
    expect(page.get_by_role("heading", level=2)).to_have_text(f"Nuevo: Ahora integras {MESA_NAME}")
    expect(page.get_by_text("fue aprobada")).to_have_text(
        f"Hola, {PRODUCER}. Tu solicitud para integrarte a {MESA_NAME} fue aprobada. "
        "Tu rol: Integrante."
    )
    log_out(page, visit)

    # The public counts one more member of her cooperative, without her name.
    visit(GOAT_MESA)
    assert members_counted(page) == before + 1
    expect(page.get_by_text(PRODUCER)).to_have_count(0)

    # She leaves the mesa, saying why.
    log_in(page, visit, PRODUCER_EMAIL, PRODUCER_PASSWORD)
    visit(GOAT_MESA)
    expect(page.get_by_text("Integras esta mesa.")).to_be_visible()
    page.get_by_role("link", name="Dejar la mesa").click()
    visit.check()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dejar {MESA_NAME}")
    page.get_by_label("¿Por qué te vas? (opcional; se muestra en el historial público)").fill(
        REASON
    )
    page.get_by_role("button", name="Dejar la mesa").click()
    visit.check()
    assert visit.path() == GOAT_MESA
    expect(page.get_by_role("status")).to_contain_text(f"Dejaste {MESA_NAME}.")
    expect(page.get_by_role("link", name="Pedir integrarme a esta mesa")).to_be_visible()
    log_out(page, visit)

    # A citizen reads her membership in the mesa's history, with its dates and her reason.
    visit(GOAT_MESA)
    assert members_counted(page) == before
    expect(page.get_by_role("heading", name="Quiénes integraron esta mesa antes")).to_be_visible()
    today = today_in_santiago("medium")
    rows = page.get_by_role("row").filter(has=page.get_by_role("cell", name=COOPERATIVE))
    expect(rows).to_have_count(1)
    expect(rows.get_by_role("cell")).to_have_text(
        [COOPERATIVE, "Integrante", today, f"{today}. {REASON}"]
    )
    expect(page.get_by_text(PRODUCER)).to_have_count(0)

    # On a 320 px phone the history table scrolls sideways and can be reached by keyboard.
    page.set_viewport_size({"width": 320, "height": 640})
    visit(GOAT_MESA)
    history = page.get_by_role("region", name="Quiénes integraron esta mesa antes")
    history.focus()
    expect(history).to_be_focused()


def test_a_join_message_of_one_long_word_wraps_on_a_phone(page: Page, visit, live_app, demo_data):
    """500 characters with no space (a pasted link, a stuck key) must not widen the pages where
    the secretary reads the request: they still fit a 320 px phone."""
    word = ("cabras" * 84)[:500]  # the most the form takes
    with live_app.test_request_context():  # the secretary's notice links to the request
        user = services.create_user(
            services.NewAccount(
                name=PRODUCER, email=PRODUCER_EMAIL, password=PRODUCER_PASSWORD, comuna_id=None
            )
        )
        mesa = db.session.scalar(sa.select(Mesa).where(Mesa.slug == GOAT_MESA.split("/")[-1]))
        request = request_to_join(mesa, user, None, word)
        db.session.commit()
        request_page = f"{GOAT_MESA}/solicitudes/{request.id}"
    page.set_viewport_size({"width": 320, "height": 640})
    visit("/")
    log_in(page, visit, SECRETARY_EMAIL, DEMO_PASSWORD)
    for path in (f"{GOAT_MESA}/gestion", request_page):
        visit(path)
        expect(page.get_by_text(word[:60])).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
