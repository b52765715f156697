"""People with an account, and the single-use links that let them reset a password."""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import UTCDateTime, utcnow
from portal.extensions import db
from portal.places.models import Comuna


def new_login_id() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # Stored as normalized by email-validator, in lower case; unique.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    comuna_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comunas.id"), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    locale: Mapped[str] = mapped_column(sa.String(5), default="es")
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # What the session cookie holds instead of the id: changing it logs out every session.
    login_id: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_login_id)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When the person opened the link mailed to the address: until then the account cannot
    # sign in, so it is never linked, invited or acting anywhere in someone else's name.
    email_verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Two-factor sign-in (accounts/two_factor.py): the TOTP secret the person's app shares,
    # when it was turned on, and the last time step used, so that a code works only once.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    comuna: Mapped[Comuna | None] = relationship()

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        return self.login_id

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class PasswordResetToken(db.Model):
    """Only the SHA-256 of the token is kept: a copy of the database cannot reset passwords."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class Coordination(db.Model):
    """A person of the regional team (equipo técnico territorial) who runs the territories and
    mesas of one region from the console, from a date until it ends. Named by an admin."""

    __tablename__ = "coordinations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """A single-use code that signs in without the phone, shown once when two-factor sign-in
    is turned on. Only its SHA-256 is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Notice(db.Model):
    """A message shown in the portal (and usually mailed too): "your request was approved".
    Written in the person's language when it is created, like the email."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str] = mapped_column(sa.String(300), default="")
    # The kind of event ("meeting_scheduled"): what the person's mail preferences name.
    kind: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    # A reminder's identity: the same reminder is never given twice.
    key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    # "daily" or "weekly" while the notice waits for the person's digest mail.
    digest: Mapped[str | None] = mapped_column(sa.String(10), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
