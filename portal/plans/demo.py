"""The demo plans' indicators, for Limarí-Choapa and Secano Maule Sur: baselines, targets
for each year of the triennial plan and the measurements taken since. Invented numbers in the
orders of size of the pilot territories, for trying the portal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from portal.extensions import db
from portal.places.models import Territory
from portal.plans import services
from portal.plans.models import Direction, Indicator, IndicatorKind
from portal.reference.models import StrategicObjective

FOCUS, OPERATIONAL = IndicatorKind.FOCUS, IndicatorKind.OPERATIONAL
UP, DOWN = Direction.UP, Direction.DOWN

# territory → objective code → (title when the demo must add it, its indicators). Each
# indicator: code, name, kind, unit, direction, source, baseline (value, date, source),
# targets {year: value}, measurements [(date, value, source)].
PLANS = {
    "limari-choapa": {
        "OE1": (
            "",
            [
                (
                    "I1.1",
                    "Hogares rurales con agua potable segura",
                    FOCUS,
                    "%",
                    UP,
                    "Catastro de agua potable rural, DOH",
                    ("62", dt.date(2023, 6, 30), "Catastro DOH 2023"),
                    {2025: "70", 2026: "78", 2027: "85"},
                    [
                        (dt.date(2024, 6, 30), "66", "Catastro DOH 2024"),
                        (dt.date(2025, 6, 30), "71", "Catastro DOH 2025"),
                    ],
                ),
                (
                    "I1.2",
                    "Hectáreas con riego tecnificado",
                    OPERATIONAL,
                    "ha",
                    UP,
                    "Registro de obras de la CNR",
                    ("420", dt.date(2023, 12, 31), "CNR, registro 2023"),
                    {2025: "520", 2026: "600", 2027: "680"},
                    [(dt.date(2025, 3, 31), "505", "CNR, primer trimestre 2025")],
                ),
            ],
        ),
        "OE2": (
            "",
            [
                (
                    "I2.1",
                    "Salas de ordeña caprina con resolución sanitaria",
                    OPERATIONAL,
                    "salas",
                    UP,
                    "SEREMI de Salud de Coquimbo",
                    ("12", dt.date(2023, 12, 31), "SEREMI de Salud, 2023"),
                    {2025: "20", 2026: "30", 2027: "40"},
                    [
                        (dt.date(2024, 12, 31), "16", "SEREMI de Salud, 2024"),
                        (dt.date(2025, 12, 31), "24", "SEREMI de Salud, 2025"),
                    ],
                ),
            ],
        ),
    },
    "secano-maule-sur": {
        "OE1": (
            "Diversificar la economía del secano con vinos patrimoniales y turismo rural",
            [
                (
                    "I1.1",
                    "Viñas campesinas con denominación de origen Secano Interior",
                    FOCUS,
                    "viñas",
                    UP,
                    "Servicio Agrícola y Ganadero",
                    ("8", dt.date(2023, 12, 31), "SAG, registro 2023"),
                    {2025: "14", 2026: "20", 2027: "26"},
                    [(dt.date(2025, 6, 30), "13", "SAG, registro 2025")],
                ),
            ],
        ),
        "OE2": (
            "Reducir el aislamiento de las localidades costeras y de la cordillera de la costa",
            [
                (
                    "I2.1",
                    "Tiempo de viaje de Chanco a Cauquenes en transporte público",
                    FOCUS,
                    "minutos",
                    DOWN,
                    "Seremi de Transportes del Maule",
                    ("75", dt.date(2023, 9, 30), "Encuesta de viajes 2023"),
                    {2026: "60", 2027: "50"},
                    [(dt.date(2025, 9, 30), "68", "Encuesta de viajes 2025")],
                ),
            ],
        ),
    },
}


def load_demo_plans() -> int:
    """Adds the demo indicators where the objective has none yet (a plan recorded for real is
    never touched). Returns how many indicators were added; the caller commits."""
    added = 0
    for slug, objectives in PLANS.items():
        territory = db.session.scalars(sa.select(Territory).where(Territory.slug == slug)).first()
        if territory is None:
            continue
        for position, (code, (title, indicators)) in enumerate(objectives.items()):
            objective = db.session.scalars(
                sa.select(StrategicObjective).where(
                    StrategicObjective.territory_id == territory.id,
                    StrategicObjective.code == code,
                )
            ).first()
            if objective is None:
                if not title:
                    continue
                objective = StrategicObjective(
                    territory=territory, code=code, title=title, position=position
                )
                db.session.add(objective)
                db.session.flush()
            has_any = db.session.scalar(
                sa.select(Indicator.id).where(Indicator.objective_id == objective.id).limit(1)
            )
            if has_any is not None:
                continue
            for spec in indicators:
                code_, name, kind, unit, direction, source, baseline, targets, measured = spec
                indicator = services.add_indicator(
                    objective,
                    services.IndicatorData(
                        code=code_,
                        name=name,
                        kind=kind,
                        unit=unit,
                        direction=direction,
                        source=source,
                        baseline_value=Decimal(baseline[0]),
                        baseline_on=baseline[1],
                        baseline_source=baseline[2],
                    ),
                )
                for year, value in targets.items():
                    services.set_target(indicator, year, Decimal(value))
                for day, value, where in measured:
                    services.record_measurement(indicator, day, Decimal(value), where, None)
                added += 1
    return added
