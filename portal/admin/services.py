"""What the console does that is not a territory's or a mesa's own rule: the log of every action,
and the people (accounts are deactivated, never deleted). No request object in here; the
caller commits, and the log's row goes in the same transaction as the change."""

from __future__ import annotations

import json
import secrets
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.accounts import services as accounts
from portal.accounts import two_factor
from portal.accounts.models import User
from portal.admin.models import AdminAction
from portal.core.refusals import Refused
from portal.extensions import db


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def log(action: str, subject: Any, reason: str, by: User | None, **details: Any) -> AdminAction:
    """One line of the console's log, in the change log: who (``by``; nobody for the server's
    command line), what, to which row, why, and the values it set."""
    db.session.flush()  # the subject's id
    entry = AdminAction(
        actor_id=by.id if by is not None else None,
        action=action,
        subject=subject.__tablename__,
        subject_id=subject.id,
        reason=reason,
        details=json.dumps(
            {k: _plain(v) for k, v in details.items()}, sort_keys=True, ensure_ascii=False
        ),
    )
    db.session.add(entry)
    return entry


# People ---------------------------------------------------------------------------------------


def _active_admins() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.is_admin.is_(True), User.active.is_(True))
    )


def _not_oneself(user: User, by: User) -> None:
    if user.id == by.id:
        raise Refused(_l("Nobody changes their own account from the console."), status=403)


def deactivate(user: User, by: User) -> None:
    """The account can no longer sign in and every session ends; its history stays."""
    _not_oneself(user, by)
    if not user.active:
        raise Refused(_l("The account is already deactivated."))
    if user.is_admin and _active_admins() <= 1:
        raise Refused(_l("The portal needs at least one active administrator."))
    user.active = False
    accounts.end_sessions(user)


def reactivate(user: User, by: User) -> None:
    _not_oneself(user, by)
    if user.active:
        raise Refused(_l("The account is already active."))
    user.active = True


def force_reset(user: User, by: User) -> str:
    """The password no longer works and every session ends; returns a reset link's token for
    the mail to the account's address."""
    _not_oneself(user, by)
    if not user.active:
        raise Refused(_l("Reactivate the account first."))
    accounts.set_password(user, secrets.token_urlsafe(32))
    return accounts.issue_reset_token(user)


def set_admin(user: User, is_admin: bool, by: User) -> None:
    _not_oneself(user, by)
    if user.is_admin == is_admin:
        raise Refused(
            _l("The account is already an administrator.")
            if is_admin
            else _l("The account is not an administrator.")
        )
    if not is_admin and user.active and _active_admins() <= 1:
        raise Refused(_l("The portal needs at least one active administrator."))
    user.is_admin = is_admin
    accounts.end_sessions(user)  # the next sign-in meets its new powers, and two steps


def turn_off_two_factor(user: User, by: User) -> None:
    """For a person who lost the phone and the recovery codes; they turn it on again."""
    _not_oneself(user, by)
    if not user.has_two_factor:
        raise Refused(_l("Two-step sign-in is already off for this account."))
    two_factor.disable(user)
    accounts.end_sessions(user)
