"""The plan's indicators: what is refused, the public plan page, its queries, the change log."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.accounts.models import Notice
from portal.audit.models import AuditEntry
from portal.commitments.models import CommitmentStatus
from portal.core.refusals import Refused
from portal.initiatives.models import FundingSource, Status
from portal.mesas.models import MesaKind, Role
from portal.plans import importing, progress, services
from portal.plans.demo import load_demo_plans
from portal.plans.models import Direction, Indicator, IndicatorKind, Measurement, PeriodKind
from portal.portfolios.models import (
    Decision,
    FundingApproval,
    FundingExecution,
    LineFunding,
    Phase,
    Portfolio,
    PortfolioLine,
    PortfolioVersion,
)
from portal.reference.models import StrategicObjective
from portal.reference.services import load_demo_objectives
from tests import factories
from tests.conftest import text_of


@pytest.fixture
def objective(db):  # type: ignore[no-untyped-def]
    factories.demo_data(db)
    territory = factories.demo_mesa(db, factories.GOAT_MESA).territory
    found = StrategicObjective(territory=territory, code="OE9", title="Agua para el secano")
    db.add(found)
    db.flush()
    return found


def water(objective, **overrides) -> Indicator:  # type: ignore[no-untyped-def]
    data = {
        "code": "I9.1",
        "name": "Hogares con agua potable segura",
        "kind": IndicatorKind.FOCUS,
        "unit": "%",
        "direction": Direction.UP,
        "source": "Catastro DOH",
        "baseline_value": Decimal("62"),
        "baseline_on": dt.date(2023, 6, 30),
        "baseline_source": "Catastro DOH 2023",
    }
    data.update(overrides)
    return services.add_indicator(objective, services.IndicatorData(**data))


def refusal(action) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused) as refused:
        action()
    assert refused.value.status == 422
    return str(refused.value.message)


def test_what_the_plan_refuses(app, db, objective):
    with app.test_request_context():
        indicator = water(objective)
        assert refusal(
            lambda: services.record_measurement(
                indicator, dt.date(2023, 1, 1), Decimal("60"), "Catastro", None
            )
        ).startswith("Una medición no puede tener fecha anterior a la línea de base (30 de junio")
        assert (
            refusal(
                lambda: services.record_measurement(
                    indicator, dt.date(2099, 1, 1), Decimal("60"), "Catastro", None
                )
            )
            == "Una medición no puede tener fecha futura."
        )
        assert (
            refusal(
                lambda: services.record_measurement(
                    indicator, dt.date(2024, 6, 30), Decimal("66"), "  ", None
                )
            )
            == "Di de dónde viene la medición."
        )
        assert refusal(
            lambda: services.record_measurement(
                indicator, dt.date(2024, 6, 30), Decimal("66"), "DOH", None, "javascript:alert(1)"
            )
        ).startswith("Escribe la dirección web completa del respaldo")
        assert refusal(lambda: services.set_target(indicator, None, Decimal("80"))) == (
            "Una meta necesita el año para el que es."
        )
        assert refusal(lambda: services.set_target(indicator, 2022, Decimal("80"))) == (
            "Una meta es para un año desde el de la línea de base (2023) en adelante."
        )
        assert refusal(lambda: water(objective)) == "Este objetivo ya tiene un indicador I9.1."
        assert refusal(lambda: water(objective, code="I9.2", baseline_source="")) == (
            "Di de dónde viene la línea de base."
        )
    assert db.scalar(sa.select(sa.func.count()).select_from(Measurement)) == 0
    # A new value for a year replaces that year's target.
    services.set_target(indicator, 2027, Decimal("80"))
    services.set_target(indicator, 2027, Decimal("85"))
    assert [(t.year, t.value) for t in indicator.targets] == [(2027, Decimal("85"))]


def test_every_record_of_the_plan_is_in_the_change_log(db, objective):
    indicator = water(objective)
    services.set_target(indicator, 2027, Decimal("85"))
    services.record_measurement(indicator, dt.date(2024, 6, 30), Decimal("66"), "DOH", None)
    db.commit()
    logged = db.scalars(
        sa.select(AuditEntry.table_name).where(AuditEntry.table_name.like("plan_%"))
    ).all()
    assert sorted(logged) == ["plan_indicators", "plan_measurements", "plan_targets"]


def test_a_citizen_reads_the_plan_with_its_numbers(db, client, clock_at):
    clock_at(dt.datetime(2026, 12, 4, 15, tzinfo=dt.UTC))
    factories.demo_data(db)
    load_demo_objectives()
    assert load_demo_plans() == 8
    assert load_demo_plans() == 0  # never twice
    db.commit()
    page = client.get("/territorios/limari-choapa/plan")
    assert page.status_code == 200
    text = text_of(page)
    assert "Hogares rurales con agua potable segura" in text
    assert "Línea de base: 62 % el 30 de junio de 2023." in text
    # The last measurement, this year's target, and the one at the end of the plan.
    assert (
        "Última medición: 71 % el 30 de junio de 2025. Meta para 2026: 78 %."
        " Al final del plan (2027): 85 %."
    ) in text
    html = page.get_data(as_text=True)
    assert html.count('<svg class="chart line-chart" role="img"') == 6
    assert "meta 2027: 85" in html and "línea de base: 62" in html
    # The same numbers as a table.
    assert "Fin de 2026" in text and "SEREMI de Salud, 2025" in text
    other = text_of(client.get("/territorios/secano-maule-sur/plan"))
    assert "Tiempo de viaje de Chanco a Cauquenes en transporte público" in other
    assert "menos es mejor" in other
    empty = text_of(client.get("/territorios/arauco/plan"))
    assert "El plan de este territorio aún no tiene objetivos registrados." in empty
    assert client.get("/territorios/ninguno/plan").status_code == 404
    assert "/territorios/limari-choapa/plan" in client.get("/territorios/limari-choapa").get_data(
        as_text=True
    )


def test_the_plan_page_makes_the_same_queries_as_the_plan_grows(
    app, db, client, count_queries, make_user
):
    """With a version in force, as objectives, indicators, measurements, the initiatives
    that serve them and their commitments grow."""
    admin = make_user(is_admin=True)
    factories.demo_data(db)
    load_demo_objectives()
    load_demo_plans()
    mesa = factories.demo_mesa(db, "mesa-territorial-limari-choapa")
    session = factories.meeting(db, mesa)
    institution = factories.organization(db, "Vialidad")
    territory = mesa.territory
    first = db.scalar(
        sa.select(StrategicObjective).where(
            StrategicObjective.territory_id == territory.id, StrategicObjective.code == "OE1"
        )
    )
    made = factories.commitment(db, session, institution, progress=10)
    made.initiatives = [factories.initiative(db, mesa, "Primera", objective_id=first.id)]
    with app.test_request_context():
        plan = services.open_plan(territory, PeriodKind.TRIENNIAL, 2025, admin)
        services.agree(plan, factories.agreement(db, session, 1), "", admin)
        services.sanction(plan, dt.date(2026, 3, 20), "Acta", admin)
    db.commit()
    with count_queries() as before:
        assert client.get("/territorios/limari-choapa/plan").status_code == 200
    with app.test_request_context():
        for n in range(5):
            objective = StrategicObjective(territory=territory, code=f"OE{20 + n}", title="Más")
            db.add(objective)
            db.flush()
            for k in range(3):
                indicator = water(objective, code=f"I{n}.{k}")
                services.set_target(indicator, 2027, Decimal("90"))
                for month in (3, 6, 9):
                    services.record_measurement(
                        indicator, dt.date(2025, month, 1), Decimal(60 + month), "DOH", None
                    )
                initiative = factories.initiative(
                    db, mesa, f"Iniciativa {n}.{k}", objective_id=objective.id, cost=10
                )
                made = factories.commitment(db, session, institution, progress=k * 10)
                made.initiatives = [initiative]
        services.agree(plan, factories.agreement(db, session, 2), "Más objetivos", admin)
        services.sanction(plan, dt.date(2026, 3, 21), "Acta 2", admin)
    db.commit()
    with count_queries() as after:
        page = client.get("/territorios/limari-choapa/plan")
        assert page.status_code == 200 and "Iniciativa 4.2" in text_of(page)
    assert after.count == before.count


@pytest.fixture
def territorial(db, objective):  # type: ignore[no-untyped-def]
    """The mesa territorial of the objective's territory, with a session held and two
    agreements in force; and a mesa temática's agreement, which cannot agree a plan."""
    territory = objective.territory
    mesa = factories.demo_mesa(db, "mesa-territorial-limari-choapa")
    assert mesa.kind == MesaKind.TERRITORIAL and mesa.territory_id == territory.id
    session = factories.meeting(db, mesa)
    thematic = factories.meeting(db, factories.mesa(db, territory, "Mesa temática de prueba"))
    return (
        factories.agreement(db, session, 1, statement="Acordar el plan."),
        factories.agreement(db, session, 2, statement="Acordar la replanificación."),
        factories.agreement(db, thematic, 1),
    )


def test_the_public_reads_the_version_agreed_never_the_working_matrix(
    app, db, client, objective, territorial, make_user, clock_at
):
    clock_at(dt.datetime(2026, 12, 4, 15, tzinfo=dt.UTC))
    admin = make_user(is_admin=True)
    first, second, _thematic = territorial
    territory = objective.territory
    with app.test_request_context():
        indicator = water(objective)
        services.set_target(indicator, 2027, Decimal("80"))
        plan = services.open_plan(territory, PeriodKind.TRIENNIAL, 2025, admin)
        assert (plan.first_year, plan.last_year) == (2025, 2027)
        db.commit()
        # Before any agreement, the page says the matrix is a proposal.
        page = text_of(client.get(f"/territorios/{territory.slug}/plan"))
        assert "Una propuesta en preparación del equipo regional" in page
        services.agree(plan, first, "", admin)
        services.sanction(plan, dt.date(2026, 3, 20), "Acta de la mesa técnica regional", admin)
        db.commit()
        # The regional team raises the target: the public still reads the agreed one.
        services.set_target(indicator, 2027, Decimal("95"))
        db.commit()
        page = text_of(client.get(f"/territorios/{territory.slug}/plan"))
        assert "Plan 2025–2027, versión 1." in page
        assert "sancionado por la mesa técnica regional el 20 de marzo de 2026" in page
        assert "Meta para 2027: 80 %" in page and "95" not in page
        assert "propuesta" not in page
        # A replanning needs its reason; once agreed it awaits sanction, and version 1 stays.
        assert refusal(lambda: services.agree(plan, second, "", admin)).startswith(
            "Di por qué cambia el plan (replanificación)"
        )
        services.agree(plan, second, "La sequía obliga a subir la meta de agua.", admin)
        db.commit()
        page = text_of(client.get(f"/territorios/{territory.slug}/plan"))
        assert "Meta para 2027: 80 %" in page
        assert "La versión 2 fue acordada el 14 de marzo de 2026 y espera la sanción" in page
        version = text_of(client.get(f"/territorios/{territory.slug}/plan/{plan.id}/versiones/2"))
        assert "La sequía obliga a subir la meta de agua." in version
        assert "95" in version and "esperando la sanción de la mesa técnica regional" in version
        services.sanction(plan, dt.date(2026, 3, 21), "Acta N° 2", admin)
        db.commit()
        page = text_of(client.get(f"/territorios/{territory.slug}/plan"))
        assert "Plan 2025–2027, versión 2." in page and "Meta para 2027: 95 %" in page
        # Version 1 is still there, as it was agreed.
        old = text_of(client.get(f"/territorios/{territory.slug}/plan/{plan.id}/versiones/1"))
        assert "80" in old and "95" not in old
    # In the change log: the plan opened, each version agreed, then sanctioned.
    logged = db.execute(
        sa.select(AuditEntry.table_name, AuditEntry.action)
        .where(
            sa.or_(
                sa.and_(AuditEntry.table_name == "plans", AuditEntry.row_id == plan.id),
                sa.and_(
                    AuditEntry.table_name == "plan_versions",
                    AuditEntry.row_id.in_([v.id for v in plan.versions]),
                ),
            )
        )
        .order_by(AuditEntry.seq)
    ).all()
    assert [tuple(row) for row in logged] == [("plans", "insert")] + [
        ("plan_versions", "insert"),
        ("plan_versions", "update"),
    ] * 2


def test_what_agreeing_and_sanctioning_refuse(app, db, objective, territorial, make_user):
    admin = make_user(is_admin=True)
    first, _second, thematic = territorial
    territory = objective.territory
    with app.test_request_context():
        plan = services.open_plan(territory, PeriodKind.TRIENNIAL, 2025, admin)
        assert refusal(
            lambda: services.open_plan(territory, PeriodKind.ANNUAL, 2027, admin)
        ).startswith("El territorio ya tiene un plan para 2025–2027")
        assert refusal(lambda: services.open_plan(territory, PeriodKind.ANNUAL, None, admin)) == (
            "Escribe el primer año del plan, por ejemplo 2027."
        )
        assert refusal(lambda: services.agree(plan, thematic, "", admin)).startswith(
            "Elige el acuerdo, vigente, de la mesa territorial"
        )
        assert refusal(lambda: services.agree(plan, first, "", admin)) == (
            "El objetivo OE9 no tiene indicador: agrega uno, para que su avance se pueda medir."
        )
        indicator = water(objective)
        services.set_target(indicator, 2024, Decimal("70"))
        assert refusal(lambda: services.agree(plan, first, "", admin)) == (
            "El indicador I9.1 no tiene meta dentro de los años del plan (2025–2027)."
        )
        with pytest.raises(Refused) as early:
            services.sanction(plan, dt.date(2026, 3, 20), "Acta", admin)
        assert early.value.status == 409
        assert str(early.value.message) == (
            "La mesa territorial acuerda el plan antes de que se sancione."
        )
        services.set_target(indicator, 2027, Decimal("80"))
        services.agree(plan, first, "", admin)
        assert refusal(lambda: services.agree(plan, first, "Otra vez", admin)) == (
            "La matriz es igual a la de la versión 1: cambia primero objetivos, indicadores o"
            " metas."
        )
        assert refusal(
            lambda: services.sanction(plan, dt.date(2026, 3, 1), "Acta", admin)
        ).startswith("La sanción viene después de que la mesa territorial acordó la versión")
        assert refusal(
            lambda: services.sanction(plan, dt.date(2026, 3, 20), " ", admin)
        ).startswith("Nombra el documento de la sanción")
        services.sanction(plan, dt.date(2026, 3, 20), "Acta", admin)
        with pytest.raises(Refused) as again:
            services.sanction(plan, dt.date(2026, 3, 20), "Acta", admin)
        assert again.value.status == 409


def test_the_regional_team_prepares_the_plan_with_its_forms(
    app, db, client, objective, territorial, make_user, login, clock_at
):
    clock_at(dt.datetime(2026, 12, 4, 15, tzinfo=dt.UTC))
    territory = objective.territory
    base = f"/territorios/{territory.slug}/plan"
    manage = base + "/gestion"
    db.commit()
    assert client.get(base + "/gestion").status_code == 302  # to the login page
    login(make_user())
    assert client.get(base + "/gestion").status_code == 403
    login(make_user(is_admin=True))
    page = client.get(base + "/gestion")
    assert "El territorio aún no tiene un período de plan" in text_of(page)
    sent = client.submit(
        base + "/periodos", {"kind": "triennial", "first_year": "dos mil"}, form_url=manage
    )
    assert sent.status_code == 422
    assert (
        client.submit(
            base + "/periodos",
            {"kind": "triennial", "first_year": "2025", "total": "174.990.649.000"},
            form_url=manage,
        ).status_code
        == 302
    )
    sent = client.submit(base + "/objetivos", {"code": "OE9", "title": "Otra vez"}, form_url=manage)
    assert sent.status_code == 422 and "Este territorio ya tiene un objetivo OE9." in text_of(sent)
    indicator_form = {
        "code": "I9.1",
        "name": "Hogares con agua",
        "kind": "focus",
        "unit": "%",
        "direction": "up",
        "source": "Catastro DOH",
        "baseline_value": "62,5",
        "baseline_on": "2023-06-30",
        "baseline_source": "Catastro 2023",
    }
    made = client.submit(f"{base}/objetivos/{objective.id}/indicadores", indicator_form)
    assert made.status_code == 302
    indicator = db.scalar(sa.select(Indicator).where(Indicator.objective_id == objective.id))
    assert indicator.baseline_value == Decimal("62.5")
    at = f"{base}/indicadores/{indicator.id}"
    sent = client.submit(at + "/metas", {"year": "", "target": "80"}, form_url=at)
    assert sent.status_code == 422 and "Una meta necesita el año para el que es." in text_of(sent)
    assert (
        client.submit(at + "/metas", {"year": "2027", "target": "1.234,5"}, form_url=at).status_code
        == 302
    )
    assert indicator.targets[0].value == Decimal("1234.5")
    sent = client.submit(
        at + "/mediciones",
        {"measured_on": "2023-01-01", "value": "60", "source": "DOH"},
        form_url=at,
    )
    assert sent.status_code == 422
    assert "Una medición no puede tener fecha anterior a la línea de base" in text_of(sent)
    assert "60" in sent.get_data(as_text=True)  # what was typed is kept
    sent = client.submit(
        at + "/mediciones",
        {"measured_on": "2024-06-30", "value": "66,5", "source": "DOH"},
        form_url=at,
    )
    assert sent.status_code == 302
    first = territorial[0]
    plan_id = db.scalar(sa.select(services.Plan.id))
    sent = client.submit(
        f"{base}/{plan_id}/versiones", {"agreement": str(territorial[2].id)}, form_url=manage
    )
    assert sent.status_code == 422 and "Elige uno de los acuerdos de la lista." in text_of(sent)
    assert (
        client.submit(
            f"{base}/{plan_id}/versiones", {"agreement": str(first.id)}, form_url=manage
        ).status_code
        == 302
    )
    sent = client.submit(
        f"{base}/{plan_id}/sancion", {"on": "2026-03-20", "document": ""}, form_url=manage
    )
    assert sent.status_code == 422
    sent = client.submit(
        f"{base}/{plan_id}/sancion", {"on": "2026-03-20", "document": "Acta 4"}, form_url=manage
    )
    assert sent.status_code == 302
    page = text_of(client.get(base))
    assert "Plan 2025–2027, versión 1." in page and "66,5 %" in page
    assert "Inversión que el plan prevé en su período: M$ 174.990.649." in page
    assert "La matriz está como se acordó la versión 1." in text_of(client.get(base + "/gestion"))


# Progress that rolls up -----------------------------------------------------------------------


def test_progress_is_weighted_by_money_only_when_every_part_has_some(app):
    Part = progress.Part
    weighted = progress.combine([Part(50, 100), Part(100, 300)])
    assert (weighted.percent, weighted.by_money, weighted.counted) == (88, True, 2)  # 87.5
    plain = progress.combine([Part(50, 100), Part(100, None)])
    assert (plain.percent, plain.by_money, plain.without_money) == (75, False, 1)
    # A cancelled part and a part with nothing to count are left out; nothing at all is None.
    kept = progress.combine([Part(20, 0), Part(None, 900, left_out=True), Part(None, 50)])
    assert (kept.percent, kept.counted, kept.left_out) == (20, 1, 1)
    assert progress.combine([]).percent is None
    with app.test_request_context():
        assert progress.in_words(weighted) == (
            "88 %: el promedio de 2 compromisos, cada uno ponderado por su monto."
        )
        assert progress.in_words(plain, "initiatives") == (
            "75 %: el promedio simple de 2 iniciativas (1 sin monto, así que cada una pesa lo"
            " mismo)."
        )
        assert progress.in_words(kept) == (
            "20 %, de su único compromiso contado. 1 compromiso cancelado no cuenta."
        )
        assert progress.in_words(progress.combine([])) == "Aún no se informa avance."


def test_an_objective_progress_rolls_up_from_commitments_through_initiatives(
    app, db, client, objective
):
    mesa = factories.demo_mesa(db, "mesa-territorial-limari-choapa")
    session = factories.meeting(db, mesa)
    institution = factories.organization(db, "Vialidad")
    # In the portfolio with 300 of money: commitments of 100 fulfilled and 100 at 50 %: 75 %.
    served = factories.initiative(db, mesa, "Tranque de Cogotí", objective_id=objective.id)
    other = factories.initiative(
        db, mesa, "Pozo de El Sauce", objective_id=objective.id, cost=100_000_000
    )
    dropped = factories.initiative(
        db, mesa, "Canal retirado", objective_id=objective.id, cost=900, status=Status.WITHDRAWN
    )
    portfolio = Portfolio(
        territory_id=mesa.territory_id, mesa=mesa, title="Cartera", phase=Phase.ANNUAL
    )
    old = PortfolioVersion(portfolio=portfolio, number=1)
    old.lines = [PortfolioLine(position=1, initiative=served)]
    old.lines[0].funding = [LineFunding(source=FundingSource.FNDR, amount=999, approver="CORE")]
    new = PortfolioVersion(portfolio=portfolio, number=2, reason="Ajuste")
    new.lines = [PortfolioLine(position=1, initiative=served)]
    new.lines[0].funding = [
        LineFunding(source=FundingSource.FNDR, amount=200_000_000, approver="CORE"),
        LineFunding(source=FundingSource.SECTORAL, amount=100_000_000, approver="MOP"),
    ]
    db.add_all([portfolio, old, new])

    def commit(initiative, **values):  # type: ignore[no-untyped-def]
        made = factories.commitment(db, session, institution, **values)
        made.initiatives = [initiative]
        return made

    commit(served, status=CommitmentStatus.FULFILLED, amount=100_000_000, progress=100)
    commit(served, status=CommitmentStatus.IN_PROGRESS, amount=100_000_000, progress=50)
    # The other one: 20 % without an amount, and a cancelled one that does not count.
    commit(other, status=CommitmentStatus.IN_PROGRESS, progress=20)
    commit(other, status=CommitmentStatus.CANCELLED, amount=500, progress=90)
    commit(dropped, status=CommitmentStatus.IN_PROGRESS, amount=5, progress=90)
    db.flush()
    with app.test_request_context():
        found = progress.of_objectives([objective.id])[objective.id]
        by_title = {s.initiative.title: s for s in found.initiatives}
        assert by_title["Tranque de Cogotí"].rollup.percent == 75
        assert by_title["Tranque de Cogotí"].money == 300_000_000  # the latest version's line
        assert by_title["Pozo de El Sauce"].rollup.percent == 20
        assert by_title["Pozo de El Sauce"].money == 100_000_000  # its estimated cost
        # (75 × 300 + 20 × 100) / 400 = 61.25; the withdrawn initiative does not count.
        assert (found.rollup.percent, found.rollup.by_money, found.rollup.left_out) == (61, True, 1)
    water(objective)
    db.commit()
    page = text_of(client.get(f"/territorios/{objective.territory.slug}/plan"))
    assert (
        "Avance del objetivo: 61 %: el promedio de 2 iniciativas, cada una ponderada por su"
        " monto. 1 iniciativa retirada o descartada no cuenta."
    ) in page
    assert (
        "Pozo de El Sauce (M$ 100.000): 20 %, de su único compromiso contado. 1 compromiso"
        " cancelado no cuenta."
    ) in page
    initiative_page = text_of(client.get(f"/iniciativas/{served.id}"))
    assert "Avance: 75 %: el promedio de 2 compromisos, cada uno ponderado por su monto." in (
        initiative_page
    )


def test_initiatives_choose_their_objective_from_the_plan_in_force(
    app, db, client, objective, territorial, make_user, login, clock_at
):
    clock_at(dt.datetime(2026, 12, 4, 15, tzinfo=dt.UTC))
    admin = make_user(is_admin=True)
    territory = objective.territory
    goats = factories.demo_mesa(db, factories.GOAT_MESA)
    with app.test_request_context():
        services.set_target(water(objective), 2027, Decimal("80"))
        plan = services.open_plan(territory, PeriodKind.TRIENNIAL, 2025, admin)
        services.agree(plan, territorial[0], "", admin)
        services.sanction(plan, dt.date(2026, 3, 20), "Acta", admin)
        # Added to the working matrix after version 1: not in force yet.
        later = services.add_objective(territory, "OE8", "Aún no acordado")
    tagged = factories.initiative(db, goats, "Ya etiquetada", objective_id=later.id)
    secretary = make_user()
    factories.seat(db, goats, secretary, Role.SECRETARY)
    db.commit()
    login(secretary)
    new = f"/mesas/{goats.slug}/iniciativas/nueva"
    form = client.get(new).get_data(as_text=True)
    assert "OE9: Agua para el secano" in form and "OE8" not in form
    # An initiative already tagged keeps its objective when edited.
    assert "OE8: Aún no acordado" in client.get(f"/iniciativas/{tagged.id}/editar").get_data(
        as_text=True
    )
    sent = client.submit(new, {"title": "Otra", "objective": str(later.id)})
    assert sent.status_code == 422
    assert "Elige un objetivo del plan vigente, de la lista." in text_of(sent)


# Importing a plan -----------------------------------------------------------------------------


def test_a_plan_is_imported_from_a_file_the_schema_checks(app, db, objective, tmp_path):
    territory = objective.territory
    runner = app.test_cli_runner()
    data = json.loads(importing.example(territory))
    good = tmp_path / "plan.json"
    good.write_text(json.dumps(data))
    why = ["--reason", "Matriz del plan 2025-2027 enviada por el equipo regional."]
    result = runner.invoke(args=["reference", "import-plan", territory.slug, str(good), *why])
    assert result.exit_code == 0, result.output
    assert (
        "Se importó el plan de Limarí-Choapa: se abrió el período del plan; objetivos: 1"
        " agregados, 0 actualizados; indicadores: 1 agregados, 0 actualizados; 2 metas"
        " fijadas; 1 medición agregada."
    ) in result.output
    indicator = db.scalar(sa.select(Indicator).where(Indicator.code == "I1.1"))
    assert [(t.year, t.value) for t in indicator.targets] == [
        (2025, Decimal("70")),
        (2027, Decimal("85")),
    ]
    assert services.plans_of(territory)[0].first_year == 2025
    assert services.plans_of(territory)[0].planned_total == 174_990_649_000
    again = runner.invoke(args=["reference", "import-plan", territory.slug, str(good), *why])
    assert "El archivo coincide con el plan ya guardado: nada cambió." in again.output

    def refused(data) -> str:  # type: ignore[no-untyped-def]
        bad = tmp_path / "malo.json"
        bad.write_text(json.dumps(data))
        result = runner.invoke(args=["reference", "import-plan", territory.slug, str(bad), *why])
        assert result.exit_code == 1
        return result.output.strip().removeprefix("malo.json: ")

    def changed(path, value):  # type: ignore[no-untyped-def]
        copy = json.loads(json.dumps(data))
        target = copy
        for step in path[:-1]:
            target = target[step]
        if value is None:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return copy

    indicator_at = ["objectives", 0, "indicators", 0]
    assert refused(changed([*indicator_at, "targets", 1, "year"], None)) == (
        "Objetivo 1, indicador 1, meta 2: falta «year»."
    )
    assert refused(changed([*indicator_at, "baseline", "date"], "30-06-2023")) == (
        "Objetivo 1, indicador 1, «date»: escribe la fecha como año-mes-día, por ejemplo"
        " 2025-06-30."
    )
    assert refused(changed([*indicator_at, "kind"], "impacto")) == (
        "Objetivo 1, indicador 1, «kind» debe ser uno de: «focus», «operational»."
    )
    assert refused(changed([*indicator_at, "measurements", 0, "date"], "2020-01-01")).startswith(
        "Objetivo 1, indicador 1, medición 1: Una medición no puede tener fecha anterior a la"
        " línea de base"
    )
    assert refused(changed(["objectives"], [])) == (
        "«objectives» está vacío: el archivo necesita al menos un objetivo."
    )
    assert refused(changed(["territory"], "arauco")).startswith(
        "Este archivo es del territorio «arauco»"
    )
    assert refused(changed(["plan", "first_year"], 2026)).startswith(
        "El territorio ya tiene un plan para 2025–2027"
    )
    # Nothing of a refused file was kept.
    assert db.scalar(sa.select(sa.func.count()).select_from(Measurement)) == 1


# The plan in the cuenta pública ---------------------------------------------------------------


def test_the_cuenta_publica_says_how_the_plan_and_its_money_stand(
    app, db, client, objective, territorial, make_user, count_queries, clock_at
):
    clock_at(dt.datetime(2026, 12, 4, 15, tzinfo=dt.UTC))
    admin = make_user(is_admin=True)
    territory = objective.territory
    mesa = territorial[0].mesa
    with app.test_request_context():
        indicator = water(objective)
        services.set_target(indicator, 2026, Decimal("75"))
        services.set_target(indicator, 2027, Decimal("85"))
        services.record_measurement(indicator, dt.date(2025, 6, 30), Decimal("71"), "DOH", None)
        plan = services.open_plan(territory, PeriodKind.TRIENNIAL, 2025, admin)
        services.agree(plan, territorial[0], "", admin)
        services.sanction(plan, dt.date(2026, 3, 20), "Acta", admin)
    portfolio = Portfolio(
        territory_id=territory.id, mesa=mesa, title="Cartera anual", phase=Phase.ANNUAL
    )
    db.add(portfolio)

    def line(version, title, position):  # type: ignore[no-untyped-def]
        initiative = factories.initiative(db, mesa, title)
        made = PortfolioLine(version=version, position=position, initiative=initiative)
        fndr = LineFunding(
            line=made, source=FundingSource.FNDR, amount=100_000_000, approver="CORE"
        )
        approval = FundingApproval(
            funding=fndr,
            decision=Decision.PARTIAL,
            amount=80_000_000,
            reason="Falta",
            document="Acuerdo CORE N° 45",
            budget_year=2026,
            decided_on=dt.date(2026, 4, 1),
        )
        db.add_all([made, fndr, approval])
        db.add(FundingExecution(funding=fndr, year=2026, amount=10_000_000))
        db.add(FundingExecution(funding=fndr, year=2026, amount=40_000_000))  # corrects
        return made

    old = PortfolioVersion(portfolio=portfolio, number=1)
    latest = PortfolioVersion(portfolio=portfolio, number=2, reason="Ajuste")
    db.add_all([old, latest])
    line(old, "Línea de una versión anterior", 1)
    line(latest, "Tranque de Cogotí", 1)
    db.commit()
    url = f"/territorios/{territory.slug}/cuenta-publica?desde=2026-01-01&hasta=2026-12-31"
    with count_queries() as before:
        page = text_of(client.get(url))
    assert "Plan 2025–2027, versión 1." in page
    assert "OE9 · Hogares con agua potable segura (%, más es mejor)" in page
    assert "62 30-06-2023 71 30-06-2025 75 fin de 2026 85 2027" in page
    assert (
        "Tranque de Cogotí Cartera anual, versión 2 M$ 100.000 M$ 80.000 M$ 40.000 50 % de lo"
        " aprobado"
    ) in page
    assert "Línea de una versión anterior" not in page
    # More lines and reports cost no more queries.
    for n in range(4):
        line(latest, f"Otra {n}", n + 2)
    db.commit()
    with count_queries() as after:
        client.get(url)
    assert after.count == before.count


def test_the_mesa_tecnica_regional_is_told_a_version_awaits_its_sanction(
    app, db, objective, territorial, make_user
):
    admin = make_user(is_admin=True)
    regional, member = make_user(), make_user()
    factories.seat(
        db, factories.demo_mesa(db, "mesa-tecnica-regional-coquimbo"), regional, Role.SECRETARY
    )
    factories.seat(db, territorial[0].mesa, member, Role.MEMBER)
    with app.test_request_context():
        services.set_target(water(objective), 2027, Decimal("80"))
        plan = services.open_plan(objective.territory, PeriodKind.TRIENNIAL, 2025, admin)
        services.agree(plan, territorial[0], "", admin)
        services.sanction(plan, dt.date(2026, 3, 20), "Acta", admin)
    told = db.execute(
        sa.select(Notice.user_id, Notice.kind, Notice.subject).order_by(Notice.id)
    ).all()
    assert (regional.id, "plan_agreed", "Plan de Limarí-Choapa: versión 1 acordada") in told
    assert (member.id, "plan_sanctioned", "Plan de Limarí-Choapa: versión 1 vigente") in told
    assert all(user_id != admin.id for user_id, _kind, _subject in told)
