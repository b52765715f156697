"""What the console did: one row per action, in the change log (portal/audit), with who, when
and why, and what changed."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.core.models import UTCDateTime, utcnow
from portal.extensions import db


class AdminAction(db.Model):
    __tablename__ = "admin_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # What was done, in the console's words: territory.create, person.deactivate…
    action: Mapped[str] = mapped_column(sa.String(60))
    # The table and row it was done to.
    subject: Mapped[str] = mapped_column(sa.String(60))
    subject_id: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(sa.String(500))
    # What changed, as canonical JSON ({"field": [before, after]} or the values set).
    details: Mapped[str] = mapped_column(sa.Text, default="{}")

    actor: Mapped[User | None] = relationship()
