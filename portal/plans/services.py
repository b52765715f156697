"""Recording a plan's indicators, targets and measurements, and reading the plan of a
territory. Each refusal says what to do, and nothing is stored then."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.core import clock
from portal.core.formatting import date as format_day
from portal.core.refusals import INVALID, Refused
from portal.extensions import db
from portal.places.models import Territory
from portal.plans.models import Direction, Indicator, IndicatorKind, IndicatorTarget, Measurement
from portal.reference.models import StrategicObjective


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
    measurement = Measurement(
        indicator=indicator,
        measured_on=measured_on,
        value=value,
        source=source.strip(),
        evidence_url=evidence_url.strip(),
        recorded_by_id=by.id if by is not None else None,
    )
    db.session.add(measurement)
    db.session.flush()
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
