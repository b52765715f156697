"""Places of Chile and the functional territories built from them."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import UTCDateTime, enum_column, utcnow
from portal.extensions import db


class Region(db.Model):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(2), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    roman: Mapped[str] = mapped_column(sa.String(5))
    # North to south, the order in which Chileans list their regions.
    position: Mapped[int] = mapped_column(sa.SmallInteger)

    provinces: Mapped[list[Province]] = relationship(
        back_populates="region", order_by="Province.code"
    )

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"


class Province(db.Model):
    __tablename__ = "provinces"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(3), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)

    region: Mapped[Region] = relationship(back_populates="provinces")
    comunas: Mapped[list[Comuna]] = relationship(back_populates="province", order_by="Comuna.code")


class Comuna(db.Model):
    __tablename__ = "comunas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(5), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    province_id: Mapped[int] = mapped_column(sa.ForeignKey("provinces.id"), index=True)

    province: Mapped[Province] = relationship(back_populates="comunas")

    def __repr__(self) -> str:
        return f"<Comuna {self.code} {self.name}>"


class TerritoryPhase(enum.StrEnum):
    BEFORE_PLAN = "before_plan"
    ANNUAL_PLAN = "annual_plan"
    TRIENNIAL_PLAN = "triennial_plan"


class TerritoryStatus(enum.StrEnum):
    LAGGING = "rezagado"
    EXITING = "egresando"
    EXITED = "egresado"


class Territory(db.Model):
    """A functional grouping of contiguous comunas declared lagging by decree."""

    __tablename__ = "territories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    phase: Mapped[TerritoryPhase] = mapped_column(enum_column(TerritoryPhase, "territory_phase"))
    status: Mapped[TerritoryStatus] = mapped_column(
        enum_column(TerritoryStatus, "territory_status")
    )
    decree: Mapped[str] = mapped_column(sa.String(200), default="")
    # The date of the decree that declared it lagging.
    decree_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    region: Mapped[Region] = relationship()
    stages: Mapped[list[TerritoryStage]] = relationship(
        back_populates="territory", order_by="TerritoryStage.since, TerritoryStage.id"
    )
    memberships: Mapped[list[TerritoryComuna]] = relationship(
        back_populates="territory",
        order_by="TerritoryComuna.valid_from",
        cascade="all, delete-orphan",
    )

    def memberships_on(self, day: dt.date) -> list[TerritoryComuna]:
        return [m for m in self.memberships if m.is_valid_on(day)]

    def comunas_on(self, day: dt.date) -> list[Comuna]:
        """The comunas that made up the territory on ``day``, by name."""
        return sorted((m.comuna for m in self.memberships_on(day)), key=lambda c: c.name)

    def __repr__(self) -> str:
        return f"<Territory {self.slug}>"


class TerritoryStage(db.Model):
    """A step in a territory's path: its phase (before the first plan, annual plan, triennial
    plan) and its status (lagging, exiting, exited), from a date, by a decree, with a reason.
    The territory's ``phase`` and ``status`` are those of its latest stage."""

    __tablename__ = "territory_stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"), index=True)
    phase: Mapped[TerritoryPhase] = mapped_column(enum_column(TerritoryPhase, "stage_phase"))
    status: Mapped[TerritoryStatus] = mapped_column(enum_column(TerritoryStatus, "stage_status"))
    since: Mapped[dt.date] = mapped_column(sa.Date)
    decree: Mapped[str] = mapped_column(sa.String(200), default="")
    decree_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    territory: Mapped[Territory] = relationship(back_populates="stages")


class TerritoryComuna(db.Model):
    """A comuna's membership of a territory over a period: ``valid_to`` is the first day it is
    no longer part of it, or empty while it still is."""

    __tablename__ = "territory_comunas"
    __table_args__ = (
        sa.CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="valid_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"), index=True)
    comuna_id: Mapped[int] = mapped_column(sa.ForeignKey("comunas.id"), index=True)
    valid_from: Mapped[dt.date] = mapped_column(sa.Date)
    valid_to: Mapped[dt.date | None] = mapped_column(sa.Date)
    note: Mapped[str] = mapped_column(sa.String(300), default="")

    territory: Mapped[Territory] = relationship(back_populates="memberships")
    comuna: Mapped[Comuna] = relationship()

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)
