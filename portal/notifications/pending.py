"""Each person's own list (``/pendientes``): what waits for them, by the roles they hold now.

Every section is one query over the mesas where the person sits (their seats are read once
per request by ``permissions``), so the page's query count does not grow with the data; the
header's count is one more query that counts every section at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from portal import permissions
from portal.accounts.models import User
from portal.commitments.models import (
    OPEN_STATUSES,
    Commitment,
    Observation,
    ObservationStatus,
)
from portal.core import clock
from portal.extensions import db
from portal.meetings.models import Agreement, AgreementStatus, Meeting, Minutes, MinutesStatus
from portal.mesas.models import MANAGING_ROLES, TAKING_PART_ROLES, JoinRequest, RequestStatus
from portal.rounds.models import Ballot, Round, takes_ballots

# How many lines of a section the page shows; the count says how many there are in all.
SHOWN = 50


@dataclass(frozen=True)
class Section:
    key: str
    title: Any  # a lazy string
    hint: Any
    query: Callable[[User], sa.Select | None]
    # What each line shows besides itself, loaded with the lines (a constant number of queries).
    load: tuple = ()


def _mesas_with(user: User, roles: frozenset) -> list[int]:
    return sorted(m for m, held in permissions.current_roles(user).items() if held & roles)


def _managed(user: User) -> list[int]:
    return _mesas_with(user, MANAGING_ROLES)


def _reports(user: User) -> sa.Select | None:
    """Open commitments of the institutions the person sits for, overdue first."""
    pairs = [(m, o) for m, orgs in permissions.represented(user).items() for o in orgs]
    if not pairs:
        return None
    return (
        sa.select(Commitment)
        .where(
            sa.tuple_(Commitment.mesa_id, Commitment.organization_id).in_(pairs),
            Commitment.status.in_(OPEN_STATUSES),
            Commitment.reported_done_on.is_(None),
        )
        .order_by(Commitment.due_on, Commitment.id)
    )


def _deliveries(user: User) -> sa.Select | None:
    mesas = _managed(user)
    if not mesas:
        return None
    return (
        sa.select(Commitment)
        .where(
            Commitment.mesa_id.in_(mesas),
            Commitment.status.in_(OPEN_STATUSES),
            Commitment.reported_done_on.is_not(None),
        )
        .order_by(Commitment.reported_done_on, Commitment.id)
    )


def _observations(user: User) -> sa.Select | None:
    mesas = _managed(user)
    if not mesas:
        return None
    return (
        sa.select(Observation)
        .join(Commitment, Commitment.id == Observation.commitment_id)
        .where(Commitment.mesa_id.in_(mesas), Observation.status == ObservationStatus.PENDING)
        .order_by(Observation.created_at, Observation.id)
    )


def _actas(user: User) -> sa.Select | None:
    """Actas sent for review: the managers record their approval, the members read them."""
    mesas = _mesas_with(user, TAKING_PART_ROLES)
    if not mesas:
        return None
    return (
        sa.select(Meeting)
        .join(Minutes, Minutes.meeting_id == Meeting.id)
        .where(Meeting.mesa_id.in_(mesas), Minutes.status == MinutesStatus.CIRCULATED)
        .order_by(Meeting.starts_at, Meeting.id)
    )


def _rounds(user: User) -> sa.Select | None:
    mesas = _mesas_with(user, TAKING_PART_ROLES)
    if not mesas:
        return None
    voted = sa.select(Ballot.id).where(Ballot.round_id == Round.id, Ballot.user_id == user.id)
    return (
        sa.select(Round)
        .where(
            Round.mesa_id.in_(mesas),
            takes_ballots(),
            ~voted.exists(),
        )
        .order_by(Round.created_at, Round.id)
    )


def _requests(user: User) -> sa.Select | None:
    mesas = _managed(user)
    if not mesas:
        return None
    return (
        sa.select(JoinRequest)
        .where(JoinRequest.mesa_id.in_(mesas), JoinRequest.status == RequestStatus.PENDING)
        .order_by(JoinRequest.created_at, JoinRequest.id)
    )


def _reviews(user: User) -> sa.Select | None:
    mesas = _mesas_with(user, TAKING_PART_ROLES)
    if not mesas:
        return None
    return (
        sa.select(Agreement)
        .where(
            Agreement.mesa_id.in_(mesas),
            Agreement.status == AgreementStatus.IN_FORCE,
            Agreement.review_on <= clock.today(),
        )
        .order_by(Agreement.review_on, Agreement.id)
    )


SECTIONS = (
    Section(
        "reports",
        _l("Commitments of my institution to report on"),
        _l("Report progress, or the delivery, on each commitment's page. Overdue ones first."),
        _reports,
        (joinedload(Commitment.organization), joinedload(Commitment.mesa)),
    ),
    Section(
        "deliveries",
        _l("Deliveries to validate"),
        _l("The institution says it delivered: the mesa records its word in a session."),
        _deliveries,
        (joinedload(Commitment.organization), joinedload(Commitment.mesa)),
    ),
    Section(
        "observations",
        _l("Observations to review"),
        _l("Publish each one or say why not; its author reads the answer."),
        _observations,
        (joinedload(Observation.commitment).joinedload(Commitment.organization),),
    ),
    Section(
        "actas",
        _l("Actas sent for review"),
        _l("Read them before they are approved; the secretary records the approval."),
        _actas,
        (joinedload(Meeting.mesa),),
    ),
    Section(
        "rounds",
        _l("Rounds to vote in"),
        _l("Open prioritization rounds where your vote is not in yet."),
        _rounds,
        (joinedload(Round.mesa),),
    ),
    Section(
        "requests",
        _l("Requests to join"),
        _l("Approve or decline each one."),
        _requests,
        (joinedload(JoinRequest.user), joinedload(JoinRequest.mesa)),
    ),
    Section(
        "reviews",
        _l("Agreements to review"),
        _l("Their review date has come: put them on the agenda of the next session."),
        _reviews,
        (joinedload(Agreement.mesa),),
    ),
)


def pending(user: User) -> list[tuple[Section, list[Any], int]]:
    """(section, its first lines, how many in all) for every section the person has lines in.
    Two queries per section at most, whatever the data."""
    found = []
    counts = count_each(user)
    for section in SECTIONS:
        total = counts.get(section.key, 0)
        if not total:
            continue
        query = section.query(user)
        assert query is not None
        lines = db.session.scalars(query.options(*section.load).limit(SHOWN)).unique()
        found.append((section, list(lines), total))
    return found


def count_each(user: User) -> dict[str, int]:
    """{section key: lines}, in one query, kept for the request (the header and the page ask
    for it both)."""
    cache = g.setdefault("_pending_counts", {}) if has_request_context() else {}
    if user.id not in cache:
        queries = {s.key: s.query(user) for s in SECTIONS}
        queries = {k: q for k, q in queries.items() if q is not None}
        counted = [
            sa.select(sa.func.count()).select_from(q.order_by(None).subquery()).scalar_subquery()
            for q in queries.values()
        ]
        row = db.session.execute(sa.select(*counted)).one() if counted else ()
        cache[user.id] = dict(zip(queries, row, strict=True))
    return cache[user.id]


def count(user: User) -> int:
    return sum(count_each(user).values())
