"""Commitments from the session to the scorecard: in a session the mesa records an agreement
with two commitments (MOP: paving a road by a date; INDAP: technical assistance to 40
families). MOP sets a new date with a reason and later reports progress with a photo; INDAP's
date passes (the portal's clock is moved) and the public page shows it overdue; a citizen
leaves an observation that the secretary publishes; the mesa validates MOP's fulfilment; the
scorecards show MOP "fulfilled late" and INDAP "overdue". Then a citizen reads the same pages
and leaves an observation with JavaScript off."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.accounts.demo import DEMO_PASSWORD
from portal.accounts.models import Notice, User
from portal.accounts.services import NewAccount, create_user
from portal.commitments.models import (
    Commitment,
    DueDateChange,
    Evidence,
    Milestone,
    Observation,
    ProgressUpdate,
    Validation,
    commitment_comunas,
    commitment_initiatives,
)
from portal.demo import load_demo_data
from portal.extensions import db
from portal.meetings.models import Agreement, agreement_initiatives
from portal.mesas.models import ActorType, Membership, Mesa, Organization, Person, Role
from portal.notifications.models import OutboxMessage
from portal.places.models import Comuna

from .test_membership_flow import GOAT_MESA, SECRETARY_EMAIL, log_in, log_out
from .test_session_flow import PHONE, SANTIAGO, move_clock_to, portal_now

MOP_EMAIL = "vialidad.prueba@demo.example"
MARK = "(prueba de compromisos)"
STATEMENT = f"Mejorar el camino a Quebrada Alta y asesorar a las familias crianceras {MARK}"
ROAD = f"Pavimentar 4 km del camino Cogotí – Quebrada Alta {MARK}"
ASSISTANCE = f"Asistencia técnica a 40 familias crianceras {MARK}"
# A few bytes a JPEG starts with: enough for the content check.
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 256


@pytest.fixture
def mop_at_the_mesa(live_app):  # type: ignore[no-untyped-def]
    """The demo data, and an account for Vialidad's representative at the goat mesa.
    Afterwards what the test recorded goes, and the clock is put back."""
    with live_app.app_context():
        load_demo_data()
        mesa = db.session.scalar(sa.select(Mesa).where(Mesa.slug == GOAT_MESA.rsplit("/")[-1]))
        vialidad = db.session.scalar(
            sa.select(Organization).where(Organization.short_name == "MOP Vialidad")
        )
        comuna = db.session.scalar(sa.select(Comuna.id).where(Comuna.name == "Combarbalá"))
        user = create_user(
            NewAccount(
                name="Representante de Vialidad",
                email=MOP_EMAIL,
                password=DEMO_PASSWORD,
                comuna_id=comuna,
                verified=True,
            )
        )
        db.session.flush()
        db.session.add(
            Membership(
                mesa=mesa,
                person=Person(name=user.name, user_id=user.id),
                role=Role.SERVICE_REP,
                organization=vialidad,
                actor_type=ActorType.PUBLIC,
                started_on=dt.date(2020, 1, 1),
            )
        )
        db.session.commit()
    yield
    live_app.config.pop("CLOCK_SHIFT", None)
    with live_app.app_context():
        ours = sa.select(Commitment.id).where(Commitment.deliverable.like(f"%{MARK}"))
        # The notices its commitments gave the demo's people, and their mail.
        for id_ in db.session.scalars(ours).all():
            told = sa.or_(
                Notice.link == f"/compromisos/{id_}",
                Notice.link.like(f"/compromisos/{id_}#%"),
            )
            db.session.execute(sa.delete(Notice).where(told))
        db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.text.like(f"%{MARK}%")))
        updates = sa.select(ProgressUpdate.id).where(ProgressUpdate.commitment_id.in_(ours))
        db.session.execute(sa.delete(Evidence).where(Evidence.update_id.in_(updates)))
        for model in (ProgressUpdate, DueDateChange, Observation, Validation, Milestone):
            db.session.execute(sa.delete(model).where(model.commitment_id.in_(ours)))
        for table in (commitment_comunas, commitment_initiatives):
            db.session.execute(sa.delete(table).where(table.c.commitment_id.in_(ours)))
        db.session.execute(sa.delete(Commitment).where(Commitment.id.in_(ours)))
        agreements = sa.select(Agreement.id).where(Agreement.statement == STATEMENT)
        db.session.execute(
            sa.delete(agreement_initiatives).where(
                agreement_initiatives.c.agreement_id.in_(agreements)
            )
        )
        db.session.execute(sa.delete(Agreement).where(Agreement.statement == STATEMENT))
        user = db.session.scalar(sa.select(User).where(User.email == MOP_EMAIL))
        people = sa.select(Person.id).where(Person.user_id == user.id)
        db.session.execute(sa.delete(Membership).where(Membership.person_id.in_(people)))
        db.session.execute(sa.delete(Person).where(Person.user_id == user.id))
        for model in (Notice, OutboxMessage):
            db.session.execute(sa.delete(model).where(model.user_id == user.id))
        db.session.execute(sa.delete(User).where(User.id == user.id))
        db.session.commit()


def day_in_santiago(live_app, days: int) -> dt.date:  # type: ignore[no-untyped-def]
    return (portal_now(live_app) + dt.timedelta(days=days)).astimezone(SANTIAGO).date()


def score(page: Page, label: str):  # type: ignore[no-untyped-def]
    """The number the scorecard gives for ``label``."""
    return (
        page.locator("dl.score > div").filter(has=page.get_by_text(label, exact=True)).locator("dd")
    )


def institution_id(live_app, short: str) -> int:  # type: ignore[no-untyped-def]
    with live_app.app_context():
        return db.session.scalar(sa.select(Organization.id).where(Organization.short_name == short))


def commitment_id(live_app, deliverable: str) -> int:  # type: ignore[no-untyped-def]
    with live_app.app_context():
        return db.session.scalar(
            sa.select(Commitment.id).where(Commitment.deliverable == deliverable)
        )


def test_two_commitments_from_the_session_to_the_scorecards(
    page: Page, visit, live_app, mop_at_the_mesa
):
    page.set_viewport_size(PHONE)
    visit(GOAT_MESA)
    log_in(page, visit, SECRETARY_EMAIL, DEMO_PASSWORD)

    # In session 2 (held last week) the mesa takes an agreement...
    visit(f"{GOAT_MESA}/sesiones/2")
    page.get_by_role("link", name="Registrar un acuerdo").click()
    visit.check()
    page.get_by_label("Qué se acordó").fill(STATEMENT)
    page.get_by_role("button", name="Registrar el acuerdo").click()
    visit.check()
    page.locator("#acuerdos").locator("..").get_by_role(
        "link", name=re.compile("Acuerdo")
    ).last.click()
    visit.check()
    expect(page.get_by_text(STATEMENT)).to_be_visible()

    # ... with two commitments.
    page.get_by_role("link", name="Registrar un compromiso de este acuerdo").click()
    visit.check()
    road_due = day_in_santiago(live_app, 60)
    page.get_by_label("Institución que se compromete").select_option(
        label="Dirección de Vialidad, Ministerio de Obras Públicas (MOP Vialidad)"
    )
    page.get_by_label("Qué va a entregar, en palabras simples").fill(ROAD)
    page.get_by_label("Fecha comprometida").fill(road_due.isoformat())
    page.get_by_label("Monto en pesos (opcional)").fill("180.000.000")
    page.get_by_role("button", name="Registrarlo y agregar otro").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("Compromiso registrado: MOP Vialidad")
    # The agreement stays chosen for the next one.
    expect(page.get_by_label("Acuerdo del que forma parte")).not_to_have_value("")
    page.get_by_label("Institución que se compromete").select_option(
        label="Instituto de Desarrollo Agropecuario (INDAP)"
    )
    page.get_by_label("Qué va a entregar, en palabras simples").fill(ASSISTANCE)
    page.get_by_label("Fecha comprometida").fill(day_in_santiago(live_app, 30).isoformat())
    page.get_by_role("button", name="Registrar el compromiso").click()
    visit.check()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ASSISTANCE)
    log_out(page, visit)

    # MOP's representative moves the date, with a reason.
    road = f"/compromisos/{commitment_id(live_app, ROAD)}"
    assistance = f"/compromisos/{commitment_id(live_app, ASSISTANCE)}"
    log_in(page, visit, MOP_EMAIL, DEMO_PASSWORD)
    visit(road)
    page.get_by_role("link", name="Fijar una nueva fecha").click()
    visit.check()
    new_due = day_in_santiago(live_app, 90)
    page.get_by_label("Nueva fecha comprometida").fill(new_due.isoformat())
    page.get_by_label("Por qué cambia la fecha (público)").fill(
        "La licitación se declaró desierta y se llamó de nuevo."
    )
    page.get_by_role("button", name="Guardar la nueva fecha").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("La fecha original queda registrada.")

    # A hundred days later: the road is done, five days after the new date.
    move_clock_to(live_app, portal_now(live_app) + dt.timedelta(days=100))
    visit(road)
    page.get_by_role("link", name="Informar un avance").click()
    visit.check()
    page.get_by_label("Qué se hizo").fill("Se terminó la carpeta asfáltica de los 4 km.")
    page.get_by_label("Avance en porcentaje (opcional)").fill("100")
    page.get_by_label("Fotos o documentos (opcional)").set_input_files(
        files=[{"name": "camino.jpg", "mimeType": "image/jpeg", "buffer": PHOTO}]
    )
    done = day_in_santiago(live_app, -5)
    page.get_by_label("Entregado el (solo cuando lo comprometido está listo)").fill(
        done.isoformat()
    )
    page.get_by_role("button", name="Publicar el avance").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("Avance publicado.")
    expect(page.get_by_role("link", name="camino.jpg")).to_be_visible()
    expect(page.get_by_text("Entrega informada, a la espera de la validación")).to_be_visible()
    log_out(page, visit)

    # INDAP's date has passed: the public pages say so.
    visit(assistance)
    expect(page.locator(".status-line")).to_contain_text("Atrasado")
    visit("/territorios/limari-choapa/compromisos")
    expect(page.locator("li", has_text=ASSISTANCE).first).to_contain_text("Atrasado")

    # A citizen, without an account, says what she sees, on the form the page links to.
    visit(assistance)
    page.get_by_role("link", name="Escribir una observación").click()
    visit.check()
    page.get_by_label("¿Qué ves en terreno?").fill(
        "En Quebrada Alta nadie ha recibido la visita técnica."
    )
    page.get_by_role("button", name="Enviar la observación").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("La secretaría de la mesa la revisará")
    expect(page.get_by_text("nadie ha recibido la visita técnica")).to_have_count(0)

    # The secretary publishes it, and records the mesa's validation of the road.
    log_in(page, visit, SECRETARY_EMAIL, DEMO_PASSWORD)
    visit(assistance)
    page.get_by_role("button", name="Publicar").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("La observación quedó publicada.")
    visit(road)
    page.get_by_role("link", name="Registrar la validación de la mesa").click()
    visit.check()
    page.get_by_label("Cumplido", exact=True).check()
    page.get_by_label("Sesión en que la mesa lo validó").select_option(index=1)
    page.get_by_role("button", name="Registrar la validación").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("Validado por la mesa: Cumplido.")
    expect(page.get_by_text("5 días de atraso")).to_be_visible()
    log_out(page, visit)

    # The citizen reads the observation, and the scorecards.
    visit(assistance)
    expect(
        page.get_by_text("En Quebrada Alta nadie ha recibido la visita técnica.")
    ).to_be_visible()
    visit(f"/organizaciones/{institution_id(live_app, 'MOP Vialidad')}/compromisos")
    expect(score(page, "Cumplidos con atraso")).to_have_text("1")
    expect(page.locator("li", has_text=ROAD)).to_contain_text("Cumplido")
    visit(f"/organizaciones/{institution_id(live_app, 'INDAP')}/compromisos")
    expect(score(page, "Atrasados hoy")).to_have_text("1")
    expect(page.locator("li", has_text=ASSISTANCE)).to_contain_text("Atrasado")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the scorecard scrolls sideways: {width}px"

    # On the narrowest phones too, the public pages do not scroll sideways.
    page.set_viewport_size({"width": 320, "height": 640})
    for path in (road, assistance, "/territorios/limari-choapa/cuenta-publica"):
        visit(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} scrolls sideways at 320 px: {width}px"


def test_a_citizen_follows_a_commitment_with_javascript_off(
    no_js_page: Page, live_app, mop_at_the_mesa
):
    page = no_js_page
    page.goto("/territorios/limari-choapa")
    page.get_by_role("link", name="Compromisos y su avance").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # The filter works as a plain form.
    page.get_by_label("Estado", exact=True).select_option(label="Atrasado")
    page.get_by_role("button", name="Mostrar").click()
    listed = page.locator("li", has_text="Prestar un camión")
    expect(listed.first).to_contain_text("Atrasado")
    listed.first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Prestar un camión")
    expect(page.get_by_text("El camión no ha llegado")).to_be_visible()
    page.get_by_role("link", name="Escribir una observación").click()
    page.get_by_label("¿Qué ves en terreno?").fill(f"Sigue sin llegar el camión. {MARK}")
    page.get_by_role("button", name="Enviar la observación").click()
    expect(page.locator(".flashes")).to_contain_text("La secretaría de la mesa la revisará")
    page.get_by_role("link", name="Municipalidad de Combarbalá", exact=True).click()
    page.get_by_role("link", name="Sus compromisos y cómo los cumple").click()
    expect(score(page, "Atrasados hoy")).to_have_text("1")
    with live_app.app_context():
        db.session.execute(sa.delete(Observation).where(Observation.text.like(f"%{MARK}")))
        db.session.commit()
