"""Organizations and institutions, and the mesas they sit at."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
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


class QuorumRule(enum.StrEnum):
    """How many of the mesa's active members (observers aside) must be present for a session
    to decide."""

    MAJORITY = "majority"
    TWO_THIRDS = "two_thirds"
    ONE_THIRD = "one_third"

    def needed(self, active: int) -> int:
        if self is QuorumRule.MAJORITY:
            return active // 2 + 1
        if self is QuorumRule.TWO_THIRDS:
            return -(-2 * active // 3)
        return -(-active // 3)


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
    # For a mesa that existed before the program: what it had done until then, as its
    # secretary or the regional team recorded it (sessions, agreements, who sat at it).
    prior_record: Mapped[str] = mapped_column(sa.Text, default="")
    # The office changed its name (Gobernador/a → Delegado/a Presidencial Provincial).
    chair_title: Mapped[str] = mapped_column(sa.String(120), default="")
    quorum_rule: Mapped[QuorumRule] = mapped_column(
        enum_column(QuorumRule, "quorum_rule"),
        default=QuorumRule.MAJORITY,
        server_default=QuorumRule.MAJORITY.value,
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    territory: Mapped[Territory | None] = relationship()
    region: Mapped[Region | None] = relationship()

    @property
    def is_closed(self) -> bool:
        return self.status == MesaStatus.CLOSED

    def __repr__(self) -> str:
        return f"<Mesa {self.slug}>"


class Role(enum.StrEnum):
    CHAIR = "chair"
    SECRETARY = "secretary"
    MEMBER = "member"
    SERVICE_REP = "service_rep"
    OBSERVER = "observer"


# Who manages a mesa and its members; whose names the public sees.
MANAGING_ROLES = frozenset({Role.CHAIR, Role.SECRETARY})
NAMED_ROLES = frozenset({Role.CHAIR, Role.SECRETARY, Role.SERVICE_REP})
# Observers read; everybody else takes part.
TAKING_PART_ROLES = frozenset(Role) - {Role.OBSERVER}


class Person(db.Model):
    """Someone who sits at a mesa. Usually an account holder; a producer without an account or
    an email is a record the mesa's secretary keeps, linked to an account later if ever. Such a
    record never receives mail."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    # Only for people without an account (an account has its own phone).
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()

    @property
    def display_name(self) -> str:
        return self.user.name if self.user is not None else self.name

    @property
    def contact_phone(self) -> str | None:
        return self.user.phone if self.user is not None else self.phone


class Membership(db.Model):
    """A person sitting at a mesa in one role, for an organization, from a date until a date.
    Leaving sets the end date; the row stays: who sat at the table is public history."""

    __tablename__ = "memberships"
    __table_args__ = (
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),
        sa.Index(
            "uq_memberships_one_current_per_person",
            "mesa_id",
            "person_id",
            unique=True,
            sqlite_where=sa.text("ended_on IS NULL"),
            postgresql_where=sa.text("ended_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mesa_id: Mapped[int] = mapped_column(sa.ForeignKey("mesas.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "membership_role"))
    # None: the person sits on their own behalf.
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id"), index=True
    )
    actor_type: Mapped[ActorType] = mapped_column(enum_column(ActorType, "actor_type"))
    is_delegate: Mapped[bool] = mapped_column(default=False)
    started_on: Mapped[dt.date] = mapped_column(sa.Date)
    ended_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    end_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    # What the person agreed to show to the other members of this mesa (never to the public).
    share_email: Mapped[bool] = mapped_column(default=False)
    share_phone: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    mesa: Mapped[Mesa] = relationship()
    person: Mapped[Person] = relationship()
    organization: Mapped[Organization | None] = relationship()

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    @property
    def name_is_public(self) -> bool:
        return self.role in NAMED_ROLES


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class JoinRequest(db.Model):
    """A person with an account asks to sit at a mesa for an organization."""

    __tablename__ = "join_requests"
    __table_args__ = (
        sa.Index(
            "uq_join_requests_one_pending",
            "mesa_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mesa_id: Mapped[int] = mapped_column(sa.ForeignKey("mesas.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    message: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[RequestStatus] = mapped_column(
        enum_column(RequestStatus, "request_status"), default=RequestStatus.PENDING
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    membership_id: Mapped[int | None] = mapped_column(sa.ForeignKey("memberships.id"))

    mesa: Mapped[Mesa] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    organization: Mapped[Organization | None] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_pending(self) -> bool:
        return self.status == RequestStatus.PENDING


class Invitation(db.Model):
    """A single-use link sent by email, for the account of that address only: to take a seat
    at the mesa or, when it names a membership kept on record, to join that record to the
    account. Only the SHA-256 of the token is kept."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    mesa_id: Mapped[int] = mapped_column(sa.ForeignKey("mesas.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[Role] = mapped_column(enum_column(Role, "membership_role"))
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Set when the invitation joins a member kept on record to the account of this address.
    membership_id: Mapped[int | None] = mapped_column(sa.ForeignKey("memberships.id"))

    mesa: Mapped[Mesa] = relationship()
    organization: Mapped[Organization | None] = relationship()
    membership: Mapped[Membership | None] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    used_by: Mapped[User | None] = relationship(foreign_keys=[used_by_id])

    @property
    def links_record(self) -> bool:
        return self.membership_id is not None


class MesaStatusChange(db.Model):
    """Every change of a mesa's status, with its date and reason, shown on the public page."""

    __tablename__ = "mesa_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    mesa_id: Mapped[int] = mapped_column(sa.ForeignKey("mesas.id"), index=True)
    previous_status: Mapped[MesaStatus] = mapped_column(
        enum_column(MesaStatus, "previous_mesa_status")
    )
    status: Mapped[MesaStatus] = mapped_column(enum_column(MesaStatus, "mesa_status"))
    since: Mapped[dt.date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.String(500))
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    mesa: Mapped[Mesa] = relationship()
    changed_by: Mapped[User | None] = relationship()
