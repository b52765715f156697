"""The changes of a territory's, a mesa's or an institution's public commitments, newest
first, for the Atom feeds: one UNION of the event tables, a fixed number of queries.

Only public commitments, and of the observations only the published ones. No request object.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.commitments.models import (
    Commitment,
    CommitmentStatus,
    DueDateChange,
    Observation,
    ObservationStatus,
    ProgressUpdate,
    Validation,
)
from portal.commitments.reports import Scope
from portal.commitments.reports import visible as visible_in
from portal.extensions import db

FEED_LENGTH = 50

# Feeds -------------------------------------------------------------------------------------------


class EventKind(enum.StrEnum):
    RECORDED = "recorded"
    RESCHEDULED = "rescheduled"
    PROGRESS = "progress"
    DELIVERY = "delivery"
    VALIDATION = "validation"
    CANCELLATION = "cancellation"
    OBSERVATION = "observation"


@dataclass(frozen=True)
class Event:
    """Something that happened to a public commitment. ``row_id`` is the id of the row that
    records it (the commitment itself for recorded and cancelled); with ``kind`` it names the
    event for good."""

    kind: EventKind
    row_id: int
    at: dt.datetime
    commitment: Commitment
    # The date the event names: the new due date, the delivery date, the date it was done.
    day: dt.date | None = None
    # The due date before a rescheduling.
    before: dt.date | None = None
    percent: int | None = None
    # The reason, the update's text, the validation's note, the observation.
    text: str = ""
    outcome: CommitmentStatus | None = None


def _kind(kind: EventKind) -> sa.ColumnElement[str]:
    return sa.cast(sa.literal(kind.value), sa.String(20))


def _branch(
    kind: sa.ColumnElement[str],
    table: type | None,
    row_id: sa.ColumnElement[int],
    at: sa.ColumnElement[dt.datetime],
    *where: sa.ColumnElement[bool],
    **values: sa.ColumnElement,
) -> sa.Select:
    """One kind of event, in the columns every kind shares (missing ones NULL, typed alike
    for PostgreSQL), from ``table`` joined to its public commitment, or from the commitment."""
    types = {
        "day": sa.Date(),
        "before": sa.Date(),
        "percent": sa.Integer(),
        "text": sa.Text(),
        "outcome": sa.String(20),
    }
    # A real CAST only for the NULLs: on SQLite, CAST('2027-03-15' AS DATE) is 2027.
    columns = [
        (sa.type_coerce(values[name], t) if name in values else sa.cast(sa.null(), t)).label(name)
        for name, t in types.items()
    ]
    stmt = sa.select(
        kind.label("kind"),
        row_id.label("row_id"),
        (Commitment.id if table is None else table.commitment_id).label("commitment_id"),
        at.label("at"),
        *columns,
    )
    if table is not None:
        stmt = stmt.select_from(table).join(Commitment, Commitment.id == table.commitment_id)
    return stmt.where(*where)


def _event_selects(scope: Scope) -> list[sa.Select]:
    """One SELECT per kind of event, ready for a UNION ALL."""
    visible = visible_in(scope)
    c, change, update, validation, observation = (
        Commitment,
        DueDateChange,
        ProgressUpdate,
        Validation,
        Observation,
    )
    delivery_or_progress = sa.case(
        (update.done_on.is_not(None), _kind(EventKind.DELIVERY)),
        else_=_kind(EventKind.PROGRESS),
    )
    published = observation.status == ObservationStatus.PUBLISHED
    return [
        _branch(_kind(EventKind.RECORDED), None, c.id, c.created_at, visible),
        _branch(
            _kind(EventKind.RESCHEDULED),
            change,
            change.id,
            change.changed_at,
            visible,
            day=change.new_due_on,
            before=change.previous_due_on,
            text=change.reason,
        ),
        _branch(
            delivery_or_progress,
            update,
            update.id,
            update.created_at,
            visible,
            day=update.done_on,
            percent=update.percent,
            text=update.text,
        ),
        _branch(
            _kind(EventKind.VALIDATION),
            validation,
            validation.id,
            validation.validated_at,
            visible,
            day=validation.done_on,
            text=validation.note,
            outcome=validation.outcome,
        ),
        _branch(
            _kind(EventKind.CANCELLATION),
            None,
            c.id,
            c.cancelled_at,
            visible,
            c.status == CommitmentStatus.CANCELLED,
            text=c.status_reason,
        ),
        _branch(
            _kind(EventKind.OBSERVATION),
            observation,
            observation.id,
            sa.func.coalesce(observation.moderated_at, observation.created_at),
            visible,
            published,
            text=observation.text,
        ),
    ]


def feed_events(scope: Scope, limit: int = FEED_LENGTH) -> list[Event]:
    """The last ``limit`` events of the scope's public commitments, newest first. Two queries:
    the events (one UNION ALL) and the commitments they concern with their institutions."""
    events = sa.union_all(*_event_selects(scope)).subquery("events")
    rows = db.session.execute(
        sa.select(events)
        .order_by(events.c.at.desc(), events.c.row_id.desc(), events.c.kind)
        .limit(limit)
    ).all()
    if not rows:
        return []
    ids = {row.commitment_id for row in rows}
    commitments = {
        found.id: found
        for found in db.session.scalars(
            sa.select(Commitment)
            .where(Commitment.id.in_(ids))
            .options(joinedload(Commitment.organization), joinedload(Commitment.mesa))
        )
    }
    return [
        Event(
            kind=EventKind(row.kind),
            row_id=row.row_id,
            at=row.at,
            commitment=commitments[row.commitment_id],
            day=row.day,
            before=row.before,
            percent=row.percent,
            text=row.text or "",
            outcome=CommitmentStatus(row.outcome) if row.outcome else None,
        )
        for row in rows
    ]
