"""Loading commitments and their history in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, selectinload

from portal.commitments.models import (
    Commitment,
    DueDateChange,
    Evidence,
    Observation,
    ObservationStatus,
    ProgressUpdate,
    Validation,
)
from portal.core.clock import SANTIAGO
from portal.extensions import db
from portal.meetings.models import Agreement, AgreementStatus, Meeting, MeetingStatus


def commitment_or_404(commitment_id: int) -> Commitment:
    found = db.session.scalar(
        sa.select(Commitment)
        .where(Commitment.id == commitment_id)
        .options(
            joinedload(Commitment.organization),
            joinedload(Commitment.mesa),
            joinedload(Commitment.meeting),
            joinedload(Commitment.agreement),
            joinedload(Commitment.territory),
            selectinload(Commitment.comunas),
            selectinload(Commitment.initiatives),
            selectinload(Commitment.milestones),
        )
    )
    if found is None:
        abort(404)
    return found


@dataclass
class History:
    """Everything that happened to a commitment, oldest first."""

    changes: list[DueDateChange]
    updates: list[ProgressUpdate]
    validation: Validation | None
    observations: list[Observation]
    events: list[tuple[dt.date, str, object]] = field(default_factory=list)


def history_of(commitment: Commitment, with_unpublished: bool) -> History:
    changes = list(
        db.session.scalars(
            sa.select(DueDateChange)
            .where(DueDateChange.commitment_id == commitment.id)
            .order_by(DueDateChange.changed_at, DueDateChange.id)
        )
    )
    updates = list(
        db.session.scalars(
            sa.select(ProgressUpdate)
            .where(ProgressUpdate.commitment_id == commitment.id)
            .options(
                selectinload(ProgressUpdate.evidence),
                joinedload(ProgressUpdate.milestone),
            )
            .order_by(ProgressUpdate.reported_on, ProgressUpdate.id)
        )
    )
    validation = db.session.scalar(
        sa.select(Validation)
        .where(Validation.commitment_id == commitment.id)
        .options(joinedload(Validation.meeting), joinedload(Validation.agreement))
    )
    shown = sa.select(Observation).where(Observation.commitment_id == commitment.id)
    if not with_unpublished:
        shown = shown.where(Observation.status == ObservationStatus.PUBLISHED)
    observations = list(db.session.scalars(shown.order_by(Observation.created_at, Observation.id)))
    history = History(changes, updates, validation, observations)
    events: list[tuple[dt.date, int, str, object]] = [(commitment.committed_on, 0, "made", None)]
    events += [(c.changed_at.astimezone(SANTIAGO).date(), 1, "rescheduled", c) for c in changes]
    events += [(u.reported_on, 2, "update", u) for u in updates]
    events += [
        (o.created_at.astimezone(SANTIAGO).date(), 3, "observation", o) for o in observations
    ]
    if validation is not None:
        events.append(
            (validation.validated_at.astimezone(SANTIAGO).date(), 4, "validated", validation)
        )
    history.events = [(day, kind, obj) for day, _order, kind, obj in sorted(events, key=_order)]
    return history


def _order(event: tuple[dt.date, int, str, object]) -> tuple[dt.date, int, int]:
    day, order, _kind, obj = event
    return day, order, getattr(obj, "id", 0) or 0


def evidence_or_404(commitment: Commitment, evidence_id: int) -> Evidence:
    found = db.session.get(Evidence, evidence_id)
    if found is None or found.update.commitment_id != commitment.id or found.storage_key is None:
        abort(404)
    return found


def agreements_of_meeting(meeting: Meeting) -> list[Agreement]:
    return list(
        db.session.scalars(
            sa.select(Agreement)
            .where(Agreement.meeting_id == meeting.id)
            .order_by(Agreement.year, Agreement.number)
        )
    )


def sessions_for_validation(commitment: Commitment) -> list[Meeting]:
    """Sessions of the mesa that may record a validation: held or started, not cancelled,
    from the commitment's own session on, newest first."""
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .where(
                Meeting.mesa_id == commitment.mesa_id,
                Meeting.status != MeetingStatus.CANCELLED,
                Meeting.started(),
                Meeting.starts_at >= commitment.meeting.starts_at,
            )
            .order_by(Meeting.starts_at.desc())
            .limit(50)
        )
    )


def agreements_for_validation(commitment: Commitment) -> list[Agreement]:
    return list(
        db.session.scalars(
            sa.select(Agreement)
            .where(
                Agreement.mesa_id == commitment.mesa_id,
                Agreement.status == AgreementStatus.IN_FORCE,
                Agreement.created_at >= commitment.created_at,
            )
            .order_by(Agreement.year.desc(), Agreement.number.desc())
            .limit(50)
        )
    )


def of_meeting(
    meeting: Meeting, with_private: bool, agreement: Agreement | None = None
) -> list[Commitment]:
    """A session's commitments (or one of its agreements') with their institutions, in the
    order they were recorded; the private ones only for the mesa's own people."""
    query = (
        sa.select(Commitment)
        .where(Commitment.meeting_id == meeting.id)
        .options(joinedload(Commitment.organization), joinedload(Commitment.agreement))
        .order_by(Commitment.id)
    )
    if agreement is not None:
        query = query.where(Commitment.agreement_id == agreement.id)
    if not with_private:
        query = query.where(Commitment.is_public)
    return list(db.session.scalars(query))
