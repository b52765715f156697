"""The rules of accounts. No request object in here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.accounts.models import PasswordResetToken, User, new_login_id
from portal.accounts.passwords import hash_password, needs_rehash, verify_password
from portal.core import clock
from portal.core.refusals import INVALID, Refused
from portal.core.tokens import new_token, token_hash
from portal.extensions import db
from portal.notifications import outbox
from portal.notifications.outbox import locale_of

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
    # True only where whoever creates the account already knows the address is theirs (the
    # server's operator with `create-admin`, the demo); a person who signs up confirms it.
    verified: bool = False


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
        email_verified_at=clock.now() if data.verified else None,
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


def end_sessions(user: User) -> None:
    """Every session of the account ends, on every device, copied cookies and remembered
    sign-ins included: they all carry the login id, which changes."""
    user.login_id = new_login_id()


def set_password(user: User, password: str) -> None:
    """The new password; every session ends and every reset link still pending is spent."""
    now = clock.now()
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    end_sessions(user)
    db.session.execute(
        sa.update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )


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


def mail_to(user: User, subject: str, template: str, **context: object) -> None:
    """A message to the person, in their own language: ``subject`` a lazy string, ``template``
    a text template under ``accounts/email/``."""
    with force_locale(locale_of(user)):
        text = render_template(f"accounts/email/{template}.txt", user=user, **context)
        outbox.enqueue(user.email, str(subject), text, kind=template, user=user)


def send_reset_mail(user: User, link: str) -> None:
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    mail_to(
        user,
        _l("Change your password on the mesa portal"),
        "reset_password",
        link=link,
        minutes=minutes,
    )


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
    """Sets the new password (which spends every pending link of the account). Opening the
    mailed link also proves the address is the person's."""
    user = record.user
    set_password(user, password)
    if user.email_verified_at is None:
        user.email_verified_at = clock.now()
    return user


# Confirming the address ----------------------------------------------------------------------

VERIFY_DAYS = 7


def _verifier() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="portal.confirm-address")


def verification_token(user: User) -> str:
    """A signed token naming the account and the address it confirms (nothing is stored)."""
    return _verifier().dumps({"u": user.id, "e": user.email})


def confirm_address(token: str, now: dt.datetime | None = None) -> User | None:
    """The account whose address the token confirms, now marked confirmed; None when the
    token is not one of ours, is older than VERIFY_DAYS, or the address has changed."""
    now = now or clock.now()
    try:
        data, signed_at = _verifier().loads(token, return_timestamp=True)
    except BadSignature:
        return None
    if not isinstance(data, dict) or now - signed_at > dt.timedelta(days=VERIFY_DAYS):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or user.email != data.get("e") or not user.active:
        return None
    if user.email_verified_at is None:
        user.email_verified_at = now
    return user


def send_confirmation_mail(user: User, link: str) -> None:
    mail_to(
        user,
        _l("Confirm your address on the mesa portal"),
        "confirm_address",
        link=link,
        days=VERIFY_DAYS,
    )


def send_address_in_use_mail(user: User, login_link: str, reset_link: str) -> None:
    """Someone signed up with an address that already has an account: its owner is told,
    and the person signing up reads the same answer as for a new address."""
    mail_to(
        user,
        _l("Someone tried to open an account with your address"),
        "address_in_use",
        login_link=login_link,
        reset_link=reset_link,
    )
