"""The rules of commitments: recording them in a session, new due dates, progress updates with
evidence, the mesa's validation, cancellation, and observations from the ground.

No request object here; the caller commits (one transaction per action). Every refusal is a
``Refused`` with the message to show, raised before anything is written, so a refused action
leaves nothing stored and nothing in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.commitments.models import (
    OUTCOMES,
    Commitment,
    CommitmentStatus,
    DueDateChange,
    Evidence,
    EvidenceKind,
    Milestone,
    Observation,
    ObservationStatus,
    ProgressUpdate,
    Validation,
)
from portal.core import clock
from portal.core.formatting import date as format_day
from portal.core.refusals import INVALID, Refused
from portal.extensions import db
from portal.meetings.models import Agreement, Meeting
from portal.meetings.services import check_correction, note_correction
from portal.mesas.models import Organization
from portal.notifications import events
from portal.places.models import Comuna

if TYPE_CHECKING:
    from portal.initiatives.models import Initiative
    from portal.meetings.attachments import Received


def _day(value: dt.date) -> str:
    return format_day(value)


def _closed_message(commitment: Commitment) -> str:
    if commitment.is_cancelled:
        return _l("This commitment was cancelled; nothing more can be recorded on it.")
    return _l("The mesa already validated this commitment; nothing more can be recorded on it.")


def _require_open(commitment: Commitment) -> None:
    if not commitment.is_open:
        raise Refused(_closed_message(commitment))


# Recording ------------------------------------------------------------------------------------


@dataclass
class CommitmentData:
    organization: Organization
    deliverable: str
    due_on: dt.date
    official: str = ""
    amount: int | None = None
    agreement: Agreement | None = None
    comunas: Sequence[Comuna] = ()
    initiatives: Sequence[Initiative] = ()
    # (description, date) pairs.
    milestones: Sequence[tuple[str, dt.date]] = ()
    is_public: bool = True
    # Why the record of a session whose acta is approved is corrected by adding it.
    correction: str = ""


def due_date_problem(due_on: dt.date, taken_on: dt.date) -> str | None:
    """What is wrong with a commitment's due date, if anything (the form says it beside the
    field together with every other problem; ``record`` refuses the same way)."""
    if due_on < taken_on:
        return _l(
            "The due date (%(due)s) is before the date of the agreement (%(taken)s). A"
            " commitment is due after it is made.",
            due=_day(due_on),
            taken=_day(taken_on),
        )
    return None


def milestone_date_problem(
    description: str, day: dt.date, taken_on: dt.date, due_on: dt.date
) -> str | None:
    """What is wrong with a milestone's date, if anything: it falls between the session and
    the due date (the form says it beside the milestone; ``record`` refuses the same way)."""
    if not taken_on <= day <= due_on:
        return _l(
            "The milestone «%(milestone)s» is dated %(day)s; milestones fall between"
            " the session (%(taken)s) and the due date (%(due)s).",
            milestone=description,
            day=_day(day),
            taken=_day(taken_on),
            due=_day(due_on),
        )
    return None


def record(meeting: Meeting, data: CommitmentData, by: User) -> Commitment:
    """A commitment taken in ``meeting``, as part of one of its agreements or on its own."""
    if meeting.is_cancelled:
        raise Refused(_l("This session was cancelled; it cannot record commitments."))
    if not meeting.takes_records:
        raise Refused(_l("Commitments are recorded once the session has started."))
    check_correction(meeting, data.correction)
    agreement = data.agreement
    if agreement is not None:
        if agreement.meeting_id != meeting.id:
            raise Refused(_l("Choose an agreement of this session."), status=INVALID)
        if not agreement.in_force:
            raise Refused(
                _l("Agreement %(label)s is no longer in force.", label=agreement.label),
                status=INVALID,
            )
    taken_on = meeting.day
    if problem := due_date_problem(data.due_on, taken_on):
        raise Refused(problem, status=INVALID)
    for description, day in data.milestones:
        if problem := milestone_date_problem(description, day, taken_on, data.due_on):
            raise Refused(problem, status=INVALID)
    commitment = Commitment(
        mesa_id=meeting.mesa_id,
        territory_id=meeting.mesa.territory_id,
        meeting_id=meeting.id,
        agreement_id=agreement.id if agreement is not None else None,
        organization_id=data.organization.id,
        official=data.official,
        deliverable=data.deliverable,
        amount=data.amount,
        original_due_on=data.due_on,
        due_on=data.due_on,
        committed_on=taken_on,
        is_public=data.is_public,
        created_by_id=by.id,
        comunas=list(data.comunas),
        initiatives=list(data.initiatives),
        milestones=[
            Milestone(position=i, description=description, due_on=day)
            for i, (description, day) in enumerate(
                sorted(data.milestones, key=lambda m: m[1]), start=1
            )
        ],
    )
    db.session.add(commitment)
    db.session.flush()
    note_correction(
        meeting,
        _l(
            "Commitment of %(institution)s added: %(deliverable)s",
            institution=data.organization.short_name or data.organization.name,
            deliverable=data.deliverable[:200],
        ),
        data.correction,
        by,
    )
    events.commitment_assigned(commitment, by)
    return commitment


# Due dates ------------------------------------------------------------------------------------


def reschedule(commitment: Commitment, new_due_on: dt.date, reason: str, by: User) -> DueDateChange:
    """A new due date. The original stays: fulfilment is judged against it."""
    _require_open(commitment)
    reason = reason.strip()
    if not reason:
        raise Refused(_l("Say why the date changes; the reason is public."), status=INVALID)
    if new_due_on == commitment.due_on:
        raise Refused(
            _l("The new date is the same as the current one (%(due)s).", due=_day(new_due_on)),
            status=INVALID,
        )
    if new_due_on < commitment.committed_on:
        raise Refused(
            _l(
                "The new date (%(due)s) is before the date of the commitment (%(taken)s).",
                due=_day(new_due_on),
                taken=_day(commitment.committed_on),
            ),
            status=INVALID,
        )
    change = DueDateChange(
        commitment_id=commitment.id,
        previous_due_on=commitment.due_on,
        new_due_on=new_due_on,
        reason=reason,
        changed_by_id=by.id,
    )
    db.session.add(change)
    commitment.due_on = new_due_on
    db.session.flush()
    events.commitment_rescheduled(commitment, change, by)
    return change


# Progress -------------------------------------------------------------------------------------


@dataclass
class UpdateData:
    reported_on: dt.date
    text: str
    percent: int | None = None
    # The institution says the deliverable was done on this date.
    done_on: dt.date | None = None
    milestone: Milestone | None = None
    # (title, url) pairs.
    links: Sequence[tuple[str, str]] = ()
    # Files already checked and kept by ``attachments.receive``.
    files: Sequence[Received] = field(default_factory=list)


def _check_day(commitment: Commitment, day: dt.date, what: str) -> None:
    today = clock.today()
    if day > today:
        raise Refused(
            _l("The %(what)s (%(day)s) is in the future.", what=what, day=_day(day)),
            status=INVALID,
        )
    if day < commitment.committed_on:
        raise Refused(
            _l(
                "The %(what)s (%(day)s) is before the commitment was made (%(taken)s).",
                what=what,
                day=_day(day),
                taken=_day(commitment.committed_on),
            ),
            status=INVALID,
        )


def check_update(commitment: Commitment, data: UpdateData) -> None:
    """Everything ``report`` refuses, checked before any file is received."""
    _require_open(commitment)
    _check_day(commitment, data.reported_on, _l("date of the update"))
    if data.done_on is not None:
        _check_day(commitment, data.done_on, _l("delivery date"))
    if data.milestone is not None:
        if data.milestone.commitment_id != commitment.id:
            raise Refused(_l("Choose a milestone of this commitment."), status=INVALID)
        if data.milestone.reached_on is not None:
            raise Refused(
                _l(
                    "That milestone was already reported reached on %(day)s.",
                    day=_day(data.milestone.reached_on),
                ),
                status=INVALID,
            )


def report(commitment: Commitment, data: UpdateData, by: User) -> ProgressUpdate:
    """A progress update; the first one moves a pending commitment to in progress."""
    check_update(commitment, data)
    update = ProgressUpdate(
        commitment_id=commitment.id,
        reported_on=data.reported_on,
        text=data.text,
        percent=data.percent,
        done_on=data.done_on,
        milestone_id=data.milestone.id if data.milestone is not None else None,
        author_id=by.id,
        evidence=[
            Evidence(kind=EvidenceKind.LINK, title=title, url=url) for title, url in data.links
        ]
        + [
            Evidence(
                kind=EvidenceKind.FILE,
                title=received.filename,
                filename=received.filename,
                content_type=received.kind.mime,
                size=received.size,
                sha256=received.sha256,
                storage_key=received.key,
            )
            for received in data.files
        ],
    )
    db.session.add(update)
    if commitment.status == CommitmentStatus.PENDING:
        commitment.status = CommitmentStatus.IN_PROGRESS
    if data.percent is not None:
        commitment.progress = data.percent
    if data.done_on is not None:
        commitment.reported_done_on = data.done_on
    if commitment.first_update_on is None or data.reported_on < commitment.first_update_on:
        commitment.first_update_on = data.reported_on
    if data.milestone is not None:
        data.milestone.reached_on = data.reported_on
    db.session.flush()
    events.commitment_reported(commitment, update, by)
    return update


# Validation and cancellation --------------------------------------------------------------------


def validate(
    commitment: Commitment,
    outcome: CommitmentStatus,
    done_on: dt.date | None,
    meeting: Meeting | None,
    agreement: Agreement | None,
    note: str,
    by: User,
) -> Validation:
    """The mesa's word, which makes the outcome final. Recorded by its chair or secretary
    (the caller checks who), with the session or agreement where it was decided."""
    _require_open(commitment)
    if outcome not in OUTCOMES:
        raise Refused(_l("Choose what the mesa concluded."), status=INVALID)
    if meeting is None and agreement is None:
        raise Refused(
            _l("Name the session or the agreement where the mesa validated it."), status=INVALID
        )
    if meeting is not None and (meeting.mesa_id != commitment.mesa_id or not meeting.takes_records):
        raise Refused(
            _l("Choose a session of this mesa that has already taken place."), status=INVALID
        )
    if agreement is not None and (
        agreement.mesa_id != commitment.mesa_id or not agreement.in_force
    ):
        raise Refused(_l("Choose an agreement of this mesa in force."), status=INVALID)
    if outcome == CommitmentStatus.NOT_FULFILLED:
        done_on = None
    else:
        done_on = done_on or commitment.reported_done_on
        if done_on is None:
            raise Refused(_l("Give the date the deliverable was done."), status=INVALID)
        _check_day(commitment, done_on, _l("delivery date"))
    validation = Validation(
        commitment_id=commitment.id,
        outcome=outcome,
        done_on=done_on,
        meeting_id=meeting.id if meeting is not None else None,
        agreement_id=agreement.id if agreement is not None else None,
        note=note.strip(),
        validated_by_id=by.id,
    )
    db.session.add(validation)
    commitment.status = outcome
    commitment.done_on = done_on
    commitment.validated_at = clock.now()
    if outcome == CommitmentStatus.FULFILLED:
        commitment.progress = 100
    db.session.flush()
    events.commitment_validated(commitment, validation, by)
    return validation


def cancel(commitment: Commitment, reason: str, by: User) -> None:
    _require_open(commitment)
    reason = reason.strip()
    if not reason:
        raise Refused(_l("Say why the commitment is cancelled; the reason is public."), INVALID)
    commitment.status = CommitmentStatus.CANCELLED
    commitment.status_reason = reason
    commitment.cancelled_at = clock.now()
    db.session.flush()
    events.commitment_cancelled(commitment, by)


# Observations ---------------------------------------------------------------------------------


def observe(
    commitment: Commitment, text: str, author: User | None, name: str, email: str = ""
) -> Observation:
    """A citizen's observation, waiting for the secretary's review. ``email``: where an author
    without an account hears the answer (never shown)."""
    text = text.strip()
    if not text:
        raise Refused(_l("Write what you see."), status=INVALID)
    observation = Observation(
        commitment_id=commitment.id,
        author_id=author.id if author is not None else None,
        author_name=" ".join(name.split()),
        author_email=(email.strip().lower() or None) if author is None else None,
        text=text,
    )
    db.session.add(observation)
    db.session.flush()
    events.observation_waiting(observation)
    return observation


def _moderate(observation: Observation, by: User) -> None:
    if not observation.is_pending:
        raise Refused(_l("This observation was already reviewed."))
    observation.moderated_by_id = by.id
    observation.moderated_at = clock.now()


def publish_observation(observation: Observation, by: User) -> None:
    _moderate(observation, by)
    observation.status = ObservationStatus.PUBLISHED
    events.observation_answered(observation, by)


def decline_observation(observation: Observation, reason: str, by: User) -> None:
    reason = reason.strip()
    if not reason:
        raise Refused(_l("Say why it is not published; its author will read it."), INVALID)
    _moderate(observation, by)
    observation.status = ObservationStatus.DECLINED
    observation.decline_reason = reason
    events.observation_answered(observation, by)


def answer_observation(observation: Observation, text: str, by: User) -> None:
    """The institution answers a published observation on its commitment, in public, once: a
    later word is a new observation and its answer, never a change to this one."""
    text = text.strip()
    if not text:
        raise Refused(_l("Write the institution's answer."), status=INVALID)
    if not observation.is_published:
        raise Refused(_l("Only a published observation can be answered."))
    if observation.answered_at is not None:
        raise Refused(_l("This observation was already answered; the answer stays as given."))
    observation.answer = text
    observation.answered_by_id = by.id
    observation.answered_at = clock.now()
    db.session.flush()
    events.observation_replied(observation, by)
