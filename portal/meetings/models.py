"""Sessions of a mesa and what is recorded in them: the agenda (tabla), who attended, the
minutes (acta) with every revision, attachments, and the agreements (acuerdos).

What happens in the room outlives the people who recorded it: nothing here is deleted. A
cancelled session keeps its reason, a published acta is corrected by a new revision with a
reason, and a withdrawn or replaced agreement stays readable with why."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.core import clock
from portal.core.clock import SANTIAGO
from portal.core.models import UTCDateTime, enum_column, utcnow
from portal.extensions import db
from portal.mesas.models import Membership, Mesa

if TYPE_CHECKING:
    from portal.initiatives.models import Initiative


class Modality(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class MeetingKind(enum.StrEnum):
    ORDINARY = "ordinary"
    EXTRAORDINARY = "extraordinary"
    CONSTITUTIVE = "constitutive"


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class Meeting(db.Model):
    """A session of a mesa, numbered in order per mesa ("Sesión 4")."""

    __tablename__ = "meetings"
    __table_args__ = (
        sa.UniqueConstraint("mesa_id", "number"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("unnamed_attendees >= 0", name="attendees_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mesa_id: Mapped[int] = mapped_column(sa.ForeignKey("mesas.id"), index=True)
    number: Mapped[int]
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    # Indexed: the page cache asks for the next end of a session at every request.
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    online_url: Mapped[str] = mapped_column(sa.String(300), default="")
    modality: Mapped[Modality] = mapped_column(enum_column(Modality, "meeting_modality"))
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind, "meeting_kind"))
    status: Mapped[MeetingStatus] = mapped_column(enum_column(MeetingStatus, "meeting_status"))
    # Why it was cancelled.
    status_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # People from the community who came and were counted, not named.
    unnamed_attendees: Mapped[int] = mapped_column(default=0)
    # When the secretary last sent the agenda to the members.
    agenda_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Calendars see a change of date, place or status through this (iCalendar SEQUENCE).
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    mesa: Mapped[Mesa] = relationship()
    minutes: Mapped[Minutes | None] = relationship(
        back_populates="meeting", foreign_keys="Minutes.meeting_id", uselist=False
    )
    corrections: Mapped[list[RecordCorrection]] = relationship(
        order_by="RecordCorrection.made_at", viewonly=True
    )

    @property
    def is_scheduled(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def record_is_public(self) -> bool:
        """The acta, the agreements and the files of a session are public once its acta is."""
        return self.minutes is not None and self.minutes.is_published

    @property
    def local_start(self) -> dt.datetime:
        return self.starts_at.astimezone(SANTIAGO)

    @property
    def local_end(self) -> dt.datetime:
        return self.ends_at.astimezone(SANTIAGO)

    @property
    def has_started(self) -> bool:
        return self.starts_at <= clock.now()

    @classmethod
    def started(cls) -> sa.ColumnElement[bool]:
        """``has_started`` in SQL."""
        return cls.starts_at <= clock.now()

    @property
    def day(self) -> dt.date:
        """The date of the session where the mesa meets."""
        return self.local_start.date()

    @property
    def is_today(self) -> bool:
        return self.day == clock.today()

    @property
    def may_start_now(self) -> bool:
        """A scheduled session can be started at any time on its day: the hall fills before
        the time on the invitation, and the secretary starts when the people are there."""
        return self.is_scheduled and not self.has_started and self.is_today

    @property
    def may_be_marked_held(self) -> bool:
        return self.is_scheduled and (self.has_started or self.is_today)

    @property
    def record_is_settled(self) -> bool:
        """Its acta is approved (or published): its agreements, commitments and attendance
        change only through a correction with a reason, which the acta shows."""
        return self.minutes is not None and self.minutes.is_settled

    @property
    def takes_records(self) -> bool:
        """Agreements and commitments are recorded once the session has started, unless it
        was cancelled."""
        return not self.is_cancelled and self.has_started


agreement_initiatives = sa.Table(
    "agreement_initiatives",
    db.metadata,
    sa.Column("agreement_id", sa.ForeignKey("agreements.id"), primary_key=True),
    sa.Column("initiative_id", sa.ForeignKey("initiatives.id"), primary_key=True),
)


class AgendaItem(db.Model):
    """One point of the tabla, in the order the secretary gives."""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    # An initiative to review in this point (commitments come with their own issue).
    initiative_id: Mapped[int | None] = mapped_column(sa.ForeignKey("initiatives.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    initiative: Mapped[Initiative | None] = relationship()


class Attendance(db.Model):
    """A member present at a session. The membership keeps the role and organization they
    sat for on that day, even after it ends."""

    __tablename__ = "attendances"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "membership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("memberships.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    membership: Mapped[Membership] = relationship()


class Guest(db.Model):
    """Someone who is not a member and came to a session: a professional, a neighbour."""

    __tablename__ = "meeting_guests"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    organization: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship()


class MinutesStatus(enum.StrEnum):
    DRAFT = "draft"
    CIRCULATED = "circulated"
    APPROVED = "approved"
    PUBLISHED = "published"


class ApprovalMode(enum.StrEnum):
    IN_SESSION = "in_session"
    BY_CHAIR = "by_chair"


class Minutes(db.Model):
    """The acta of a session. Its text is the latest of its revisions."""

    __tablename__ = "minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), unique=True)
    status: Mapped[MinutesStatus] = mapped_column(enum_column(MinutesStatus, "minutes_status"))
    circulated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    circulated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approval_mode: Mapped[ApprovalMode | None] = mapped_column(
        enum_column(ApprovalMode, "minutes_approval_mode")
    )
    approved_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    # The later session where the members approved it.
    approved_in_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id"))
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="minutes", foreign_keys=[meeting_id])
    approved_in: Mapped[Meeting | None] = relationship(foreign_keys=[approved_in_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    circulated_by: Mapped[User | None] = relationship(foreign_keys=[circulated_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    @property
    def is_draft(self) -> bool:
        return self.status == MinutesStatus.DRAFT

    @property
    def is_settled(self) -> bool:
        """Approved by the mesa (and perhaps published): it is corrected only with a reason."""
        return self.status in (MinutesStatus.APPROVED, MinutesStatus.PUBLISHED)

    @property
    def is_published(self) -> bool:
        return self.status == MinutesStatus.PUBLISHED


class RecordCorrection(db.Model):
    """A change to the record of a session after its acta was approved: an agreement or a
    commitment added, an agreement withdrawn or replaced, the attendance changed. The acta
    shows each one with its date and reason."""

    __tablename__ = "record_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    made_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    made_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # What changed, in a sentence written in the language of whoever made it.
    what: Mapped[str] = mapped_column(sa.String(300))
    reason: Mapped[str] = mapped_column(sa.String(500))

    made_by: Mapped[User | None] = relationship()


class MinutesRevision(db.Model):
    """One saved text of an acta: who wrote it, when, and why it changed."""

    __tablename__ = "minutes_revisions"
    __table_args__ = (sa.UniqueConstraint("minutes_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    # Required for a correction of an approved or published acta.
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    # The acta's status when this text was saved: a correction after publication shows it.
    status_then: Mapped[MinutesStatus] = mapped_column(enum_column(MinutesStatus, "minutes_status"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    minutes: Mapped[Minutes] = relationship()
    author: Mapped[User | None] = relationship()


class Attachment(db.Model):
    """A file kept with a session (the signed attendance sheet, a presentation, a photo).
    Stored outside ``static/`` under a random name; served with its checked type only."""

    __tablename__ = "meeting_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    uploaded_by: Mapped[User | None] = relationship()


class DecisionMode(enum.StrEnum):
    CONSENSUS = "consensus"
    VOTE = "vote"
    DEFERRED = "deferred"
    # By closing a prioritization round: the ranking is the decision.
    ROUND = "round"


class AgreementStatus(enum.StrEnum):
    IN_FORCE = "in_force"
    WITHDRAWN = "withdrawn"
    REPLACED = "replaced"


class Agreement(db.Model):
    """An acuerdo taken in a session, numbered per mesa and year ("Acuerdo 3/2025"). The
    commitments public services make hang from agreements."""

    __tablename__ = "agreements"
    __table_args__ = (
        sa.UniqueConstraint("mesa_id", "year", "number"),
        sa.CheckConstraint(
            "(decision_mode = 'vote') = (votes_for IS NOT NULL AND votes_against IS NOT NULL"
            " AND votes_abstaining IS NOT NULL)",
            name="counts_only_for_a_vote",
        ),
        sa.CheckConstraint(
            "votes_for >= 0 AND votes_against >= 0 AND votes_abstaining >= 0",
            name="counts_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mesa_id: Mapped[int] = mapped_column(sa.ForeignKey("mesas.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    year: Mapped[int]
    number: Mapped[int]
    statement: Mapped[str] = mapped_column(sa.Text)
    decision_mode: Mapped[DecisionMode] = mapped_column(
        enum_column(DecisionMode, "agreement_decision_mode")
    )
    votes_for: Mapped[int | None]
    votes_against: Mapped[int | None]
    votes_abstaining: Mapped[int | None]
    # Who disagreed and why, in words.
    dissent: Mapped[str] = mapped_column(sa.Text, default="")
    review_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    status: Mapped[AgreementStatus] = mapped_column(
        enum_column(AgreementStatus, "agreement_status"), default=AgreementStatus.IN_FORCE
    )
    status_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status_changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The agreement that replaced this one.
    replaced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agreements.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    mesa: Mapped[Mesa] = relationship()
    meeting: Mapped[Meeting] = relationship()
    replaced_by: Mapped[Agreement | None] = relationship(remote_side=[id])
    # The initiatives it concerns.
    initiatives: Mapped[list[Initiative]] = relationship(
        secondary=agreement_initiatives, order_by="Initiative.id"
    )

    @property
    def label(self) -> str:
        return f"{self.number}/{self.year}"

    @property
    def in_force(self) -> bool:
        return self.status == AgreementStatus.IN_FORCE
