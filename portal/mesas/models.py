"""Organizations and institutions, and the mesas they sit at."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import UTCDateTime, enum_column, utcnow
from portal.extensions import db
from portal.places.models import Comuna, Region, Territory


class OrganizationKind(enum.StrEnum):
    PUBLIC_SERVICE = "public_service"
    MUNICIPALITY = "municipality"
    REGIONAL_GOVERNMENT = "regional_government"
    PRODUCERS_ASSOCIATION = "producers_association"
    COOPERATIVE = "cooperative"
    COMMUNITY_ORGANIZATION = "community_organization"
    INDIGENOUS_COMMUNITY = "indigenous_community"
    COMPANY = "company"
    UNIVERSITY = "university"
    NGO = "ngo"
    OTHER = "other"


class ActorType(enum.StrEnum):
    """The four kinds of actor at the tables (seeds/000:351-356)."""

    PUBLIC = "public"
    PRIVATE = "private"
    SOCIAL = "social"
    KNOWLEDGE = "knowledge"


class Organization(db.Model):
    """A public service, municipality, association, company…: commitments belong to these."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    short_name: Mapped[str] = mapped_column(sa.String(40), default="")
    kind: Mapped[OrganizationKind] = mapped_column(
        enum_column(OrganizationKind, "organization_kind")
    )
    actor_type: Mapped[ActorType] = mapped_column(enum_column(ActorType, "actor_type"))
    comuna_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comunas.id"), index=True)
    # Formatted as 76.086.428-5; validated with python-stdnum. Never shown publicly.
    rut: Mapped[str | None] = mapped_column(sa.String(12), unique=True)
    website: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    comuna: Mapped[Comuna | None] = relationship()

    @property
    def label(self) -> str:
        return f"{self.name} ({self.short_name})" if self.short_name else self.name


class MesaKind(enum.StrEnum):
    THEMATIC = "thematic"
    TERRITORIAL = "territorial"
    REGIONAL = "regional"


class MesaStatus(enum.StrEnum):
    FORMING = "forming"
    ACTIVE = "active"
    DORMANT = "dormant"
    CLOSED = "closed"


class FoundingInstrument(enum.StrEnum):
    CONSTITUTIVE_MINUTES = "constitutive_minutes"
    AGREEMENT = "agreement"
    PROTOCOL = "protocol"
    ORDINANCE = "ordinance"


class Mesa(db.Model):
    """A working table. Temáticas and the territorial belong to a territory; the técnica
    regional to a region. A territory has at most one mesa territorial."""

    __tablename__ = "mesas"
    __table_args__ = (
        sa.CheckConstraint(
            "(kind = 'regional' AND region_id IS NOT NULL AND territory_id IS NULL)"
            " OR (kind <> 'regional' AND territory_id IS NOT NULL)",
            name="place_for_kind",
        ),
        sa.Index(
            "uq_mesas_one_territorial_per_territory",
            "territory_id",
            unique=True,
            sqlite_where=sa.text("kind = 'territorial'"),
            postgresql_where=sa.text("kind = 'territorial'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[MesaKind] = mapped_column(enum_column(MesaKind, "mesa_kind"))
    theme: Mapped[str] = mapped_column(sa.String(120), default="")
    territory_id: Mapped[int | None] = mapped_column(sa.ForeignKey("territories.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[MesaStatus] = mapped_column(enum_column(MesaStatus, "mesa_status"))
    status_since: Mapped[dt.date] = mapped_column(sa.Date)
    pre_existing: Mapped[bool] = mapped_column(default=False)
    founding_instrument: Mapped[FoundingInstrument | None] = mapped_column(
        enum_column(FoundingInstrument, "founding_instrument")
    )
    founded_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    # The office changed its name (Gobernador/a → Delegado/a Presidencial Provincial).
    chair_title: Mapped[str] = mapped_column(sa.String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    territory: Mapped[Territory | None] = relationship()
    region: Mapped[Region | None] = relationship()

    def __repr__(self) -> str:
        return f"<Mesa {self.slug}>"
