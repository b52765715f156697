"""From ideas at two mesas temáticas to an approved portfolio, in the browser: the goat mesa
weighs its proposals by dot voting, the tourism mesa by the room's counts; their first ones go
to the mesa territorial, whose approval round with a budget is closed with Equal Shares; the
portfolio is agreed, reviewed with an observation (a new version with its changes) and two
sources decide on a line's money, one in full and one in part. A citizen reads it all. Every
page passes axe-core."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.accounts import two_factor
from portal.accounts.demo import DEMO_PASSWORD
from portal.accounts.models import User
from portal.core import clock
from portal.demo import load_demo_data
from portal.extensions import db
from portal.mesas.models import ActorType, Membership, Mesa, Person, Role

from .test_membership_flow import GOAT_MESA, SECRETARY_EMAIL, log_in, log_out

TOURISM = "/mesas/limari-choapa-turismo-de-intereses-especiales"
TERRITORIAL = "/mesas/mesa-territorial-limari-choapa"
MEMBER_EMAIL = "integrante@demo.example"
ADMIN_EMAIL = "admin@demo.example"
TABLES = ("meetings", "initiatives", "rounds", "portfolios", "memberships", "people")


@pytest.fixture
def territory(live_app):  # type: ignore[no-untyped-def]
    """The demo, with the member and the INDAP representative also seated at the tourism mesa
    and the mesa territorial, and the demo secretary keeping the tourism mesa too. Afterwards
    everything this test made goes (every row above the ids there were before)."""
    with live_app.app_context():
        load_demo_data()
        marks = high_water()
        users = {
            u.email: u
            for u in db.session.scalars(
                sa.select(User).where(
                    User.email.in_((MEMBER_EMAIL, "indap@demo.example", SECRETARY_EMAIL))
                )
            )
        }
        mesas = {m.slug: m for m in db.session.scalars(sa.select(Mesa))}
        seats = (
            (TOURISM, MEMBER_EMAIL, Role.MEMBER),
            (TOURISM, SECRETARY_EMAIL, Role.SECRETARY),
            (TERRITORIAL, MEMBER_EMAIL, Role.MEMBER),
            (TERRITORIAL, "indap@demo.example", Role.SERVICE_REP),
        )
        for path, email, role in seats:
            person = db.session.scalar(sa.select(Person).where(Person.user_id == users[email].id))
            db.session.add(
                Membership(
                    mesa=mesas[path.rsplit("/", 1)[1]],
                    person=person,
                    role=role,
                    actor_type=ActorType.SOCIAL,
                    started_on=dt.date(2015, 1, 1),
                )
            )
        # The administrator signs in with two steps; a recovery code answers each time.
        admin = db.session.scalar(sa.select(User).where(User.email == ADMIN_EMAIL))
        secret = two_factor.new_secret()
        codes = two_factor.enable(admin, secret, pyotp.TOTP(secret).at(clock.now()))
        db.session.commit()
    yield codes
    with live_app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.email == ADMIN_EMAIL))
        two_factor.disable(admin)
        remove_since(marks)
        db.session.commit()


def remove_since(marks: dict[str, int]) -> None:
    """Deletes every row above the ``high_water`` marks, and the links that point at them."""
    for table in reversed(db.metadata.sorted_tables):
        if table.name in marks:
            db.session.execute(sa.delete(table).where(table.c.id > marks[table.name]))
        elif "id" not in table.c:  # a link table: the rows that point at new rows go
            new = [
                column > marks[fk.column.table.name]
                for column in table.c
                for fk in column.foreign_keys
                if fk.column.table.name in marks
            ]
            if new:
                db.session.execute(sa.delete(table).where(sa.or_(*new)))


# Kept: the accounts and places, and the change log's head, which must stay with its entries.
KEPT = ("users", "regions", "provinces", "comunas", "audit_head")


def high_water() -> dict[str, int]:
    marks = {}
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.name not in KEPT:
            marks[table.name] = db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0
    return marks


def propose(page: Page, visit, mesa: str, title: str, fndr: str, community: str = "") -> None:  # type: ignore[no-untyped-def]
    visit(f"{mesa}/iniciativas/nueva")
    page.get_by_label("Nombre de la iniciativa").fill(title)
    page.get_by_label("Resumen").fill(f"{title}, para los productores del territorio.")
    page.get_by_label("Inversión", exact=True).check()
    total = int(fndr.replace(".", "")) + int(community.replace(".", "") or 0)
    page.get_by_label("Costo estimado en pesos (opcional)").fill(str(total))
    page.get_by_label("FNDR (gobierno regional)").fill(fndr)
    if community:
        page.get_by_label("Aporte de la comunidad").fill(community)
    page.get_by_role("button", name="Proponerla a la mesa").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("La iniciativa fue propuesta a la mesa.")


def record_held_session(page: Page, visit, mesa: str) -> None:  # type: ignore[no-untyped-def]
    visit(f"{mesa}/sesiones/nueva")
    page.get_by_label("Ya se realizó: registrarla").check()
    yesterday = clock.today() - dt.timedelta(days=1)
    page.get_by_label("Fecha").fill(yesterday.isoformat())
    page.get_by_label("Comienza a las").fill("10:00")
    page.get_by_label("Termina a las (aprox.)").fill("12:00")
    page.get_by_label("Lugar").fill("Sede social")
    page.get_by_role("button", name="Guardar la sesión").click()
    visit.check()


def open_round(page: Page, visit, mesa: str, title: str, method: str, **extra) -> str:  # type: ignore[no-untyped-def]
    visit(f"{mesa}/rondas/nueva")
    page.get_by_label("Nombre de la ronda").fill(title)
    page.get_by_role("radio", name=re.compile(f"^{method}")).check()
    if "budget" in extra:
        page.get_by_label("Presupuesto disponible en pesos (opcional)").fill(extra["budget"])
    if "choices" in extra:
        page.get_by_label("Cuántas puede elegir cada integrante (aprobación)").fill(
            extra["choices"]
        )
    if extra.get("tally"):
        page.get_by_label("Sin señal en la sala").check()
    page.get_by_role("button", name="Abrir la ronda").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("La ronda está abierta.")
    return page.url


def close_round(page: Page, visit, url: str, prioritize: str | None = None) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    visit.check()
    page.get_by_label("Sesión en que se cierra la ronda").select_option(index=0)
    if prioritize:
        page.get_by_label("Cuántas de las primeras quedan priorizadas").fill(prioritize)
    page.get_by_role("button", name="Cerrar la ronda").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("La ronda quedó cerrada")


def step(page: Page, visit, portfolio: str, kind: str, **fields) -> None:  # type: ignore[no-untyped-def]
    visit(f"{portfolio}/pasos")
    page.get_by_label(kind).check()
    if "agreement" in fields:
        page.get_by_label("Acuerdo de la mesa territorial").select_option(index=1)
    if "observations" in fields:
        page.get_by_label("Observaciones de la revisión").fill(fields["observations"])
    page.get_by_role("button", name="Registrar el paso").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("Registrado")


def decide(page: Page, visit, approver: str, decision: str, document: str, **fields) -> None:  # type: ignore[no-untyped-def]
    """From the version's page: the first line's money of ``approver`` still undecided."""
    name = re.compile(f"^Registrar la decisión.*{re.escape(approver)}")
    page.get_by_role("link", name=name).first.click()
    visit.check()
    page.get_by_label(decision).check()
    if "amount" in fields:
        page.get_by_label("Monto aprobado, en pesos").fill(fields["amount"])
    if "reason" in fields:
        page.get_by_label("Razón (para una aprobación parcial").fill(fields["reason"])
    page.get_by_label("Documento (número del acuerdo").fill(document)
    page.get_by_role("button", name="Registrar la decisión").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("Registrado")


def test_from_two_mesas_tematicas_to_an_approved_portfolio(page: Page, visit, territory):
    # Two mesas temáticas get new proposals.
    visit("/")
    log_in(page, visit, MEMBER_EMAIL, DEMO_PASSWORD)
    propose(
        page, visit, GOAT_MESA, "Centro de acopio de leche de cabra", "40.000.000", "20.000.000"
    )
    propose(page, visit, TOURISM, "Senderos del valle del Cogotí", "30.000.000")
    propose(page, visit, TOURISM, "Señalética turística bilingüe", "20.000.000")
    log_out(page, visit)

    # The goat mesa weighs its proposals by dot voting; the tourism mesa by the room's counts.
    log_in(page, visit, SECRETARY_EMAIL, DEMO_PASSWORD)
    goat_round = open_round(page, visit, GOAT_MESA, "Prioridades caprinas", "Votación por puntos")
    tourism_round = open_round(
        page, visit, TOURISM, "Prioridades del turismo", "Aprobación", choices="2", tally=True
    )
    counts = page.locator("#conteo ~ form input[type=number]")
    for n, value in enumerate(("12", "7")):
        counts.nth(n).fill(value)
    page.get_by_role("button", name="Guardar los conteos").click()
    visit.check()
    record_held_session(page, visit, TOURISM)
    close_round(page, visit, tourism_round, prioritize="1")
    log_out(page, visit)
    log_in(page, visit, MEMBER_EMAIL, DEMO_PASSWORD)
    page.goto(goat_round)
    visit.check()
    points = page.get_by_label("Puntos", exact=True)
    points.nth(points.count() - 1).fill("10")  # all on the newest proposal
    page.get_by_role("button", name="Guardar mi voto").click()
    visit.check()
    log_out(page, visit)
    log_in(page, visit, SECRETARY_EMAIL, DEMO_PASSWORD)
    close_round(page, visit, goat_round, prioritize="1")
    log_out(page, visit)

    # The mesa territorial weighs what the temáticas prioritized, with a budget.
    log_in(page, visit, ADMIN_EMAIL, DEMO_PASSWORD, code=territory.pop())
    record_held_session(page, visit, TERRITORIAL)
    territorial_round = open_round(
        page, visit, TERRITORIAL, "Cartera 2027", "Aprobación", choices="2", budget="250.000.000"
    )
    log_out(page, visit)
    # The two prioritized here (the demo's own portfolio already took the demo's).
    for email, marks in ((MEMBER_EMAIL, (0, 1)), ("indap@demo.example", (1,))):
        log_in(page, visit, email, DEMO_PASSWORD)
        page.goto(territorial_round)
        visit.check()
        boxes = page.get_by_label("La elijo")
        for n in marks:
            boxes.nth(n).check()
        page.get_by_role("button", name="Guardar mi voto").click()
        visit.check()
        expect(page.locator(".flashes")).to_contain_text("Tu voto quedó guardado.")
        log_out(page, visit)

    log_in(page, visit, ADMIN_EMAIL, DEMO_PASSWORD, code=territory.pop())
    close_round(page, visit, territorial_round)
    expect(page.get_by_role("heading", name="Método de Igualdad de Partes")).to_be_visible()
    page.get_by_role("link", name="Armar la cartera con esta ronda").click()
    visit.check()
    page.get_by_role("button", name="Armar la cartera").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("La cartera quedó armada: versión 1.")
    portfolio = visit.path().rsplit("/versiones", 1)[0]
    lines = page.locator("#lineas ~ .table-wrap tbody tr")
    first_count = lines.count()
    assert first_count >= 2

    # Agreed, reviewed with an observation, answered with version 2.
    step(page, visit, portfolio, "Acordada por la mesa territorial", agreement=True)
    step(
        page,
        visit,
        portfolio,
        "Revisada por la mesa técnica regional",
        observations="El centro de acopio necesita aporte sectoral de INDAP.",
    )
    visit(f"{portfolio}/nueva-version")
    page.get_by_label("FNDR (gobierno regional)").first.fill("35.000.000")
    page.get_by_label("Qué cambia y por qué").fill(
        "Se ajusta el FNDR del primer proyecto tras la revisión regional."
    )
    page.get_by_role("button", name="Hacer la nueva versión").click()
    visit.check()
    expect(page.get_by_role("heading", name="Cambios respecto de la versión 1")).to_be_visible()
    expect(page.locator("ul.changes")).to_contain_text("Cambiado:")
    step(page, visit, portfolio, "Acordada por la mesa territorial", agreement=True)
    step(
        page,
        visit,
        portfolio,
        "Revisada por la mesa técnica regional",
        observations="Sin observaciones.",
    )
    # Each source decides on its money, line by line: the regional council on the FNDR money
    # of the first line in full, the community's contribution in part.
    visit(f"{portfolio}/versiones/2")
    decide(page, visit, "Consejo Regional", "Aprobado completo", "Acuerdo CORE N° 45/2027")
    decide(
        page,
        visit,
        "Cooperativa",
        "Aprobado en parte",
        "Acta de la asamblea de la cooperativa, 12 de marzo",
        amount="10.000.000",
        reason="La cooperativa aporta la mitad este año.",
    )
    log_out(page, visit)

    # A citizen reads the portfolio, its history and how the round chose.
    visit("/territorios/limari-choapa")
    page.get_by_role("link", name="Cartera", exact=True).click()
    visit.check()
    expect(page.get_by_text("Versión 2").first).to_be_visible()
    page.get_by_role("link", name="Versión 2").first.click()
    visit.check()
    expect(page.locator("ol.timeline")).to_contain_text("Sin observaciones.")
    money = page.locator("#dinero ~ ul")
    expect(money.first).to_contain_text("Aprobado completo")
    expect(page.locator("main")).to_contain_text("Acuerdo CORE N° 45/2027")
    expect(page.locator("main")).to_contain_text("La cooperativa aporta la mitad este año.")
    page.goto(territorial_round)
    visit.check()
    expect(page.get_by_text("El presupuesto se repartió en partes iguales")).to_be_visible()
