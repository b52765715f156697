"""Who coordinates which region: read once per request, for the permission policy and for
two-step sign-in, which coordinators must use."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g, has_request_context
from flask_babel import lazy_gettext as _l

from portal.accounts.models import Coordination, User
from portal.core import clock
from portal.core.refusals import Refused
from portal.extensions import db


def regions_of(user: User | None) -> frozenset[int]:
    """The ids of the regions the person coordinates now (one query, kept for the request)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cache = g.setdefault("_coordinated", {}) if has_request_context() else {}
    if user.id not in cache:
        cache[user.id] = frozenset(
            db.session.scalars(
                sa.select(Coordination.region_id).where(
                    Coordination.user_id == user.id, Coordination.ended_at.is_(None)
                )
            )
        )
    return cache[user.id]


def current(user: User) -> list[Coordination]:
    return list(
        db.session.scalars(
            sa.select(Coordination)
            .where(Coordination.user_id == user.id, Coordination.ended_at.is_(None))
            .order_by(Coordination.id)
        )
    )


def start(user: User, region_id: int) -> Coordination:
    if region_id in regions_of(user):
        raise Refused(_l("The person already coordinates that region."))
    coordination = Coordination(user_id=user.id, region_id=region_id)
    db.session.add(coordination)
    _forget(user)
    return coordination


def end(coordination: Coordination) -> None:
    coordination.ended_at = clock.now()
    _forget(coordination.user)


def _forget(user: User) -> None:
    if has_request_context():
        g.setdefault("_coordinated", {}).pop(user.id, None)
