"""Recording a plan: its period, the objectives, indicators, targets and measurements of its
working matrix, the versions the mesa territorial agrees (the matrix frozen as it stood) and
their sanction by the mesa técnica regional; and reading the plan a territory has in force.
Each refusal says what to do, and nothing is stored then. No request here; the caller commits.

The working matrix (the rows of objectives, indicators and targets) is what the regional team
prepares; the public reads the matrix of the version in force, which never changes. Measurements
are facts over time, not part of the matrix: they join the version's indicators by id."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.core import clock
from portal.core.formatting import date as format_day
from portal.core.forms import completed_url
from portal.core.refusals import INVALID, Refused
from portal.extensions import db
from portal.meetings.models import Agreement, AgreementStatus
from portal.mesas.models import Mesa, MesaKind
from portal.notifications import events
from portal.places.models import Territory
from portal.plans.models import (
    PERIOD_YEARS,
    Direction,
    Indicator,
    IndicatorKind,
    IndicatorTarget,
    Measurement,
    PeriodKind,
    Plan,
    PlanVersion,
)
from portal.reference.models import StrategicObjective

EVIDENCE_MAX = 500


@dataclass(frozen=True)
class IndicatorData:
    code: str
    name: str
    kind: IndicatorKind
    unit: str
    direction: Direction
    source: str
    baseline_value: Decimal
    baseline_on: dt.date
    baseline_source: str


def add_indicator(objective: StrategicObjective, data: IndicatorData) -> Indicator:
    if not data.name.strip() or not data.unit.strip():
        raise Refused(_l("Give the indicator a name and a unit."), INVALID)
    if not data.baseline_source.strip():
        raise Refused(_l("Say where the baseline comes from."), INVALID)
    if data.baseline_on > clock.today():
        raise Refused(
            _l("The baseline is a value already measured: its date cannot be in the future."),
            INVALID,
        )
    taken = db.session.scalar(
        sa.select(Indicator.id).where(
            Indicator.objective_id == objective.id, Indicator.code == data.code
        )
    )
    if taken is not None:
        raise Refused(
            _l("This objective already has an indicator %(code)s.", code=data.code), INVALID
        )
    position = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Indicator)
        .where(Indicator.objective_id == objective.id)
    )
    indicator = Indicator(objective=objective, position=position, **data.__dict__)
    db.session.add(indicator)
    db.session.flush()
    return indicator


def set_target(indicator: Indicator, year: int | None, value: Decimal) -> IndicatorTarget:
    """The target for the end of ``year``; a new value for a year replaces the earlier one."""
    if year is None:
        raise Refused(_l("A target needs the year it is for."), INVALID)
    if year < indicator.baseline_on.year:
        raise Refused(
            _l(
                "A target is for a year from the baseline's (%(year)d) on.",
                year=indicator.baseline_on.year,
            ),
            INVALID,
        )
    found = db.session.scalar(
        sa.select(IndicatorTarget).where(
            IndicatorTarget.indicator_id == indicator.id, IndicatorTarget.year == year
        )
    )
    if found is None:
        found = IndicatorTarget(indicator=indicator, year=year, value=value)
        db.session.add(found)
    else:
        found.value = value
    db.session.flush()
    return found


def record_measurement(
    indicator: Indicator,
    measured_on: dt.date,
    value: Decimal,
    source: str,
    by: User | None,
    evidence_url: str = "",
) -> Measurement:
    if measured_on < indicator.baseline_on:
        raise Refused(
            _l(
                "A measurement cannot be dated before the baseline (%(date)s): it would be the"
                " baseline. Check the date.",
                date=format_day(indicator.baseline_on),
            ),
            INVALID,
        )
    if measured_on > clock.today():
        raise Refused(_l("A measurement cannot be dated in the future."), INVALID)
    if not source.strip():
        raise Refused(_l("Say where the measurement comes from."), INVALID)
    evidence = completed_url(evidence_url.strip()) if evidence_url.strip() else ""
    if evidence is None or len(evidence) > EVIDENCE_MAX:
        raise Refused(
            _l("Write the evidence's full web address, for example https://www.ine.gob.cl."),
            INVALID,
        )
    measurement = Measurement(
        indicator=indicator,
        measured_on=measured_on,
        value=value,
        source=source.strip(),
        evidence_url=evidence,
        recorded_by_id=by.id if by is not None else None,
    )
    db.session.add(measurement)
    db.session.flush()
    events.measurement_recorded(measurement)
    return measurement


def plan_of(territory: Territory) -> list[tuple[StrategicObjective, list[Indicator]]]:
    """The territory's objectives in force, each with its indicators (their targets and
    measurements loaded): four queries however many there are."""
    objectives = list(
        db.session.scalars(
            sa.select(StrategicObjective)
            .where(StrategicObjective.territory_id == territory.id, StrategicObjective.active)
            .order_by(StrategicObjective.position, StrategicObjective.code)
        )
    )
    indicators = db.session.scalars(
        sa.select(Indicator)
        .where(Indicator.objective_id.in_([o.id for o in objectives]))
        .options(selectinload(Indicator.targets), selectinload(Indicator.measurements))
        .order_by(Indicator.position, Indicator.id)
    ).all()
    by_objective: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        by_objective.setdefault(indicator.objective_id, []).append(indicator)
    return [(objective, by_objective.get(objective.id, [])) for objective in objectives]


# The objectives ------------------------------------------------------------------------------


def add_objective(territory: Territory, code: str, title: str) -> StrategicObjective:
    code, title = code.strip(), " ".join(title.split())
    if not code or not title:
        raise Refused(_l("Give the objective a code (for example OE3) and a title."), INVALID)
    taken = db.session.scalar(
        sa.select(StrategicObjective).where(
            StrategicObjective.territory_id == territory.id, StrategicObjective.code == code
        )
    )
    if taken is not None:
        raise Refused(_l("This territory already has an objective %(code)s.", code=code), INVALID)
    position = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(StrategicObjective)
        .where(StrategicObjective.territory_id == territory.id)
    )
    objective = StrategicObjective(
        territory=territory, code=code, title=title, position=position or 0
    )
    db.session.add(objective)
    db.session.flush()
    return objective


# Periods and versions ------------------------------------------------------------------------

FIRST_YEAR, LAST_YEAR = 2000, 2100


def plans_of(territory: Territory) -> list[Plan]:
    """The territory's plans, newest period first, with their versions and agreements: two
    queries."""
    return list(
        db.session.scalars(
            sa.select(Plan)
            .where(Plan.territory_id == territory.id)
            .options(
                selectinload(Plan.versions)
                .joinedload(PlanVersion.agreement)
                .joinedload(Agreement.meeting)
            )
            .order_by(Plan.first_year.desc())
        )
    )


def open_plan(
    territory: Territory,
    kind: PeriodKind,
    first_year: int | None,
    by: User | None,
    total: int | None = None,
) -> Plan:
    """A new period of the territory's plan: one year, or three, with the investment it
    foresees when known (``by`` None: from the server's command line)."""
    if first_year is None or not FIRST_YEAR <= first_year <= LAST_YEAR:
        raise Refused(_l("Write the plan's first year, for example 2027."), INVALID)
    last_year = first_year + PERIOD_YEARS[kind] - 1
    overlapping = db.session.scalar(
        sa.select(Plan).where(
            Plan.territory_id == territory.id,
            Plan.first_year <= last_year,
            Plan.last_year >= first_year,
        )
    )
    if overlapping is not None:
        raise Refused(
            _l(
                "The territory already has a plan for %(first)d–%(last)d: periods cannot"
                " overlap. A change to that plan is a new version of it.",
                first=overlapping.first_year,
                last=overlapping.last_year,
            ),
            INVALID,
        )
    plan = Plan(
        territory=territory,
        kind=kind,
        first_year=first_year,
        last_year=last_year,
        planned_total=total,
        created_by_id=by.id if by is not None else None,
    )
    db.session.add(plan)
    db.session.flush()
    return plan


def set_total(plan: Plan, total: int | None) -> None:
    """The investment the plan foresees, in the working matrix: versions already agreed keep
    theirs."""
    if total is not None and total < 0:
        raise Refused(_l("Write the amount in whole pesos, for example 12.345.678."), INVALID)
    plan.planned_total = total
    db.session.flush()


def _number(value: Decimal) -> str:
    """A value as the matrix keeps it: exact, without trailing zeros ("62", "3.5")."""
    text = format(value.normalize(), "f")
    return text


def matrix_of(territory: Territory, plan: Plan | None = None) -> dict[str, Any]:
    """The working matrix as it stands, in the shape a version keeps (and an import reads):
    the investment the plan foresees, and its objectives, each with its indicators, their
    baselines and targets."""
    return {
        "total": plan.planned_total if plan is not None else None,
        "objectives": [
            {
                "id": objective.id,
                "code": objective.code,
                "title": objective.title,
                "indicators": [
                    {
                        "id": indicator.id,
                        "code": indicator.code,
                        "name": indicator.name,
                        "kind": indicator.kind.value,
                        "unit": indicator.unit,
                        "direction": indicator.direction.value,
                        "source": indicator.source,
                        "baseline": {
                            "value": _number(indicator.baseline_value),
                            "date": indicator.baseline_on.isoformat(),
                            "source": indicator.baseline_source,
                        },
                        "targets": [
                            {"year": t.year, "value": _number(t.value)} for t in indicator.targets
                        ],
                    }
                    for indicator in indicators
                ],
            }
            for objective, indicators in plan_of(territory)
        ],
    }


def _gaps(plan: Plan, matrix: dict[str, Any]) -> list[str]:
    """What a matrix lacks before the mesa territorial can agree it, in sentences."""
    if not matrix["objectives"]:
        return [str(_l("The plan has no objectives yet: add at least one."))]
    problems = []
    for objective in matrix["objectives"]:
        if not objective["indicators"]:
            problems.append(
                str(
                    _l(
                        "Objective %(code)s has no indicator: add one, so that its progress can"
                        " be measured.",
                        code=objective["code"],
                    )
                )
            )
        for indicator in objective["indicators"]:
            years = {t["year"] for t in indicator["targets"]}
            if not years & set(plan.years):
                problems.append(
                    str(
                        _l(
                            "Indicator %(code)s has no target within the plan's years"
                            " (%(first)d–%(last)d).",
                            code=indicator["code"],
                            first=plan.first_year,
                            last=plan.last_year,
                        )
                    )
                )
    return problems


def agreeing(territory: Territory) -> list[Agreement]:
    """The agreements in force of the territory's mesas territoriales, newest first: those
    that can agree a version of its plan."""
    return list(
        db.session.scalars(
            sa.select(Agreement)
            .join(Mesa, Mesa.id == Agreement.mesa_id)
            .where(
                Mesa.territory_id == territory.id,
                Mesa.kind == MesaKind.TERRITORIAL,
                Agreement.status == AgreementStatus.IN_FORCE,
            )
            .options(sa.orm.joinedload(Agreement.meeting), sa.orm.joinedload(Agreement.mesa))
            .order_by(Agreement.year.desc(), Agreement.number.desc())
        )
    )


def agree(plan: Plan, agreement: Agreement | None, reason: str, by: User) -> PlanVersion:
    """A new version of the plan, as the mesa territorial agreed it in ``agreement``: the
    working matrix is frozen into it."""
    territory = plan.territory
    if agreement is None or agreement.id not in {a.id for a in agreeing(territory)}:
        raise Refused(
            _l(
                "Choose the agreement, in force, of the mesa territorial of %(territory)s that"
                " agreed the plan.",
                territory=territory.name,
            ),
            INVALID,
        )
    previous = plan.versions[-1] if plan.versions else None
    reason = reason.strip()
    if previous is not None and not reason:
        raise Refused(
            _l("Say why the plan changes (replanning); the reason is shown with the version."),
            INVALID,
        )
    matrix = matrix_of(territory, plan)
    problems = _gaps(plan, matrix)
    if problems:
        raise Refused(" ".join(problems), INVALID)
    frozen = json.dumps(matrix, ensure_ascii=False, sort_keys=True)
    if previous is not None and previous.matrix == frozen:
        raise Refused(
            _l(
                "The matrix is the same as version %(number)d's: change objectives, indicators"
                " or targets first.",
                number=previous.number,
            ),
            INVALID,
        )
    version = PlanVersion(
        plan=plan,
        number=previous.number + 1 if previous is not None else 1,
        reason=reason,
        matrix=frozen,
        agreement=agreement,
        created_by_id=by.id,
    )
    db.session.add(version)
    db.session.flush()
    events.plan_agreed(version, by)
    return version


def sanction(plan: Plan, on: dt.date | None, document: str, by: User) -> PlanVersion:
    """The mesa técnica regional sanctions the plan's latest version: from then on it is the
    plan in force."""
    if not plan.versions:
        raise Refused(_l("The mesa territorial agrees the plan before it is sanctioned."))
    version = plan.versions[-1]
    if version.is_sanctioned:
        raise Refused(_l("The latest version is already sanctioned: it is the plan in force."))
    if on is None:
        raise Refused(_l("Enter the date of the sanction."), INVALID)
    if on > clock.today():
        raise Refused(_l("The date cannot be in the future."), INVALID)
    agreed_on = version.agreement.meeting.day
    if on < agreed_on:
        raise Refused(
            _l(
                "The sanction comes after the mesa territorial agreed the version (%(date)s).",
                date=format_day(agreed_on),
            ),
            INVALID,
        )
    if not document.strip():
        raise Refused(
            _l("Name the document of the sanction (for example, the acta of the session)."),
            INVALID,
        )
    by_id = by.id  # read before the change: a reload here would flush half of it
    version.sanctioned_on = on
    version.sanction_document = document.strip()
    version.sanctioned_by_id = by_id
    db.session.flush()
    events.plan_sanctioned(version, by)
    return version


def draft_changed(territory: Territory, plan: Plan | None) -> bool:
    """Whether the working matrix differs from the plan's latest version (a replanning to
    agree), or there is no version yet."""
    if plan is None or not plan.versions:
        return True
    frozen = json.dumps(matrix_of(territory, plan), ensure_ascii=False, sort_keys=True)
    return frozen != plan.versions[-1].matrix


# Reading the plan ----------------------------------------------------------------------------


@dataclass
class TargetView:
    year: int
    value: Decimal


@dataclass(frozen=True)
class IndicatorView(IndicatorData):
    """An indicator as a version's matrix keeps it, with the measurements taken since."""

    id: int
    targets: list[TargetView]
    measurements: list[Measurement] = field(default_factory=list)


@dataclass
class ObjectiveView:
    id: int
    code: str
    title: str
    indicators: list[IndicatorView]


def _views(matrix: dict[str, Any]) -> list[ObjectiveView]:
    """The matrix's objectives and indicators, with the measurements of those indicators:
    one query."""
    objectives = [
        ObjectiveView(
            id=o["id"],
            code=o["code"],
            title=o["title"],
            indicators=[
                IndicatorView(
                    id=i["id"],
                    code=i["code"],
                    name=i["name"],
                    kind=IndicatorKind(i["kind"]),
                    unit=i["unit"],
                    direction=Direction(i["direction"]),
                    source=i["source"],
                    baseline_value=Decimal(i["baseline"]["value"]),
                    baseline_on=dt.date.fromisoformat(i["baseline"]["date"]),
                    baseline_source=i["baseline"]["source"],
                    targets=[TargetView(t["year"], Decimal(t["value"])) for t in i["targets"]],
                )
                for i in o["indicators"]
            ],
        )
        for o in matrix["objectives"]
    ]
    by_id = {i.id: i for o in objectives for i in o.indicators}
    if by_id:
        for measurement in db.session.scalars(
            sa.select(Measurement)
            .where(Measurement.indicator_id.in_(by_id))
            .order_by(Measurement.measured_on, Measurement.id)
        ):
            by_id[measurement.indicator_id].measurements.append(measurement)
    return objectives


@dataclass
class Standing:
    """Which plan the public reads: the version in force (sanctioned), else the latest agreed
    one, awaiting its sanction; ``newer`` is an agreed version that awaits sanction while an
    older one is in force. With no version, the working matrix is shown as a proposal."""

    plan: Plan | None
    version: PlanVersion | None
    newer: PlanVersion | None
    objectives: list[ObjectiveView]
    # The investment the plan foresees, in pesos, as shown.
    total: int | None = None

    @property
    def is_proposal(self) -> bool:
        return self.version is None


def current_plan(plans: list[Plan], today: dt.date) -> Plan | None:
    """The plan whose period holds ``today``; else the nearest begun one; else the first."""
    if not plans:
        return None
    begun = [p for p in plans if p.first_year <= today.year]
    covering = [p for p in begun if p.last_year >= today.year]
    return (covering or begun or plans[::-1])[0]


def standing(territory: Territory, plan: Plan | None = None) -> Standing:
    """What the plan page shows, in a fixed number of queries."""
    if plan is None:
        plan = current_plan(plans_of(territory), clock.today())
    versions = plan.versions if plan is not None else []
    sanctioned = [v for v in versions if v.is_sanctioned]
    shown = sanctioned[-1] if sanctioned else (versions[-1] if versions else None)
    newer = versions[-1] if versions and shown is not versions[-1] else None
    if shown is None:
        matrix = matrix_of(territory, plan)
        return Standing(plan, None, None, _views(matrix), matrix["total"])
    matrix = json.loads(shown.matrix)
    return Standing(plan, shown, newer, _views(matrix), matrix.get("total"))


def version_view(version: PlanVersion) -> tuple[list[ObjectiveView], int | None]:
    """A version's objectives (with the measurements taken since) and its investment."""
    matrix = json.loads(version.matrix)
    return _views(matrix), matrix.get("total")


def in_force_objective_ids(territory_id: int) -> set[int] | None:
    """The objectives of the version in force of the territory's plan, or None when it has
    no sanctioned version (then every active objective may be chosen)."""
    plans = list(
        db.session.scalars(
            sa.select(Plan)
            .where(Plan.territory_id == territory_id)
            .options(selectinload(Plan.versions))
        )
    )
    plan = current_plan(sorted(plans, key=lambda p: -p.first_year), clock.today())
    sanctioned = [v for v in plan.versions if v.is_sanctioned] if plan is not None else []
    if not sanctioned:
        return None
    return {o["id"] for o in json.loads(sanctioned[-1].matrix)["objectives"]}


@dataclass
class IndicatorLine:
    """Where an indicator of the plan in force stood on a day, for the cuenta pública."""

    objective: ObjectiveView
    indicator: IndicatorView
    last: Measurement | None  # the last measured on or before the day
    target: TargetView | None  # the target for the day's year, else the next one
    final: TargetView | None  # the plan's last target


def plan_lines(territory: Territory, until: dt.date) -> tuple[Standing, list[IndicatorLine]]:
    """The plan in force (as ``standing``) and each indicator against its targets on
    ``until``: the same queries as the plan page."""
    shown = standing(territory)
    lines = []
    for objective in shown.objectives:
        for indicator in objective.indicators:
            measured = [m for m in indicator.measurements if m.measured_on <= until]
            coming = [t for t in indicator.targets if t.year >= until.year]
            lines.append(
                IndicatorLine(
                    objective,
                    indicator,
                    measured[-1] if measured else None,
                    coming[0] if coming else None,
                    indicator.targets[-1] if indicator.targets else None,
                )
            )
    return shown, lines
