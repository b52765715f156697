"""The rules of accounts. No request object in here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.accounts.models import PasswordResetToken, User, new_login_id
from portal.accounts.passwords import hash_password, needs_rehash, verify_password
from portal.core import clock, mail
from portal.core.refusals import INVALID, Refused
from portal.core.tokens import new_token, token_hash
from portal.extensions import db

TAKEN = _l(
    "There is already an account with this email. Log in, or ask for a new password if you "
    "forgot it."
)


class EmailTaken(Refused):
    """Another account already uses this email."""

    def __init__(self, email: str) -> None:
        super().__init__(TAKEN, INVALID)
        self.email = email


@dataclass
class NewAccount:
    name: str
    email: str
    password: str
    comuna_id: int | None
    phone: str | None = None
    locale: str = "es"
    is_admin: bool = False


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def create_user(data: NewAccount) -> User:
    """Adds the account to the session (the caller commits: one transaction per action)."""
    email = normalize_email(data.email)
    if find_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(
        name=data.name.strip(),
        email=email,
        password_hash=hash_password(data.password),
        comuna_id=data.comuna_id,
        phone=data.phone or None,
        locale=data.locale,
        is_admin=data.is_admin,
        password_changed_at=clock.now(),
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account with this email and password, or None; same cost either way."""
    user = find_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if user is None or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = clock.now()
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = clock.now()
    user.login_id = new_login_id()  # every other session of this account ends


def issue_reset_token(user: User, now: dt.datetime | None = None) -> str:
    now = now or clock.now()
    token = new_token()
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    db.session.add(
        PasswordResetToken(
            user=user,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + dt.timedelta(minutes=minutes),
        )
    )
    return token


def send_reset_mail(user: User, link: str) -> None:
    with force_locale("es_CL" if user.locale == "es" else user.locale):
        subject = _("Change your password on the mesa portal")
        text = render_template(
            "accounts/email/reset_password.txt",
            user=user,
            link=link,
            minutes=current_app.config["PASSWORD_RESET_MINUTES"],
        )
    mail.send(user.email, subject, text)


def valid_reset_token(token: str, now: dt.datetime | None = None) -> PasswordResetToken | None:
    """The unused, unexpired token record, or None."""
    now = now or clock.now()
    record = db.session.scalar(
        sa.select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(token))
    )
    if record is None or record.used_at is not None or record.expires_at <= now:
        return None
    if not record.user.active:
        return None
    return record


def reset_password(record: PasswordResetToken, password: str) -> User:
    """Sets the new password and spends every pending link of the account."""
    now = clock.now()
    user = record.user
    set_password(user, password)
    db.session.execute(
        sa.update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    return user
