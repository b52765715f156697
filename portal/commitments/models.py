"""Commitments (compromisos): what an institution promised a mesa, by when, with what money,
and what happened.

A commitment belongs to the institution, not to the person who signed it: officials change,
the promise stays. Nothing here is deleted or quietly rewritten: a new due date keeps the
earlier ones with their reasons, fulfilment is judged against the original date, and every
change is appended to the audit log (``portal.audit``).

Overdue is never stored: where a commitment stands on a given day is decided in one place,
``portal.commitments.states``.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.core.models import UTCDateTime, enum_column, utcnow
from portal.extensions import db
from portal.meetings.models import Agreement, Meeting
from portal.mesas.models import Mesa, Organization
from portal.places.models import Comuna, Territory

if TYPE_CHECKING:
    from portal.initiatives.models import Initiative


class CommitmentStatus(enum.StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    FULFILLED = "fulfilled"
    PARTLY_FULFILLED = "partly_fulfilled"
    NOT_FULFILLED = "not_fulfilled"
    CANCELLED = "cancelled"


# Still running: updates, new due dates and delivery reports are taken; overdue is possible.
OPEN_STATUSES = frozenset({CommitmentStatus.PENDING, CommitmentStatus.IN_PROGRESS})
# What the mesa's validation can conclude.
OUTCOMES = (
    CommitmentStatus.FULFILLED,
    CommitmentStatus.PARTLY_FULFILLED,
    CommitmentStatus.NOT_FULFILLED,
)


class ObservationStatus(enum.StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    DECLINED = "declined"


class EvidenceKind(enum.StrEnum):
    FILE = "file"
    LINK = "link"


commitment_initiatives = sa.Table(
    "commitment_initiatives",
    db.metadata,
    sa.Column("commitment_id", sa.ForeignKey("commitments.id"), primary_key=True),
    sa.Column("initiative_id", sa.ForeignKey("initiatives.id"), primary_key=True, index=True),
)

commitment_comunas = sa.Table(
    "commitment_comunas",
    db.metadata,
    sa.Column("commitment_id", sa.ForeignKey("commitments.id"), primary_key=True),
    sa.Column("comuna_id", sa.ForeignKey("comunas.id"), primary_key=True, index=True),
)


class Commitment(db.Model):
    """A compromiso recorded in a session, usually as part of one of its agreements."""

    __tablename__ = "commitments"
    __table_args__ = (
        sa.CheckConstraint("amount IS NULL OR amount >= 0", name="amount_not_negative"),
        sa.CheckConstraint(
            "progress IS NULL OR (progress >= 0 AND progress <= 100)", name="progress_percent"
        ),
        # The dashboards count and filter a territory's commitments by these.
        sa.Index("ix_commitments_territory_status_due", "territory_id", "status", "due_on"),
        # An institution's scorecard reads only these columns: the index answers it alone.
        sa.Index(
            "ix_commitments_scorecard",
            "organization_id",
            "is_public",
            "status",
            "territory_id",
            "due_on",
            "original_due_on",
            "done_on",
            "first_update_on",
            "committed_on",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mesa_id: Mapped[int] = mapped_column(sa.ForeignKey("mesas.id"), index=True)
    # The mesa's territory, kept here so that a territory's dashboard reads one table. None
    # for the mesa técnica regional.
    territory_id: Mapped[int | None] = mapped_column(sa.ForeignKey("territories.id"))
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    agreement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agreements.id"), index=True)
    # The institution that committed: the commitment is theirs, whoever signed it.
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    # Who answers for it inside the institution, by office ("Director regional de Vialidad").
    official: Mapped[str] = mapped_column(sa.String(160), default="")
    deliverable: Mapped[str] = mapped_column(sa.Text)
    # Pesos, when money is involved.
    amount: Mapped[int | None] = mapped_column(sa.BigInteger)
    original_due_on: Mapped[dt.date] = mapped_column(sa.Date)
    due_on: Mapped[dt.date] = mapped_column(sa.Date)
    status: Mapped[CommitmentStatus] = mapped_column(
        enum_column(CommitmentStatus, "commitment_status"), default=CommitmentStatus.PENDING
    )
    status_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    # The last percentage an update gave.
    progress: Mapped[int | None]
    # The institution says it delivered on this date; final only once the mesa validates.
    reported_done_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    # Set by the mesa's validation: the date the deliverable was really done.
    done_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    validated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The date of the first progress update (scorecards: how soon an institution reports).
    first_update_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    is_public: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The date it was taken on (its session's date, in Santiago).
    committed_on: Mapped[dt.date] = mapped_column(sa.Date)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    mesa: Mapped[Mesa] = relationship()
    territory: Mapped[Territory | None] = relationship()
    meeting: Mapped[Meeting] = relationship()
    agreement: Mapped[Agreement | None] = relationship()
    organization: Mapped[Organization] = relationship()
    created_by: Mapped[User | None] = relationship()
    initiatives: Mapped[list[Initiative]] = relationship(
        secondary=commitment_initiatives, order_by="Initiative.id"
    )
    comunas: Mapped[list[Comuna]] = relationship(
        secondary=commitment_comunas, order_by="Comuna.name"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="commitment", order_by="Milestone.position"
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_cancelled(self) -> bool:
        return self.status == CommitmentStatus.CANCELLED

    @property
    def was_rescheduled(self) -> bool:
        return self.due_on != self.original_due_on

    @property
    def on_time(self) -> bool | None:
        """For a validated fulfilment: done by the original date (a new date does not count).
        The same rule as SQL: ``fulfilled(on_time=...)``."""
        if self.status != CommitmentStatus.FULFILLED or self.done_on is None:
            return None
        return self.done_on <= self.original_due_on

    @classmethod
    def fulfilled(cls, *, on_time: bool) -> sa.ColumnElement[bool]:
        """The validated fulfilments done by their original date (``on_time``) or after it, as
        SQL: the rule of the ``on_time`` property. One without a date is neither."""
        done = sa.and_(cls.status == CommitmentStatus.FULFILLED, cls.done_on.is_not(None))
        if on_time:
            return sa.and_(done, cls.done_on <= cls.original_due_on)
        return sa.and_(done, cls.done_on > cls.original_due_on)

    @property
    def delay_days(self) -> int | None:
        if self.done_on is None or self.status != CommitmentStatus.FULFILLED:
            return None
        return max(0, (self.done_on - self.original_due_on).days)

    @property
    def delivery_reported(self) -> bool:
        """The institution reported the delivery and the mesa has not validated it yet (a fact;
        what state that makes depends on the day: ``states.of``)."""
        return self.is_open and self.reported_done_on is not None


class Milestone(db.Model):
    """A step with its own date on the way to the deliverable."""

    __tablename__ = "commitment_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitments.id"), index=True)
    position: Mapped[int]
    description: Mapped[str] = mapped_column(sa.String(300))
    due_on: Mapped[dt.date] = mapped_column(sa.Date)
    # Set by the progress update that reports it reached.
    reached_on: Mapped[dt.date | None] = mapped_column(sa.Date)

    commitment: Mapped[Commitment] = relationship(back_populates="milestones")


class DueDateChange(db.Model):
    """A rescheduling (reprogramación): the date before, the new one and why."""

    __tablename__ = "commitment_due_date_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitments.id"), index=True)
    previous_due_on: Mapped[dt.date] = mapped_column(sa.Date)
    new_due_on: Mapped[dt.date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.String(1000))
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    changed_by: Mapped[User | None] = relationship()
    commitment: Mapped[Commitment] = relationship()


class ProgressUpdate(db.Model):
    """An avance reported by the institution's representative or the mesa's secretary."""

    __tablename__ = "commitment_updates"
    __table_args__ = (
        sa.CheckConstraint(
            "percent IS NULL OR (percent >= 0 AND percent <= 100)", name="percent_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitments.id"), index=True)
    reported_on: Mapped[dt.date] = mapped_column(sa.Date)
    text: Mapped[str] = mapped_column(sa.Text)
    percent: Mapped[int | None]
    # The institution reports the deliverable done on this date (the mesa then validates).
    done_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    milestone_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commitment_milestones.id"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()
    milestone: Mapped[Milestone | None] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(order_by="Evidence.id")


class Evidence(db.Model):
    """A file (checked like a session's files) or a link that backs an update."""

    __tablename__ = "commitment_evidence"
    __table_args__ = (
        sa.CheckConstraint(
            "(kind = 'file' AND storage_key IS NOT NULL) OR (kind = 'link' AND url IS NOT NULL)",
            name="file_or_link",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(sa.ForeignKey("commitment_updates.id"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind, "evidence_kind"))
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    url: Mapped[str | None] = mapped_column(sa.String(500))
    filename: Mapped[str | None] = mapped_column(sa.String(200))
    content_type: Mapped[str | None] = mapped_column(sa.String(100))
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    storage_key: Mapped[str | None] = mapped_column(sa.String(80), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    update: Mapped[ProgressUpdate] = relationship(back_populates="evidence")


class Validation(db.Model):
    """The mesa's word on a commitment: fulfilled, partly fulfilled or not fulfilled, recorded
    by its chair or secretary with the session or agreement where it was decided."""

    __tablename__ = "commitment_validations"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitments.id"), unique=True)
    outcome: Mapped[CommitmentStatus] = mapped_column(
        enum_column(CommitmentStatus, "commitment_status")
    )
    # When the deliverable was really done (fulfilled or partly).
    done_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id"))
    agreement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agreements.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    validated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    validated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting | None] = relationship()
    agreement: Mapped[Agreement | None] = relationship()
    validated_by: Mapped[User | None] = relationship()


class Observation(db.Model):
    """What a member or a citizen sees on the ground. Shown once the secretary publishes it;
    a declined one keeps its reason (shown to its author, never its text to the public)."""

    __tablename__ = "commitment_observations"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitments.id"), index=True)
    # A citizen without an account signs with a name or none at all.
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    author_name: Mapped[str] = mapped_column(sa.String(120), default="")
    # Left by an author without an account to hear the answer; never shown.
    author_email: Mapped[str | None] = mapped_column(sa.String(254))
    text: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ObservationStatus] = mapped_column(
        enum_column(ObservationStatus, "observation_status"), default=ObservationStatus.PENDING
    )
    decline_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    # The institution's public answer, by its representative at the mesa; once given it stays.
    answer: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    moderated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    moderated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    commitment: Mapped[Commitment] = relationship()

    @property
    def is_pending(self) -> bool:
        return self.status == ObservationStatus.PENDING

    @property
    def is_published(self) -> bool:
        return self.status == ObservationStatus.PUBLISHED

    @property
    def is_declined(self) -> bool:
        return self.status == ObservationStatus.DECLINED
