"""A session on a 360 px phone: the secretary schedules it, builds the agenda, ticks
attendance until quorum shows, records two agreements, writes and circulates the acta; the
next session approves it, it is published and a citizen reads it. Then the same flow with
JavaScript off, as on a phone where scripts do not load."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.accounts.demo import DEMO_PASSWORD
from portal.accounts.models import Notice
from portal.demo import load_demo_data
from portal.extensions import db
from portal.meetings.models import (
    AgendaItem,
    Agreement,
    Attendance,
    Guest,
    Meeting,
    Minutes,
    MinutesRevision,
)
from portal.mesas.models import ActorType, Membership, Mesa, Person, Role

from .test_membership_flow import GOAT_MESA, SECRETARY_EMAIL, log_in, log_out

PHONE = {"width": 360, "height": 740}
SANTIAGO = ZoneInfo("America/Santiago")
CHAIR_EMAIL = "presidencia@demo.example"
EXTRA = "Productora de la prueba"
AGENDA = (
    "Lectura del acta anterior",
    "Cuenta de INDAP",
    "Forraje para el invierno",
    "Varios",
)


@pytest.fixture
def mesa_with_sessions(live_app):  # type: ignore[no-untyped-def]
    """The demo data, with four more producers kept on record at the goat mesa so that a
    13-vote show of hands fits in the room. Afterwards every session the test recorded, and
    those producers, go, and the clock is put back."""
    with live_app.app_context():
        load_demo_data()
        mesa = db.session.scalar(sa.select(Mesa).where(Mesa.slug == GOAT_MESA.rsplit("/")[-1]))
        mesa_id = mesa.id
        known = set(db.session.scalars(sa.select(Meeting.id).where(Meeting.mesa_id == mesa_id)))
        for n in range(4):
            db.session.add(
                Membership(
                    mesa=mesa,
                    person=Person(name=f"{EXTRA} {n + 1}"),
                    role=Role.MEMBER,
                    actor_type=ActorType.SOCIAL,
                    started_on=dt.date(2015, 1, 1),
                )
            )
        db.session.commit()
    yield
    live_app.config.pop("CLOCK_SHIFT", None)
    with live_app.app_context():
        new = [
            m
            for m in db.session.scalars(sa.select(Meeting.id).where(Meeting.mesa_id == mesa_id))
            if m not in known
        ]
        minutes = sa.select(Minutes.id).where(Minutes.meeting_id.in_(new))
        db.session.execute(
            sa.update(Minutes).where(Minutes.approved_in_id.in_(new)).values(approved_in_id=None)
        )
        db.session.execute(
            sa.delete(MinutesRevision).where(MinutesRevision.minutes_id.in_(minutes))
        )
        for model in (Minutes, Agreement, Attendance, Guest, AgendaItem):
            db.session.execute(sa.delete(model).where(model.meeting_id.in_(new)))
        db.session.execute(sa.delete(Meeting).where(Meeting.id.in_(new)))
        db.session.execute(sa.delete(Notice).where(Notice.link.like(f"{GOAT_MESA}/sesiones/%")))
        people = sa.select(Person.id).where(Person.name.like(f"{EXTRA}%"))
        db.session.execute(
            sa.delete(Attendance).where(
                Attendance.membership_id.in_(
                    sa.select(Membership.id).where(Membership.person_id.in_(people))
                )
            )
        )
        db.session.execute(sa.delete(Membership).where(Membership.person_id.in_(people)))
        db.session.execute(sa.delete(Person).where(Person.name.like(f"{EXTRA}%")))
        db.session.commit()


def move_clock_to(live_app, moment: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    """The portal's clock (not the browser's) jumps to ``moment``."""
    live_app.config["CLOCK_SHIFT"] = moment - dt.datetime.now(dt.UTC)


def portal_now(live_app) -> dt.datetime:  # type: ignore[no-untyped-def]
    return dt.datetime.now(dt.UTC) + live_app.config.get("CLOCK_SHIFT", dt.timedelta(0))


def fill_session(page: Page, day: dt.date) -> None:
    page.get_by_label("Fecha").fill(day.isoformat())
    page.get_by_label("Comienza a las").fill("10:00")
    page.get_by_label("Termina a las (aprox.)").fill("12:30")
    page.get_by_label("Lugar").fill("Sede social de Cogotí, Combarbalá")


def test_the_secretary_runs_a_session_on_a_phone_and_a_citizen_reads_the_acta(
    page: Page, visit, live_app, mesa_with_sessions
):
    page.set_viewport_size(PHONE)
    visit(GOAT_MESA)
    log_in(page, visit, SECRETARY_EMAIL, DEMO_PASSWORD)

    # She schedules the session for next week.
    day = (portal_now(live_app) + dt.timedelta(days=7)).astimezone(SANTIAGO).date()
    visit(GOAT_MESA)
    page.get_by_role("link", name="Sesiones", exact=True).click()
    visit.check()
    page.get_by_role("link", name="Programar una sesión").click()
    visit.check()
    expect(page.get_by_label("Todavía no: programarla")).to_be_checked()
    fill_session(page, day)
    page.get_by_role("button", name="Guardar la sesión").click()
    visit.check()
    heading = page.get_by_role("heading", level=1).inner_text()
    number = int(re.search(r"\d+", heading).group())  # type: ignore[union-attr]
    session = f"{GOAT_MESA}/sesiones/{number}"
    expect(page.locator(".flashes")).to_contain_text(f"Sesión {number} registrada.")

    # A four-item agenda; "Varios" moves up one place (htmx swaps the list).
    for title in AGENDA:
        page.get_by_label("Punto", exact=True).fill(title)
        page.get_by_role("button", name="Agregar a la tabla").click()
        visit.check()
    page.get_by_role("button", name=re.compile(r"^Subir ?: Varios$")).click()
    expect(page.locator("ol.agenda > li > strong")).to_have_text(
        [AGENDA[0], AGENDA[1], AGENDA[3], AGENDA[2]]
    )
    visit.check()

    # The day comes. She ticks people as they arrive; the quorum shows as she goes.
    move_clock_to(
        live_app, dt.datetime.combine(day, dt.time(10, 20), tzinfo=SANTIAGO).astimezone(dt.UTC)
    )
    visit(f"{session}/asistencia")
    quorum = page.locator("#quorum")
    expect(quorum).to_contain_text("No hay quórum todavía")
    people = page.get_by_role("checkbox")
    active = int(re.search(r"de (\d+) integrantes", quorum.inner_text()).group(1))  # type: ignore[union-attr]
    needed = int(re.search(r"se necesitan (\d+)", quorum.inner_text()).group(1))  # type: ignore[union-attr]
    ticked = 0
    for i in range(people.count()):
        if "no cuenta para el quórum" in people.nth(i).evaluate("e => e.labels[0].innerText"):
            continue
        people.nth(i).check()
        ticked += 1
        expect(quorum).to_contain_text(f"{ticked} de {active} integrantes activos presentes")
        if ticked == needed - 1:
            expect(quorum).to_contain_text("No hay quórum todavía")
        if ticked == needed:
            expect(quorum).to_contain_text("Hay quórum")
        if ticked == 13:
            break
    page.get_by_role("button", name="Guardar la asistencia").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("Asistencia guardada.")
    expect(page.locator("#quorum")).to_contain_text(f"13 de {active} integrantes activos")

    # Two agreements: one by consensus, one by a 9-3-1 show of hands.
    page.get_by_role("link", name="Volver a la sesión").click()
    visit.check()
    page.get_by_role("link", name="Registrar un acuerdo").click()
    visit.check()
    page.get_by_label("Qué se acordó").fill("Pedir a INDAP una visita técnica a los corrales.")
    page.get_by_label("Por consenso").check()
    page.get_by_role("button", name="Registrar el acuerdo").click()
    visit.check()
    page.get_by_role("link", name="Registrar un acuerdo").click()
    visit.check()
    page.get_by_label("Qué se acordó").fill("Comprar en conjunto los fardos de alfalfa.")
    page.get_by_label("Por votación").check()
    page.get_by_label("A favor").fill("9")
    page.get_by_label("En contra").fill("3")
    page.get_by_label("Abstenciones").fill("1")
    page.get_by_label("Disenso, en palabras (opcional)").fill("Tres socias compran por separado.")
    page.get_by_role("button", name="Registrar el acuerdo").click()
    visit.check()
    expect(page.get_by_text("Por votación: a favor 9, en contra 3, abstenciones 1")).to_be_visible()
    page.get_by_role("button", name="Marcar como realizada").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("registrada como realizada")

    # The acta, written on the phone and sent to the members.
    page.get_by_role("link", name="Redactar el acta").click()
    visit.check()
    page.get_by_label("Texto del acta").fill(
        "Se abre la sesión a las 10:20 con quórum.\n\n**Forraje.** Se acuerda la compra conjunta."
    )
    page.get_by_role("button", name="Guardar el acta").click()
    visit.check()
    page.get_by_role("button", name="Enviar a los integrantes para revisión").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("El acta fue enviada para revisión")

    # Two weeks later, the next session approves it and she publishes it.
    next_day = day + dt.timedelta(days=14)
    visit(f"{GOAT_MESA}/sesiones/nueva")
    fill_session(page, next_day)
    page.get_by_role("button", name="Guardar la sesión").click()
    visit.check()
    move_clock_to(
        live_app,
        dt.datetime.combine(next_day, dt.time(10, 30), tzinfo=SANTIAGO).astimezone(dt.UTC),
    )
    visit(f"{session}/acta")
    page.get_by_role("link", name="Registrar su aprobación").click()
    visit.check()
    page.get_by_label("Por los integrantes en una sesión posterior").check()
    page.get_by_label("Sesión en que los integrantes la aprobaron").select_option(
        label=f"Sesión {number + 1}"
    )
    page.get_by_role("button", name="Registrar la aprobación").click()
    visit.check()
    page.get_by_role("button", name="Publicar el acta").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("El acta y sus acuerdos ya son públicos.")
    log_out(page, visit)

    # A citizen without an account reads it, with both agreements.
    visit(GOAT_MESA)
    page.get_by_role("link", name="Actas y acuerdos").click()
    visit.check()
    acta = page.locator("section.session").filter(
        has=page.get_by_role("heading", name=f"Acta de la sesión {number}")
    )
    expect(acta).to_contain_text("Pedir a INDAP una visita técnica a los corrales.")
    expect(acta).to_contain_text("Por votación: a favor 9, en contra 3, abstenciones 1")
    acta.get_by_role("link", name=f"Acta de la sesión {number}").click()
    visit.check()
    expect(page.get_by_text("Se abre la sesión a las 10:20 con quórum.")).to_be_visible()
    expect(page.get_by_text(f"por los integrantes en la sesión {number + 1}")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the acta scrolls sideways: {width}px"


def no_js_log_in(page: Page, email: str) -> None:
    page.goto("/cuenta/ingresar")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("link", name="Mi cuenta")).to_be_visible()


def test_the_whole_session_flow_works_with_javascript_off(
    no_js_page: Page, visit, live_app, mesa_with_sessions
):
    page = no_js_page
    no_js_log_in(page, SECRETARY_EMAIL)
    # A session held yesterday, recorded today from the notes taken on paper.
    yesterday = (portal_now(live_app) - dt.timedelta(days=1)).astimezone(SANTIAGO).date()
    page.goto(f"{GOAT_MESA}/sesiones/nueva")
    page.get_by_label("Ya se realizó: registrarla").check()
    fill_session(page, yesterday)
    page.get_by_role("button", name="Guardar la sesión").click()
    heading = page.get_by_role("heading", level=1).inner_text()
    number = int(re.search(r"\d+", heading).group())  # type: ignore[union-attr]
    session = f"{GOAT_MESA}/sesiones/{number}"
    for title in AGENDA[:3]:
        page.get_by_label("Punto", exact=True).fill(title)
        page.get_by_role("button", name="Agregar a la tabla").click()
    page.get_by_role("button", name=re.compile(rf"^Bajar ?: {AGENDA[0]}$")).click()
    expect(page.locator("ol.agenda > li > strong")).to_have_text([AGENDA[1], AGENDA[0], AGENDA[2]])

    page.goto(f"{session}/asistencia")
    people = page.get_by_role("checkbox")
    for i in range(10):
        people.nth(i).check()
    page.get_by_label("Otras personas de la comunidad (sin nombre)").fill("5")
    page.get_by_role("button", name="Guardar la asistencia").click()
    expect(page.locator(".flashes")).to_contain_text("Asistencia guardada.")
    page.get_by_label("Nombre de la persona invitada").fill("Rosa Fuentes")
    page.get_by_label("Organización o institución (opcional)").fill("Municipalidad de Combarbalá")
    page.get_by_role("button", name="Agregar invitado").click()
    expect(page.get_by_text("Rosa Fuentes, Municipalidad de Combarbalá")).to_be_visible()

    # A vote larger than the room is refused, and what was typed stays.
    page.goto(f"{session}/acuerdos/nuevo")
    page.get_by_label("Qué se acordó").fill("Comprar en conjunto los fardos de alfalfa.")
    page.get_by_label("Por votación").check()
    page.get_by_label("A favor").fill("9")
    page.get_by_label("En contra").fill("3")
    page.get_by_label("Abstenciones").fill("1")
    page.get_by_role("button", name="Registrar el acuerdo").click()
    expect(page.get_by_role("alert")).to_contain_text("Se ingresaron 13 votos")
    expect(page.get_by_label("Qué se acordó")).to_have_value(
        "Comprar en conjunto los fardos de alfalfa."
    )
    page.get_by_label("A favor").fill("5")
    page.get_by_role("button", name="Registrar el acuerdo").click()
    expect(page.locator(".flashes")).to_contain_text("registrado")

    page.goto(f"{session}/acta/editar")
    page.get_by_label("Texto del acta").fill("Se abre la sesión con quórum.")
    page.get_by_role("button", name="Guardar el acta").click()
    page.get_by_role("button", name="Enviar a los integrantes para revisión").click()
    expect(page.locator(".flashes")).to_contain_text("El acta fue enviada para revisión")
    page.get_by_role("button", name="Salir").click()

    # The chair approves it and the secretary publishes it.
    no_js_log_in(page, CHAIR_EMAIL)
    page.goto(f"{session}/acta/aprobar")
    page.get_by_label("Por la presidencia").check()
    page.get_by_role("button", name="Registrar la aprobación").click()
    page.get_by_role("button", name="Publicar el acta").click()
    expect(page.locator(".flashes")).to_contain_text("El acta y sus acuerdos ya son públicos.")
    page.get_by_role("button", name="Salir").click()

    page.goto(f"{GOAT_MESA}/actas")
    expect(page.get_by_text("Por votación: a favor 5, en contra 3, abstenciones 1")).to_be_visible()
    page.goto(f"{session}/acta/imprimir")
    expect(page.get_by_text("Rosa Fuentes, Municipalidad de Combarbalá (invitado)")).to_be_visible()

    # The public pages it reached, audited by axe-core where scripts can run.
    for path in (f"{GOAT_MESA}/actas", f"{session}/acta", f"{session}/acta/imprimir", session):
        visit(path)
