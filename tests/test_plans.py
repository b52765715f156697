"""The plan's indicators: what is refused, the public plan page, its queries, the change log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.core.refusals import Refused
from portal.plans import services
from portal.plans.demo import load_demo_plans
from portal.plans.models import Direction, Indicator, IndicatorKind, Measurement
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
    assert load_demo_plans() == 5
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
    assert html.count('<svg class="chart line-chart" role="img"') == 3
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


def test_the_plan_page_makes_the_same_queries_as_the_plan_grows(db, client, count_queries):
    factories.demo_data(db)
    load_demo_objectives()
    load_demo_plans()
    db.commit()
    with count_queries() as before:
        client.get("/territorios/limari-choapa/plan")
    territory = factories.demo_mesa(db, factories.GOAT_MESA).territory
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
    db.commit()
    with count_queries() as after:
        assert client.get("/territorios/limari-choapa/plan").status_code == 200
    assert after.count == before.count
