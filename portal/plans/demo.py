"""The demo plans' indicators, for Limarí-Choapa and Secano Maule Sur: baselines, targets
for each year of the triennial plan and the measurements taken since. Invented numbers in the
orders of size of the pilot territories, for trying the portal. Limarí-Choapa's plan
2025–2027 is agreed by its mesa territorial and sanctioned; Secano Maule Sur's is still a
proposal being prepared."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import User
from portal.core import clock
from portal.extensions import db
from portal.meetings import records
from portal.meetings.models import DecisionMode, Meeting
from portal.mesas.models import Mesa
from portal.places.models import Territory
from portal.plans import services
from portal.plans.models import Direction, Indicator, IndicatorKind, PeriodKind
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
        "OE3": (
            "",
            [
                (
                    "I3.1",
                    "Localidades aisladas con internet móvil",
                    FOCUS,
                    "localidades",
                    UP,
                    "Subsecretaría de Telecomunicaciones",
                    ("18", dt.date(2023, 12, 31), "Subtel, catastro 2023"),
                    {2025: "24", 2026: "30", 2027: "36"},
                    [(dt.date(2025, 12, 31), "23", "Subtel, catastro 2025")],
                ),
            ],
        ),
        "OE4": (
            "",
            [
                (
                    "I4.1",
                    "Emprendimientos turísticos registrados en Sernatur",
                    OPERATIONAL,
                    "emprendimientos",
                    UP,
                    "Registro de Sernatur",
                    ("35", dt.date(2023, 12, 31), "Sernatur, registro 2023"),
                    {2025: "42", 2026: "50", 2027: "60"},
                    [(dt.date(2025, 6, 30), "44", "Sernatur, registro 2025")],
                ),
            ],
        ),
        "OE5": (
            "",
            [
                (
                    "I5.1",
                    "Faenas de minería artesanal con plan de cierre aprobado",
                    OPERATIONAL,
                    "faenas",
                    UP,
                    "Sernageomin, región de Coquimbo",
                    ("9", dt.date(2023, 12, 31), "Sernageomin, 2023"),
                    {2025: "15", 2026: "22", 2027: "30"},
                    [],
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


AGREED_IN = "mesa-territorial-limari-choapa"
# First year, and the triennial plan's total as the domain brief gives it (M$, in pesos here).
PERIODS = {
    "limari-choapa": (2025, 174_990_649_000),
    "secano-maule-sur": (2025, 185_916_358_000),
}


def load_demo_plan_versions() -> int:
    """Opens the demo plans' periods; Limarí-Choapa's mesa territorial agrees its plan in its
    last session (the one that made the portfolio) and the mesa técnica regional sanctions it.
    Run after the portfolio. Returns how many versions were agreed; the caller commits."""
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@demo.example"))
    if admin is None:
        return 0
    agreed = 0
    for slug, (first_year, total) in PERIODS.items():
        territory = db.session.scalars(sa.select(Territory).where(Territory.slug == slug)).first()
        if territory is None or services.plans_of(territory):
            continue
        plan = services.open_plan(territory, PeriodKind.TRIENNIAL, first_year, admin, total)
        mesa = db.session.scalar(sa.select(Mesa).where(Mesa.slug == AGREED_IN))
        if mesa is None or mesa.territory_id != territory.id:
            continue
        session = db.session.scalar(
            sa.select(Meeting)
            .where(Meeting.mesa_id == mesa.id, Meeting.starts_at <= clock.now())
            .order_by(Meeting.starts_at.desc())
            .limit(1)
        )
        if session is None or not session.takes_records:
            continue
        agreement = records.record(
            session,
            records.Decision(
                statement="Acordar los objetivos estratégicos del Plan 2025-2027, sus"
                " indicadores, líneas de base y metas, según la matriz presentada por el"
                " equipo regional.",
                mode=DecisionMode.CONSENSUS,
                votes_for=None,
                votes_against=None,
                votes_abstaining=None,
                dissent="",
                review_on=None,
            ),
            admin,
            announce=False,
        )
        services.agree(plan, agreement, "", admin)
        services.sanction(
            plan,
            clock.today() - dt.timedelta(days=2),
            "Acta de la sesión de la mesa técnica regional de Coquimbo",
            admin,
        )
        agreed += 1
    return agreed
