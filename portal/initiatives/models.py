"""Initiatives: what the mesas temáticas propose, with everything the plan and the investment
system ask of them, and every change of status with who, when and why."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.core.models import UTCDateTime, enum_column, utcnow
from portal.extensions import db
from portal.mesas.models import Mesa, Organization
from portal.places.models import Comuna, Territory
from portal.reference.models import GapDimension, StrategicObjective

SUMMARY_MAX = 280


class InitiativeKind(enum.StrEnum):
    ACTION = "action"  # acción
    MANAGEMENT = "management"  # gestión
    INVESTMENT = "investment"  # inversión


class Ownership(enum.StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"
    MIXED = "mixed"


class BeneficiaryUnit(enum.StrEnum):
    FAMILIES = "families"
    PERSONS = "persons"
    ORGANIZATIONS = "organizations"


class EvaluationMethod(enum.StrEnum):
    COST_EFFICIENCY = "cost_efficiency"
    COST_BENEFIT = "cost_benefit"


class EvaluationResult(enum.StrEnum):
    """The social investment system's recommendation."""

    PENDING = "pending"
    RS = "RS"  # recomendado favorablemente
    FI = "FI"  # falta información
    OT = "OT"  # objetado técnicamente
    IN = "IN"  # incumplimiento de normativa


class Stage(enum.StrEnum):
    IDEA = "idea"
    PROFILE = "profile"  # perfil
    DESIGN = "design"  # diseño
    EXECUTION = "execution"
    FINISHED = "finished"


class Status(enum.StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    IN_DELIBERATION = "in_deliberation"
    PRIORITIZED = "prioritized"  # by its mesa temática
    PRESENTED = "presented"  # to the mesa territorial
    IN_PORTFOLIO = "in_portfolio"
    APPROVED = "approved"
    IN_EXECUTION = "in_execution"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    DISCARDED = "discarded"


# The way forward, one step at a time; withdrawn and discarded can end any step before the end.
PATH = (
    Status.DRAFT,
    Status.PROPOSED,
    Status.IN_DELIBERATION,
    Status.PRIORITIZED,
    Status.PRESENTED,
    Status.IN_PORTFOLIO,
    Status.APPROVED,
    Status.IN_EXECUTION,
    Status.COMPLETED,
)
ENDED = frozenset({Status.COMPLETED, Status.WITHDRAWN, Status.DISCARDED})


class FundingSource(enum.StrEnum):
    FNDR = "fndr"
    SECTORAL = "sectoral"
    CONVERGENCE = "convergence"  # Provisión / Fondo de Convergencia
    MUNICIPAL = "municipal"
    PRIVATE = "private"
    COMMUNITY = "community"


initiative_gaps = sa.Table(
    "initiative_gaps",
    db.metadata,
    sa.Column("initiative_id", sa.ForeignKey("initiatives.id"), primary_key=True),
    sa.Column("gap_dimension_id", sa.ForeignKey("gap_dimensions.id"), primary_key=True),
)
initiative_comunas = sa.Table(
    "initiative_comunas",
    db.metadata,
    sa.Column("initiative_id", sa.ForeignKey("initiatives.id"), primary_key=True),
    sa.Column("comuna_id", sa.ForeignKey("comunas.id"), primary_key=True),
)


class Initiative(db.Model):
    __tablename__ = "initiatives"
    __table_args__ = (
        sa.CheckConstraint("estimated_cost IS NULL OR estimated_cost >= 0", name="cost_positive"),
        sa.CheckConstraint("beneficiaries IS NULL OR beneficiaries >= 0", name="beneficiaries"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mesa_id: Mapped[int] = mapped_column(sa.ForeignKey("mesas.id"), index=True)
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(SUMMARY_MAX))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[InitiativeKind] = mapped_column(enum_column(InitiativeKind, "initiative_kind"))
    ownership: Mapped[Ownership] = mapped_column(enum_column(Ownership, "initiative_ownership"))
    objective_id: Mapped[int | None] = mapped_column(sa.ForeignKey("strategic_objectives.id"))
    localities: Mapped[str] = mapped_column(sa.String(300), default="")
    beneficiaries: Mapped[int | None]
    beneficiary_unit: Mapped[BeneficiaryUnit | None] = mapped_column(
        enum_column(BeneficiaryUnit, "beneficiary_unit")
    )
    # Whole pesos.
    estimated_cost: Mapped[int | None] = mapped_column(sa.BigInteger)
    responsible_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    bip_code: Mapped[str] = mapped_column(sa.String(20), default="")
    evaluation_method: Mapped[EvaluationMethod | None] = mapped_column(
        enum_column(EvaluationMethod, "evaluation_method")
    )
    evaluation_result: Mapped[EvaluationResult] = mapped_column(
        enum_column(EvaluationResult, "evaluation_result"), default=EvaluationResult.PENDING
    )
    stage: Mapped[Stage] = mapped_column(enum_column(Stage, "initiative_stage"))
    status: Mapped[Status] = mapped_column(
        enum_column(Status, "initiative_status"), default=Status.DRAFT, index=True
    )
    proposer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    proposing_organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    mesa: Mapped[Mesa] = relationship()
    territory: Mapped[Territory] = relationship()
    objective: Mapped[StrategicObjective | None] = relationship()
    responsible: Mapped[Organization | None] = relationship(foreign_keys=[responsible_id])
    proposer: Mapped[User | None] = relationship()
    proposing_organization: Mapped[Organization | None] = relationship(
        foreign_keys=[proposing_organization_id]
    )
    gaps: Mapped[list[GapDimension]] = relationship(
        secondary=initiative_gaps, order_by=GapDimension.position
    )
    comunas: Mapped[list[Comuna]] = relationship(secondary=initiative_comunas, order_by=Comuna.name)
    funding: Mapped[list[FundingLine]] = relationship(
        back_populates="initiative", cascade="all, delete-orphan", order_by="FundingLine.id"
    )

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def is_public(self) -> bool:
        return not self.is_draft

    @property
    def has_ended(self) -> bool:
        return self.status in ENDED

    @property
    def planned_funding(self) -> int:
        return sum(line.amount for line in self.funding)


class FundingLine(db.Model):
    """Planned money from one source, in whole pesos."""

    __tablename__ = "initiative_funding"
    __table_args__ = (
        sa.UniqueConstraint("initiative_id", "source"),
        sa.CheckConstraint("amount >= 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiatives.id"), index=True)
    source: Mapped[FundingSource] = mapped_column(enum_column(FundingSource, "funding_source"))
    # For sectoral money: which ministry or service.
    ministry: Mapped[str] = mapped_column(sa.String(120), default="")
    amount: Mapped[int] = mapped_column(sa.BigInteger)

    initiative: Mapped[Initiative] = relationship(back_populates="funding")


class StatusChange(db.Model):
    """One step of an initiative's timeline: who moved it, when, and why."""

    __tablename__ = "initiative_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiatives.id"), index=True)
    previous_status: Mapped[Status | None] = mapped_column(
        enum_column(Status, "previous_initiative_status")
    )
    status: Mapped[Status] = mapped_column(enum_column(Status, "initiative_status"))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    initiative: Mapped[Initiative] = relationship()
    changed_by: Mapped[User | None] = relationship()


class Revision(db.Model):
    """A change to an initiative after its draft: who, when, what (each field before and
    after, as JSON) and why. The public timeline shows it beside the changes of status."""

    __tablename__ = "initiative_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiatives.id"), index=True)
    made_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # [[field, before, after], ...]: see ``services.snapshot`` for how each field is written.
    changes: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.String(500), default="")

    initiative: Mapped[Initiative] = relationship()
    made_by: Mapped[User | None] = relationship()


class Stance(enum.StrEnum):
    FOR = "for"
    AGAINST = "against"
    QUESTION = "question"


class Comment(db.Model):
    """A member's word on an initiative, with a stance; or the proposer's answer to one.
    A comment the secretary hides stays stored; everyone sees that it was hidden and why."""

    __tablename__ = "initiative_comments"
    __table_args__ = (
        sa.CheckConstraint(
            "(parent_id IS NULL) = (stance IS NOT NULL)", name="stance_unless_answer"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiatives.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # None for an answer.
    stance: Mapped[Stance | None] = mapped_column(enum_column(Stance, "comment_stance"))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("initiative_comments.id"), index=True
    )
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    hidden_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    hidden_reason: Mapped[str] = mapped_column(sa.String(500), default="")

    initiative: Mapped[Initiative] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Support(db.Model):
    """A member backs an initiative. One per person; taking it back removes it."""

    __tablename__ = "initiative_supports"
    __table_args__ = (sa.UniqueConstraint("initiative_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiatives.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
