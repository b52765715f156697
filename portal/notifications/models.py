"""The outbox, each person's mail preferences, and follows."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.core.models import UTCDateTime, enum_column, utcnow
from portal.extensions import db


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"
    # An event for another system (``portal.webhooks``): ``to`` is its address, ``text`` the
    # JSON body, ``message_id`` the event's id (the idempotency key).
    WEBHOOK = "webhook"


WAITING = sa.text("sent_at IS NULL AND failed_at IS NULL")


class OutboxMessage(db.Model):
    """One message to one address, written in the same transaction as the change that causes
    it and sent later by ``portal worker``. Its text is final when it is written: in the
    recipient's language, with the facts as they were."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.Index(
            "ix_outbox_waiting",
            "available_at",
            postgresql_where=WAITING,
            sqlite_where=WAITING,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "outbox_channel"))
    # The kind of event ("meeting_scheduled"): what preferences and unsubscribe links name.
    kind: Mapped[str] = mapped_column(sa.String(40))
    to: Mapped[str] = mapped_column(sa.String(254))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    subscriber_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("webhook_subscribers.id"), index=True
    )
    subject: Mapped[str] = mapped_column(sa.String(300))
    text: Mapped[str] = mapped_column(sa.Text)
    html: Mapped[str | None] = mapped_column(sa.Text)
    # At most one attachment (a session's .ics): its file name, type and text.
    attachment_name: Mapped[str | None] = mapped_column(sa.String(120))
    attachment_type: Mapped[str | None] = mapped_column(sa.String(120))
    attachment: Mapped[str | None] = mapped_column(sa.Text)
    unsubscribe_url: Mapped[str | None] = mapped_column(sa.String(500))
    message_id: Mapped[str] = mapped_column(sa.String(250))
    # A reminder's identity ("due-14:commitment:8:rosa@…"): the same key is never queued twice.
    key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    available_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    # A worker's claim: rows it is sending, until this time; then any worker may take them.
    claimed_by: Mapped[str | None] = mapped_column(sa.String(64))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()


class Cadence(enum.StrEnum):
    NOW = "now"
    DAILY = "daily"
    WEEKLY = "weekly"
    NEVER = "never"


class Preference(db.Model):
    """How a person wants one kind of notice mailed. No row: at once."""

    __tablename__ = "notice_preferences"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    cadence: Mapped[Cadence] = mapped_column(enum_column(Cadence, "notice_cadence"))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Target(enum.StrEnum):
    TERRITORY = "territory"
    MESA = "mesa"
    INITIATIVE = "initiative"
    COMMITMENT = "commitment"


class Follow(db.Model):
    """Someone who asked to hear about a territory, mesa, initiative or commitment: a person
    with an account, or an address that confirmed it wants to (``confirmed_at``)."""

    __tablename__ = "follows"

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[Target] = mapped_column(enum_column(Target, "follow_target"))
    target_id: Mapped[int]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.Index("ix_follows_target", "target", "target_id"),
        sa.UniqueConstraint("target", "target_id", "user_id"),
        sa.UniqueConstraint("target", "target_id", "email"),
    )

    @property
    def address(self) -> str:
        return self.user.email if self.user else (self.email or "")
