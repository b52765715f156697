"""The plan and its money, in the browser: the regional team records a plan with two objectives
and three indicators, the mesa territorial agrees it in a session, the mesa técnica regional
sanctions it, a measurement is entered; a portfolio line's money is approved in part by a named
ministry and in full by the regional council, and the responsible institution reports what it
executed. A citizen then reads the plan page and the cuenta pública on a 320 px phone with
JavaScript off. Every page opened with JavaScript passes axe-core."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.accounts.demo import DEMO_PASSWORD
from portal.accounts.models import User
from portal.accounts.services import NewAccount, create_user
from portal.core import clock
from portal.extensions import db
from portal.initiatives.models import FundingSource, Initiative, Stage, Status
from portal.meetings.models import Meeting, MeetingKind, MeetingStatus, Modality
from portal.mesas.models import ActorType, Membership, Mesa, MesaKind, Organization, Person, Role
from portal.places.models import Comuna, Territory
from portal.portfolios.models import (
    LineFunding,
    Phase,
    Portfolio,
    PortfolioLine,
    PortfolioStep,
    PortfolioVersion,
    StepKind,
)

from .test_membership_flow import log_in, log_out
from .test_portfolio_flow import decide, high_water, remove_since

TEAM_EMAIL = "equipo.arauco@demo.example"
INDAP_EMAIL = "indap.arauco@demo.example"
SMALL_PHONE = {"width": 320, "height": 640}
MINISTRY = "Ministerio de Agricultura"


def _account(email: str, name: str) -> User:
    found = db.session.scalar(sa.select(User).where(User.email == email))
    if found is not None:
        return found
    comuna = db.session.scalar(sa.select(Comuna.id).where(Comuna.name == "Arauco"))
    return create_user(
        NewAccount(name=name, email=email, password=DEMO_PASSWORD, comuna_id=comuna, verified=True)
    )


@pytest.fixture
def arauco(live_app):  # type: ignore[no-untyped-def]
    """Arauco, with no plan yet: a person of the regional team who is also secretary of the
    mesa territorial, which held a session yesterday; INDAP's representative there; and a
    portfolio, agreed and reviewed, whose line has FNDR and sectoral money. Afterwards what the
    test made goes. Yields the portfolio's id."""
    with live_app.app_context():
        marks = high_water()
        territory = db.session.scalar(sa.select(Territory).where(Territory.slug == "arauco"))
        territorial = db.session.scalar(
            sa.select(Mesa).where(
                Mesa.territory_id == territory.id, Mesa.kind == MesaKind.TERRITORIAL
            )
        )
        regional = db.session.scalar(
            sa.select(Mesa).where(
                Mesa.kind == MesaKind.REGIONAL, Mesa.region_id == territory.region_id
            )
        )
        indap = db.session.scalar(sa.select(Organization).where(Organization.short_name == "INDAP"))
        team = _account(TEAM_EMAIL, "Equipo regional de prueba")
        representative = _account(INDAP_EMAIL, "Representante de INDAP en Arauco")
        seats = (
            (regional, team, Role.SECRETARY, None),
            (territorial, team, Role.SECRETARY, None),
            (territorial, representative, Role.SERVICE_REP, indap),
        )
        people: dict[int, Person] = {}
        for mesa, user, role, organization in seats:
            person = people.setdefault(user.id, Person(name=user.name, user_id=user.id))
            db.session.add(
                Membership(
                    mesa=mesa,
                    person=person,
                    role=role,
                    organization=organization,
                    actor_type=ActorType.PUBLIC,
                    started_on=dt.date(2020, 1, 1),
                )
            )
        yesterday = clock.now() - dt.timedelta(days=1)
        db.session.add(
            Meeting(
                mesa=territorial,
                number=1,
                starts_at=yesterday,
                ends_at=yesterday + dt.timedelta(hours=2),
                place="Gobernación Provincial de Arauco",
                modality=Modality.IN_PERSON,
                kind=MeetingKind.ORDINARY,
                status=MeetingStatus.HELD,
            )
        )
        initiative = Initiative(
            mesa=territorial,
            territory_id=territory.id,
            title="Tranque comunitario de Caramávida",
            summary="Un tranque para el riego de 30 familias.",
            kind="investment",
            ownership="public",
            stage=Stage.PROFILE,
            status=Status.IN_PORTFOLIO,
            estimated_cost=100_000_000,
            responsible_id=indap.id,
        )
        portfolio = Portfolio(
            territory_id=territory.id,
            mesa=territorial,
            title="Cartera de Arauco",
            phase=Phase.ANNUAL,
        )
        version = PortfolioVersion(portfolio=portfolio, number=1)
        line = PortfolioLine(version=version, position=1, initiative=initiative)
        db.session.add_all([initiative, portfolio, version, line])
        db.session.add_all(
            [
                LineFunding(
                    line=line,
                    source=FundingSource.FNDR,
                    amount=60_000_000,
                    approver="Consejo Regional (CORE)",
                ),
                LineFunding(
                    line=line, source=FundingSource.SECTORAL, amount=40_000_000, approver=MINISTRY
                ),
                PortfolioStep(version=version, kind=StepKind.AGREED, on=clock.today()),
                PortfolioStep(
                    version=version,
                    kind=StepKind.REVIEWED,
                    on=clock.today(),
                    observations="Sin observaciones.",
                ),
            ]
        )
        db.session.flush()
        made = (portfolio.id, territorial.slug)
        db.session.commit()
        db.session.remove()  # no transaction stays open while the portal serves
    yield made
    with live_app.app_context():
        remove_since(marks)  # their seats and people too; the accounts stay for a next run
        db.session.commit()


def add_indicator(page: Page, visit, objective: str, code: str, name: str, unit: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("link", name=f"Agregar un indicador a {objective}").click()
    visit.check()
    page.get_by_label("Código").fill(code)
    page.get_by_label("Indicador", exact=True).fill(name)
    page.get_by_label("Indicador de foco").check()
    page.get_by_label("Unidad").fill(unit)
    page.get_by_label("más es mejor").check()
    page.get_by_label("De dónde vienen sus cifras").fill("Catastro regional")
    page.get_by_label("Línea de base: valor").fill("40")
    page.get_by_label("Línea de base: fecha de la medición").fill("2024-06-30")
    page.get_by_label("Línea de base: fuente").fill("Catastro regional 2024")
    page.get_by_role("button", name="Agregar el indicador").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text(f"Indicador {code} agregado")
    page.get_by_label("Año", exact=True).fill("2027")
    page.get_by_label("Meta para el fin de ese año").fill("70")
    page.get_by_role("button", name="Guardar la meta").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("La meta para 2027 quedó guardada.")
    page.get_by_role("link", name="Preparar el plan de Arauco").click()
    visit.check()


def test_the_plan_and_its_money_from_the_regional_team_to_a_citizen(
    page: Page, visit, arauco, browser, live_server
):
    portfolio, territorial = arauco
    visit("/")
    log_in(page, visit, TEAM_EMAIL, DEMO_PASSWORD)

    # The period, two objectives and three indicators, each with its target.
    visit("/territorios/arauco/plan/gestion")
    page.get_by_label("Trienal").check()
    page.get_by_label("Primer año").fill("2025")
    page.get_by_role("button", name="Abrir el período").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("El plan 2025–2027 está abierto.")
    for code, title in (
        ("OE1", "Asegurar el agua para el riego campesino"),
        ("OE2", "Fortalecer la pesca artesanal de la caleta"),
    ):
        page.get_by_text("Agregar un objetivo").click()
        page.get_by_label("Código").fill(code)
        page.get_by_label("Objetivo estratégico").fill(title)
        page.get_by_role("button", name="Agregar el objetivo").click()
        visit.check()
    add_indicator(page, visit, "OE1", "I1.1", "Familias con riego tecnificado", "familias")
    add_indicator(page, visit, "OE1", "I1.2", "Hectáreas regadas", "ha")
    add_indicator(page, visit, "OE2", "I2.1", "Botes con resolución sanitaria", "botes")

    # The mesa territorial agrees it in yesterday's session.
    visit(f"/mesas/{territorial}/sesiones/1")
    page.get_by_role("link", name="Registrar un acuerdo").click()
    visit.check()
    page.get_by_label("Qué se acordó").fill(
        "Acordar los objetivos, indicadores y metas del Plan 2025-2027."
    )
    page.get_by_label("Por consenso").check()
    page.get_by_role("button", name="Registrar el acuerdo").click()
    visit.check()
    visit("/territorios/arauco/plan/gestion")
    page.get_by_label("Acuerdo de la mesa territorial").select_option(index=1)
    page.get_by_role("button", name="Registrar la versión acordada").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("La versión 1 del plan quedó registrada")
    page.get_by_label("Documento (el acta de la sesión").fill(
        "Acta de la sesión de la mesa técnica regional"
    )
    page.get_by_role("button", name="Registrar la sanción").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("La versión 1 del plan está vigente.")

    # A measurement.
    page.get_by_role("link", name=re.compile("^I1.1: Familias con riego")).click()
    visit.check()
    page.get_by_label("Fecha de la medición").fill(
        (clock.today() - dt.timedelta(days=10)).isoformat()
    )
    page.get_by_label("Valor", exact=True).fill("52,5")
    page.get_by_label("Fuente", exact=True).fill("Catastro regional, avance")
    page.get_by_role("button", name="Registrar la medición").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text("La medición quedó registrada")

    # The named ministry approves its money in part, the regional council in full.
    visit(f"/carteras/{portfolio}/versiones/1")
    decide(
        page,
        visit,
        MINISTRY,
        "Aprobado en parte",
        "Oficio N° 321 del Ministerio de Agricultura",
        amount="30.000.000",
        reason="El resto queda para el presupuesto siguiente.",
    )
    decide(page, visit, "Consejo Regional", "Aprobado completo", "Acuerdo CORE N° 12")
    log_out(page, visit)

    # INDAP, responsible for the initiative, reports what it executed this year.
    log_in(page, visit, INDAP_EMAIL, DEMO_PASSWORD)
    visit(f"/carteras/{portfolio}/versiones/1")
    page.get_by_role(
        "link", name=re.compile("^Informar dinero ejecutado.*Consejo Regional")
    ).click()
    visit.check()
    page.get_by_label("Monto ejecutado ese año, en pesos").fill("20.000.000")
    page.get_by_role("button", name="Informarlo").click()
    visit.check()
    expect(page.locator(".flashes")).to_contain_text(
        f"La ejecución de {clock.today().year} quedó registrada."
    )
    log_out(page, visit)

    # A citizen reads it: first audited with JavaScript, then on a small phone without it.
    year = clock.today().year
    report = (
        f"/territorios/arauco/cuenta-publica?desde={year}-01-01&hasta={clock.today().isoformat()}"
    )
    visit("/territorios/arauco/plan")
    visit(report)
    context = browser.new_context(
        java_script_enabled=False, viewport=SMALL_PHONE, locale="es-CL", base_url=live_server
    )
    phone = context.new_page()
    phone.goto("/territorios/arauco/plan")
    main = phone.locator("main")
    expect(main).to_contain_text("Plan 2025–2027, versión 1.")
    expect(main).to_contain_text("sancionado por la mesa técnica regional")
    expect(main).to_contain_text("Familias con riego tecnificado")
    expect(main).to_contain_text("52,5")
    assert phone.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    phone.goto(report)
    expect(main).to_contain_text("El plan")
    expect(main).to_contain_text("Tranque comunitario de Caramávida")
    # Asked for 100 million, approved 30 + 60, executed 20.
    expect(main).to_contain_text("M$ 100.000")
    expect(main).to_contain_text("M$ 90.000")
    expect(main).to_contain_text("M$ 20.000")
    assert phone.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    context.close()
