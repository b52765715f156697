"""Subscribers to the portal's events, and the log of every delivery attempt."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.core.models import UTCDateTime, utcnow
from portal.extensions import db


class Subscriber(db.Model):
    """A system that receives events: where, which events, and the secret that signs them
    (kept to sign; shown to the admin once, when the subscriber is registered)."""

    __tablename__ = "webhook_subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    url: Mapped[str] = mapped_column(sa.String(254))
    # The event types it receives, separated by spaces.
    events: Mapped[str] = mapped_column(sa.String(500))
    secret: Mapped[str] = mapped_column(sa.String(80))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    created_by: Mapped[User | None] = relationship()

    @property
    def event_types(self) -> list[str]:
        return self.events.split()


class Delivery(db.Model):
    """One attempt to deliver one event to one subscriber, and what its server answered."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("outbox.id"), index=True)
    subscriber_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_subscribers.id"), index=True)
    attempt: Mapped[int]
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The HTTP status the receiver answered, or None when it could not be reached.
    status: Mapped[int | None]
    error: Mapped[str] = mapped_column(sa.String(500), default="")
    milliseconds: Mapped[int]
