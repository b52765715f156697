"""A territory's plan: its periods and their versions (each agreed by the mesa territorial and
sanctioned by the mesa técnica regional, with its matrix frozen), and the indicators of its
strategic objectives, their targets and their measurements."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import UTCDateTime, enum_column, utcnow
from portal.extensions import db
from portal.meetings.models import Agreement
from portal.places.models import Territory
from portal.reference.models import StrategicObjective

VALUE = sa.Numeric(18, 4)


class IndicatorKind(enum.StrEnum):
    FOCUS = "focus"  # an effect the plan seeks (indicador de foco)
    OPERATIONAL = "operational"  # what the plan does (indicador operativo)


class Direction(enum.StrEnum):
    UP = "up"  # more is better
    DOWN = "down"  # less is better


class Indicator(db.Model):
    """How an objective's progress is read: a unit, which way is better, where the numbers
    come from, and the baseline they start from (000:860-867)."""

    __tablename__ = "plan_indicators"
    __table_args__ = (sa.UniqueConstraint("objective_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(sa.ForeignKey("strategic_objectives.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[IndicatorKind] = mapped_column(enum_column(IndicatorKind, "indicator_kind"))
    unit: Mapped[str] = mapped_column(sa.String(40))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, "indicator_direction"))
    source: Mapped[str] = mapped_column(sa.String(300))
    baseline_value: Mapped[Decimal] = mapped_column(VALUE)
    baseline_on: Mapped[dt.date] = mapped_column(sa.Date)
    baseline_source: Mapped[str] = mapped_column(sa.String(300))
    position: Mapped[int] = mapped_column(default=0)

    objective: Mapped[StrategicObjective] = relationship()
    targets: Mapped[list[IndicatorTarget]] = relationship(
        back_populates="indicator", order_by="IndicatorTarget.year"
    )
    measurements: Mapped[list[Measurement]] = relationship(
        back_populates="indicator", order_by="(Measurement.measured_on, Measurement.id)"
    )


class IndicatorTarget(db.Model):
    """What the plan aims for by the end of a year."""

    __tablename__ = "plan_targets"
    __table_args__ = (sa.UniqueConstraint("indicator_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_indicators.id"), index=True)
    year: Mapped[int]
    value: Mapped[Decimal] = mapped_column(VALUE)

    indicator: Mapped[Indicator] = relationship(back_populates="targets")


class Measurement(db.Model):
    """A value of the indicator on a date, with its source and, where there is one, evidence."""

    __tablename__ = "plan_measurements"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_indicators.id"), index=True)
    measured_on: Mapped[dt.date] = mapped_column(sa.Date)
    value: Mapped[Decimal] = mapped_column(VALUE)
    source: Mapped[str] = mapped_column(sa.String(300))
    evidence_url: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    indicator: Mapped[Indicator] = relationship(back_populates="measurements")


class PeriodKind(enum.StrEnum):
    ANNUAL = "annual"  # while the mesas are formed (000:944-954)
    TRIENNIAL = "triennial"


PERIOD_YEARS = {PeriodKind.ANNUAL: 1, PeriodKind.TRIENNIAL: 3}


class Plan(db.Model):
    """The plan of a territory for a period: annual while the mesas are formed, then
    triennial."""

    __tablename__ = "plans"
    __table_args__ = (
        sa.UniqueConstraint("territory_id", "first_year"),
        sa.CheckConstraint("last_year >= first_year", name="period_in_order"),
        sa.CheckConstraint("planned_total IS NULL OR planned_total >= 0", name="total_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"), index=True)
    kind: Mapped[PeriodKind] = mapped_column(enum_column(PeriodKind, "plan_period"))
    first_year: Mapped[int]
    last_year: Mapped[int]
    # The investment the plan foresees over its period, in pesos, as its matrix is agreed.
    planned_total: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    territory: Mapped[Territory] = relationship()
    versions: Mapped[list[PlanVersion]] = relationship(
        back_populates="plan", order_by="PlanVersion.number"
    )

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)


class PlanVersion(db.Model):
    """A version of the plan as the mesa territorial agreed it (in ``agreement``): its matrix
    of objectives, indicators, baselines and targets is written once, as JSON, and never
    changes; a replanning is a new version with its reason. In force once the mesa técnica
    regional sanctions it."""

    __tablename__ = "plan_versions"
    __table_args__ = (sa.UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    number: Mapped[int]
    # Why this version replaces the previous one (empty for the first).
    reason: Mapped[str] = mapped_column(sa.String(1000), default="")
    matrix: Mapped[str] = mapped_column(sa.Text)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id"))
    sanctioned_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    # "Acta de la sesión 4 de la mesa técnica regional", "Oficio N° 12", or a web address.
    sanction_document: Mapped[str] = mapped_column(sa.String(300), default="")
    sanctioned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="versions")
    agreement: Mapped[Agreement] = relationship()

    @property
    def is_sanctioned(self) -> bool:
        return self.sanctioned_on is not None
