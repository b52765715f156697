"""Tokens for the write API, and the log of what each write did (in the change log, with the
token's name)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.core.models import UTCDateTime, utcnow
from portal.extensions import db
from portal.places.models import Territory


class ApiToken(db.Model):
    """A key another system writes with, for one territory and some kinds of writes. Only its
    SHA-256 is kept: the token itself is shown once, when the admin creates it."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"), index=True)
    # What it may write, separated by spaces (``tokens.SCOPES``).
    scopes: Mapped[str] = mapped_column(sa.String(200))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The token's last four characters, to tell tokens apart.
    hint: Mapped[str] = mapped_column(sa.String(4))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    territory: Mapped[Territory] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ApiWrite(db.Model):
    """One write through the API: which token (and its name then), what, to which row. Its
    table is in the change log, so each write's entry there carries the token's name."""

    __tablename__ = "api_writes"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(sa.ForeignKey("api_tokens.id"), index=True)
    token_name: Mapped[str] = mapped_column(sa.String(120))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # plan.import, measurement.record, execution.report
    action: Mapped[str] = mapped_column(sa.String(40))
    subject: Mapped[str] = mapped_column(sa.String(60))
    subject_id: Mapped[int]
    # What it set, as canonical JSON.
    details: Mapped[str] = mapped_column(sa.Text, default="{}")
