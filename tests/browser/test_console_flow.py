"""A region sets up a territory for real, from a portal that holds only the places of Chile:
the administrator signs in with two steps, admits a territory with four comunas by its decree,
creates its mesa territorial and two mesas temáticas with their secretaries invited, and one
secretary schedules the first session. The public territory page shows it all."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import Page, expect

from portal.accounts import services as accounts
from portal.core import clock
from portal.extensions import db
from portal.places.reference import sync_places
from tests.browser.conftest import _live_app, _serve, last_mail_link, visitor
from tests.browser.test_membership_flow import log_in, log_out
from tests.factories import two_factor_on

ADMIN = "jefa.regional@demo.example"
PASSWORD = "cerros del choapa al amanecer"
COMUNAS = ("Canela", "Illapel", "Los Vilos", "Salamanca")
MESAS = (
    ("Mesa territorial", "Mesa Territorial Choapa Costero", ""),
    ("Mesa temática", "Mesa de Pesca artesanal", "Pesca artesanal"),
    ("Mesa temática", "Mesa de Agua para el secano", "Agua"),
)


@pytest.fixture(scope="module")
def empty_app(tmp_path_factory, chromium_executable):  # type: ignore[no-untyped-def]
    """A portal as `portal db upgrade` leaves it, with one administrator and nothing else."""
    instance = tmp_path_factory.mktemp("browser-empty")
    secret: dict[str, str] = {}

    def places_and_admin() -> None:
        sync_places(db.session.connection())
        admin = accounts.create_user(
            accounts.NewAccount(
                name="Jefa Regional",
                email=ADMIN,
                password=PASSWORD,
                comuna_id=None,
                is_admin=True,
                verified=True,
            )
        )
        secret["admin"] = two_factor_on(admin)

    for app in _live_app(instance, "browser_empty", places_and_admin):
        app.config["ADMIN_TOTP_SECRET"] = secret["admin"]  # what her phone's app holds
        yield app


@pytest.fixture(scope="module")
def empty_server(empty_app):  # type: ignore[no-untyped-def]
    yield from _serve(empty_app)


@pytest.fixture
def visit_empty(page, empty_server):  # type: ignore[no-untyped-def]
    yield from visitor(page, empty_server)


def test_a_region_sets_up_its_territory_without_the_demo(page: Page, visit_empty, empty_app):
    visit = visit_empty
    # On a phone, as a regional official would set it up in the field.
    page.set_viewport_size({"width": 320, "height": 640})

    def fits() -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{page.url} scrolls sideways: {width}px"

    visit("/")
    expect(page.get_by_text("Limarí-Choapa")).to_have_count(0)  # no demo here
    code = pyotp.TOTP(empty_app.config["ADMIN_TOTP_SECRET"]).at(clock.now().timestamp() + 30)
    log_in(page, visit, ADMIN, PASSWORD, code=code)
    page.get_by_role("link", name="Administración").click()
    visit.check()

    # A territory with four comunas and its decree.
    page.get_by_role("link", name="Territorios", exact=False).nth(1).click()
    visit.check()
    page.get_by_role("link", name="Incorporar un territorio nuevo").click()
    visit.check()
    page.get_by_label("Región").select_option(label="Coquimbo")
    page.get_by_role("button", name="Seguir").click()
    visit.check()
    page.get_by_label("Nombre del territorio").fill("Choapa Costero")
    page.get_by_label("Decreto", exact=True).fill("D.S. N° 45 de 2026")
    for comuna in COMUNAS:
        page.get_by_label(f"{comuna} (Choapa)").check()
    page.get_by_label("Rezagado desde").fill(clock.today().isoformat())
    page.get_by_label("Por qué (queda en el registro de cambios)").fill("Decreto publicado.")
    fits()
    page.get_by_role("button", name="Incorporar el territorio").click()
    visit.check()
    fits()
    expect(page.locator(".flashes")).to_contain_text("Se incorporó el territorio Choapa Costero.")

    # Its mesas, each with its secretary invited by mail.
    for n, (kind, name, theme) in enumerate(MESAS, start=1):
        visit("/admin")
        page.get_by_role("link", name="Mesas", exact=True).click()
        visit.check()
        page.get_by_role("link", name="Crear una mesa").click()
        visit.check()
        page.get_by_label(kind, exact=True).check()
        page.get_by_label("Nombre de la mesa").fill(name)
        if theme:
            page.get_by_label("Tema (mesas temáticas)").fill(theme)
        page.get_by_label("Territorio (mesas temáticas y territoriales)").select_option(
            label="Choapa Costero"
        )
        page.get_by_label("Nombre de la secretaría").fill(f"Secretaria {n}")
        page.get_by_label("Correo de la secretaría (opcional)").fill(f"secretaria{n}@demo.example")
        page.get_by_label("Por qué (queda en el registro de cambios)").fill("Constitución.")
        fits()
        page.get_by_role("button", name="Crear la mesa").click()
        visit.check()
        fits()
        expect(page.locator(".error-summary")).to_have_count(0)
        expect(page.locator(".flashes")).to_contain_text(f"Se creó la mesa {name}.")

    # The plan module: it receives the territory's events, and writes with a key.
    visit("/admin")
    page.get_by_role("link", name="Sistemas que reciben eventos").click()
    visit.check()
    page.get_by_role("link", name="Registrar un sistema").click()
    visit.check()
    page.get_by_label("Nombre del sistema que recibe").fill("Módulo del plan")
    page.get_by_label("Dirección que recibe los eventos (HTTPS)").fill("plan.example.cl/eventos")
    page.get_by_label("La mesa territorial acuerda una versión del plan").check()
    page.get_by_label("Por qué (queda en el registro de cambios)").fill("Convenio.")
    page.get_by_role("button", name="Registrar").click()
    visit.check()
    fits()
    expect(page.get_by_role("region", name="La clave")).to_contain_text("whsec_")
    visit("/admin")
    page.get_by_role("link", name="Claves de escritura de la API").click()
    visit.check()
    page.get_by_role("link", name="Crear una clave").click()
    visit.check()
    page.get_by_label("Nombre del sistema que escribe", exact=False).fill("Módulo del plan")
    page.get_by_label("Territorio para el que escribe").select_option(label="Choapa Costero")
    page.get_by_label("Registrar mediciones de los indicadores del plan").check()
    page.get_by_label("Por qué (queda en el registro de cambios)").fill("Convenio.")
    page.get_by_role("button", name="Crear la clave").click()
    visit.check()
    fits()
    expect(page.get_by_role("region", name="La clave")).to_contain_text("pmt_")
    page.get_by_label("Por qué (queda en el registro de cambios)").fill("Era una prueba.")
    page.get_by_role("button", name="Revocar esta clave").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("La clave ya no sirve.")
    log_out(page, visit)

    # The secretary of the last mesa opens her invitation, signs up with that address,
    # confirms it, accepts, and schedules the first session.
    invitation = last_mail_link(empty_app, "/invitaciones/")
    visit(invitation)
    page.get_by_role("main").get_by_role("link", name="Crear una cuenta").click()
    visit.check()
    page.get_by_label("Nombre completo").fill("Secretaria 3")
    page.get_by_label("Correo electrónico").fill("secretaria3@demo.example")
    page.get_by_label("Contraseña", exact=True).fill("agua para el secano del choapa")
    page.get_by_label("Escribe la contraseña otra vez").fill("agua para el secano del choapa")
    page.get_by_label("Comuna donde vives o trabajas").select_option(label="Illapel")
    page.get_by_role("button", name="Crear mi cuenta").click()
    visit.check()
    visit(last_mail_link(empty_app, "/cuenta/confirmar/"))
    page.get_by_label("Correo electrónico").fill("secretaria3@demo.example")
    page.get_by_label("Contraseña").fill("agua para el secano del choapa")
    page.get_by_role("button", name="Ingresar").click()
    visit.check()
    visit(invitation)
    page.get_by_role("button", name="Aceptar e integrarme a la mesa").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("Te damos la bienvenida")
    visit("/mesas/mesa-de-agua-para-el-secano/sesiones/nueva")
    page.get_by_label("Fecha").fill("2026-12-30")
    page.get_by_label("Comienza a las").fill("10:00")
    page.get_by_label("Termina a las (aprox.)").fill("12:30")
    page.get_by_label("Lugar").fill("Sede de la junta de vecinos de Canela Baja")
    page.get_by_role("button", name="Guardar la sesión").click()
    visit.check()
    log_out(page, visit)

    # Anyone reads it all on the territory's public page.
    visit("/territorios/choapa-costero")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choapa Costero")
    for text in ("D.S. N° 45 de 2026", "Antes de su primer plan", *COMUNAS):
        expect(page.get_by_text(text, exact=False).first).to_be_visible()
    for _kind, name, _theme in MESAS:
        expect(page.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_text("Próxima sesión:")).to_contain_text("30 de diciembre de 2026")
    fits()
