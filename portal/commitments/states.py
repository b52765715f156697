"""Where a commitment stands: the one rule every page, report, feed and search result uses.

A commitment's stored ``status`` says what the mesa recorded (pending, in progress, fulfilled,
partly or not fulfilled, cancelled). What a reader is told adds two things never stored, as
they depend on the day: an open commitment whose due date has passed is **overdue**, whatever
else it says; an open one on time whose institution reported the delivery is **awaiting the
mesa's validation**. Each commitment is in exactly one state.

The rule is written once (``from_columns``) and given three ways, side by side: ``of`` for a
loaded commitment, ``clause`` for the SQL condition of one state (filters and counts), and
``case`` for the SQL expression of the state itself (search results).
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.commitments import labels
from portal.commitments.models import OPEN_STATUSES, Commitment, CommitmentStatus


class State(enum.StrEnum):
    FULFILLED = "fulfilled"
    PARTLY_FULFILLED = "partly_fulfilled"
    NOT_FULFILLED = "not_fulfilled"
    OVERDUE = "overdue"
    AWAITING_VALIDATION = "awaiting_validation"
    IN_PROGRESS = "in_progress"
    PENDING = "pending"
    CANCELLED = "cancelled"


# The order of a table of states: open ones first (the date decides which), then what the
# mesa concluded.
IN_TABLE_ORDER = (
    State.PENDING,
    State.IN_PROGRESS,
    State.AWAITING_VALIDATION,
    State.OVERDUE,
    State.FULFILLED,
    State.PARTLY_FULFILLED,
    State.NOT_FULFILLED,
    State.CANCELLED,
)

LABEL = {
    State.FULFILLED: labels.STATUS[CommitmentStatus.FULFILLED],
    State.PARTLY_FULFILLED: labels.STATUS[CommitmentStatus.PARTLY_FULFILLED],
    State.NOT_FULFILLED: labels.STATUS[CommitmentStatus.NOT_FULFILLED],
    State.OVERDUE: labels.OVERDUE,
    State.AWAITING_VALIDATION: _l("Delivered, awaiting validation"),
    State.IN_PROGRESS: labels.STATUS[CommitmentStatus.IN_PROGRESS],
    State.PENDING: labels.STATUS[CommitmentStatus.PENDING],
    State.CANCELLED: labels.STATUS[CommitmentStatus.CANCELLED],
}
MEANING = {
    State.FULFILLED: _l("The mesa checked that the institution did what it promised."),
    State.PARTLY_FULFILLED: _l("The mesa checked it and found it done only in part."),
    State.NOT_FULFILLED: _l("The mesa checked it and found it was not done."),
    State.OVERDUE: _l("Not finished, and its due date has passed."),
    State.AWAITING_VALIDATION: _l(
        "The institution says it delivered; the mesa has not checked it yet. Its due date has "
        "not passed."
    ),
    State.IN_PROGRESS: _l("The institution reported work on it. Its due date has not passed."),
    State.PENDING: _l("No work reported yet. Its due date has not passed."),
    State.CANCELLED: _l("Left without effect, with the reason on record."),
}

_OPEN = sorted(OPEN_STATUSES)


def from_columns(status: CommitmentStatus, late: bool, reported: bool) -> State:
    """The rule: what the mesa concluded stands; an open one past its date is overdue; an
    open one on time with a reported delivery awaits validation; otherwise its status.
    ``late``: its due date is before today; ``reported``: a delivery date was reported."""
    if status not in OPEN_STATUSES:
        return State(status.value)
    if late:
        return State.OVERDUE
    if reported:
        return State.AWAITING_VALIDATION
    return State(status.value)


def of(commitment: Commitment, today: dt.date) -> State:
    """The state of a loaded commitment."""
    return from_columns(
        CommitmentStatus(commitment.status),
        commitment.due_on < today,
        commitment.reported_done_on is not None,
    )


def clause(state: State, today: dt.date) -> sa.ColumnElement[bool]:
    """The commitments in ``state``, as SQL."""
    is_open = Commitment.status.in_(_OPEN)
    if state == State.OVERDUE:
        return sa.and_(is_open, Commitment.due_on < today)
    if state == State.AWAITING_VALIDATION:
        return sa.and_(
            is_open, Commitment.due_on >= today, Commitment.reported_done_on.is_not(None)
        )
    if state in (State.PENDING, State.IN_PROGRESS):
        return sa.and_(
            Commitment.status == CommitmentStatus(state.value),
            Commitment.due_on >= today,
            Commitment.reported_done_on.is_(None),
        )
    return Commitment.status == CommitmentStatus(state.value)


# Still open and within their date: what an institution can still deliver on time.
OPEN_ON_TIME = frozenset({State.PENDING, State.IN_PROGRESS, State.AWAITING_VALIDATION})


def clause_any(chosen: frozenset[State], today: dt.date) -> sa.ColumnElement[bool]:
    """The commitments in any of ``chosen``, as SQL."""
    return sa.or_(*(clause(state, today) for state in IN_TABLE_ORDER if state in chosen))


def case(today: dt.date) -> sa.ColumnElement[str]:
    """The state of each commitment, as an SQL expression giving its value."""
    return sa.case(
        *((clause(state, today), state.value) for state in IN_TABLE_ORDER),
        else_=sa.null(),
    )


def is_overdue(commitment: Commitment, today: dt.date) -> bool:
    return of(commitment, today) == State.OVERDUE
