"""Following a territory, mesa, initiative or commitment: with an account (at once), or with an
address that confirms it wants the mail (a signed link, valid for a week). Every mail to an
address carries the link that stops it, without signing in."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from portal.accounts.models import User
from portal.core import clock
from portal.core.links import external_url
from portal.core.refusals import Refused
from portal.extensions import db
from portal.notifications.models import Follow, Target

CONFIRM_DAYS = 7

TARGET_LABELS = {
    Target.TERRITORY: _l("territory"),
    Target.MESA: _l("mesa"),
    Target.INITIATIVE: _l("initiative"),
    Target.COMMITMENT: _l("commitment"),
}


def following(user: User | None, target: Target, target_id: int) -> Follow | None:
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(
        sa.select(Follow).where(
            Follow.target == target,
            Follow.target_id == target_id,
            Follow.user_id == user.id,
            Follow.ended_at.is_(None),
        )
    )


def follow(user: User, target: Target, target_id: int) -> Follow:
    """The person follows it (again, if they had stopped)."""
    found = db.session.scalar(
        sa.select(Follow).where(
            Follow.target == target, Follow.target_id == target_id, Follow.user_id == user.id
        )
    )
    if found is None:
        found = Follow(target=target, target_id=target_id, user=user, confirmed_at=clock.now())
        db.session.add(found)
    found.ended_at = None
    db.session.flush()
    return found


def ask_by_mail(email: str, target: Target, target_id: int) -> Follow:
    """An address asks to follow: a follow waiting for confirmation (the caller mails the
    link). Asking again for an address that already follows changes nothing."""
    found = db.session.scalar(
        sa.select(Follow).where(
            Follow.target == target, Follow.target_id == target_id, Follow.email == email
        )
    )
    if found is None:
        found = Follow(target=target, target_id=target_id, email=email)
        db.session.add(found)
        db.session.flush()
    return found


def stop(found: Follow) -> None:
    if found.ended_at is None:
        found.ended_at = clock.now()


def followers(targets: list[tuple[Target, int]]) -> list[Follow]:
    """Confirmed, current follows of any of ``targets``, with their accounts: one query."""
    if not targets:
        return []
    matches = [sa.and_(Follow.target == t, Follow.target_id == i) for t, i in targets]
    return list(
        db.session.scalars(
            sa.select(Follow)
            .where(sa.or_(*matches), Follow.ended_at.is_(None), Follow.confirmed_at.is_not(None))
            .options(sa.orm.joinedload(Follow.user))
            .order_by(Follow.id)
        )
    )


# Signed links ----------------------------------------------------------------------------------


def _confirmer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="portal.follow-confirm")


def _stopper() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="portal.follow-stop")


def confirm_url(found: Follow) -> str:
    token = _confirmer().dumps({"f": found.id, "e": found.email})
    return external_url("notifications.confirm_follow", token=token)


def stop_url(found: Follow) -> str:
    return external_url("notifications.stop_following", token=_stopper().dumps(found.id))


def confirm(token: str, now: dt.datetime | None = None) -> Follow:
    now = now or clock.now()
    try:
        data, signed_at = _confirmer().loads(token, return_timestamp=True)
    except BadSignature:
        data, signed_at = None, now
    found = db.session.get(Follow, data.get("f")) if isinstance(data, dict) else None
    if found is None or found.email != data.get("e"):
        raise Refused(_l("This link is not valid. Check that you copied all of it."), status=404)
    if now - signed_at > dt.timedelta(days=CONFIRM_DAYS):
        raise Refused(_l("This link expired. Ask to follow again from the page."), status=410)
    if found.confirmed_at is None:
        found.confirmed_at = now
    found.ended_at = None
    return found


def read_stop(token: str) -> Follow | None:
    try:
        follow_id = _stopper().loads(token)
    except BadSignature:
        return None
    return db.session.get(Follow, follow_id) if isinstance(follow_id, int) else None
