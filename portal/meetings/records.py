"""The rules of what a session leaves in writing: the acta and its revisions, and the
agreements. No request here; the caller commits."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.core import clock
from portal.core.refusals import INVALID
from portal.extensions import db
from portal.meetings.models import (
    Agreement,
    AgreementStatus,
    ApprovalMode,
    DecisionMode,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesRevision,
    MinutesStatus,
)
from portal.meetings.services import (
    check_correction,
    note_correction,
    present_ids,
    quorum,
    seated_on,
)
from portal.mesas.services import Refused
from portal.notifications import events

# The acta ------------------------------------------------------------------------------------


def revisions(minutes: Minutes | None) -> list[MinutesRevision]:
    """Oldest first."""
    if minutes is None:
        return []
    return list(
        db.session.scalars(
            sa.select(MinutesRevision)
            .where(MinutesRevision.minutes_id == minutes.id)
            .options(sa.orm.joinedload(MinutesRevision.author))
            .order_by(MinutesRevision.number)
        )
    )


def current_text(minutes: Minutes | None) -> str:
    if minutes is None:
        return ""
    text = db.session.scalar(
        sa.select(MinutesRevision.text)
        .where(MinutesRevision.minutes_id == minutes.id)
        .order_by(MinutesRevision.number.desc())
        .limit(1)
    )
    return text or ""


def write(meeting: Meeting, text: str, reason: str, by: User) -> MinutesRevision:
    """Saves a new text of the acta as a new revision. Before approval the secretary writes
    freely; an approved or published acta is corrected only with a reason, and every earlier
    text stays readable."""
    if meeting.is_cancelled:
        raise Refused(_l("This session was cancelled; it has no acta."))
    minutes = meeting.minutes
    if minutes is None:
        minutes = Minutes(meeting=meeting, status=MinutesStatus.DRAFT)
        db.session.add(minutes)
        db.session.flush()
    if minutes.is_settled and not reason:
        raise Refused(
            _l(
                "This acta was already approved. Say why it is being corrected: the reason is "
                "shown beside the earlier text, which stays readable."
            ),
            status=INVALID,
        )
    if text.strip() == current_text(minutes).strip():
        raise Refused(_l("The text is the same as the saved one; nothing changed."), status=INVALID)
    last = db.session.scalar(
        sa.select(sa.func.max(MinutesRevision.number)).where(
            MinutesRevision.minutes_id == minutes.id
        )
    )
    revision = MinutesRevision(
        minutes=minutes,
        number=(last or 0) + 1,
        text=text,
        reason=reason,
        status_then=minutes.status,
        author_id=by.id,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def circulate(meeting: Meeting, by: User) -> int:
    """Sends the draft to the members for review. Returns how many were told."""
    minutes = meeting.minutes
    if minutes is None or not current_text(minutes).strip():
        raise Refused(_l("Write the acta before sending it to the members."))
    if not minutes.is_draft:
        raise Refused(_l("This acta was already sent to the members."))
    if meeting.status != MeetingStatus.HELD:
        raise Refused(_l("Mark the session as held before sending its acta."))
    minutes.status = MinutesStatus.CIRCULATED
    minutes.circulated_at = clock.now()
    minutes.circulated_by_id = by.id
    link = url_for("meetings.minutes", slug=meeting.mesa.slug, number=meeting.number)
    return events.tell(
        events.seated(meeting.mesa_id),
        "minutes_circulated",
        link,
        by=by,
        meeting=meeting,
        mesa=meeting.mesa,
    )


def later_sessions(meeting: Meeting) -> list[Meeting]:
    """The sessions where this acta can be approved: later ones that have started."""
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .where(
                Meeting.mesa_id == meeting.mesa_id,
                Meeting.number > meeting.number,
                Meeting.status != MeetingStatus.CANCELLED,
                Meeting.started(),
            )
            .order_by(Meeting.number)
        )
    )


def approve(meeting: Meeting, mode: ApprovalMode, in_session: Meeting | None, by: User) -> None:
    minutes = meeting.minutes
    if minutes is None or minutes.status == MinutesStatus.DRAFT:
        raise Refused(_l("Send the acta to the members for review before approving it."))
    if minutes.status != MinutesStatus.CIRCULATED:
        raise Refused(_l("This acta was already approved."))
    if mode == ApprovalMode.IN_SESSION:
        if in_session is None or in_session.id not in {m.id for m in later_sessions(meeting)}:
            raise Refused(
                _l("Choose the later session, already started, where the members approved it."),
                status=INVALID,
            )
        minutes.approved_in_id = in_session.id
        minutes.approved_on = in_session.day
    else:
        minutes.approved_on = clock.today()
    minutes.approval_mode = mode
    minutes.approved_by_id = by.id
    minutes.status = MinutesStatus.APPROVED
    events.minutes_event(meeting, "minutes_approved", by)


def publish(meeting: Meeting, by: User) -> None:
    minutes = meeting.minutes
    if minutes is None or minutes.status != MinutesStatus.APPROVED:
        raise Refused(_l("Only an approved acta can be published."))
    minutes.status = MinutesStatus.PUBLISHED
    minutes.published_at = clock.now()
    minutes.published_by_id = by.id
    events.minutes_event(meeting, "minutes_published", by)


def diff(before: str, after: str) -> list[tuple[str, str]]:
    """Line by line: ("same" | "removed" | "added", line)."""
    kinds = {" ": "same", "-": "removed", "+": "added"}
    return [
        (kinds[line[0]], line[2:])
        for line in difflib.ndiff(before.splitlines(), after.splitlines())
        if line[:1] in kinds
    ]


# Agreements ------------------------------------------------------------------------------------


@dataclass
class Decision:
    statement: str
    mode: DecisionMode
    votes_for: int | None
    votes_against: int | None
    votes_abstaining: int | None
    dissent: str
    review_on: dt.date | None
    replaces: Agreement | None = None
    reason: str = ""
    # The initiatives it concerns.
    initiatives: list = field(default_factory=list)
    # Why the record of a session whose acta is approved is corrected by adding it.
    correction: str = ""


def agreements_of(meeting: Meeting) -> list[Agreement]:
    return list(
        db.session.scalars(
            sa.select(Agreement)
            .where(Agreement.meeting_id == meeting.id)
            .options(
                sa.orm.joinedload(Agreement.replaced_by), sa.orm.selectinload(Agreement.initiatives)
            )
            .order_by(Agreement.year, Agreement.number)
        )
    )


def in_force(mesa_id: int) -> list[Agreement]:
    """What a new agreement may replace."""
    return list(
        db.session.scalars(
            sa.select(Agreement)
            .where(Agreement.mesa_id == mesa_id, Agreement.status == AgreementStatus.IN_FORCE)
            .order_by(Agreement.year.desc(), Agreement.number.desc())
        )
    )


def record(meeting: Meeting, decision: Decision, by: User, announce: bool = True) -> Agreement:
    if meeting.is_cancelled:
        raise Refused(_l("This session was cancelled; it cannot record agreements."))
    if not meeting.takes_records:
        raise Refused(
            _l(
                "Agreements are recorded once the session has started. On its day, start it "
                "from the session's page."
            )
        )
    check_correction(meeting, decision.correction)
    votes = (decision.votes_for, decision.votes_against, decision.votes_abstaining)
    if decision.mode == DecisionMode.VOTE:
        if any(v is None for v in votes):
            raise Refused(
                _l("Enter the votes in favour, against and abstaining (0 if none)."), status=INVALID
            )
        present = quorum(meeting, seated_on(meeting), present_ids(meeting)).present
        total = sum(v for v in votes if v is not None)
        if total > present:
            raise Refused(
                _l(
                    "%(total)d votes were entered, but only %(present)d members are marked "
                    "present. Check the counts or the attendance.",
                    total=total,
                    present=present,
                ),
                status=INVALID,
            )
    else:
        votes = (None, None, None)
    if decision.replaces is not None:
        old = decision.replaces
        if old.mesa_id != meeting.mesa_id or not old.in_force:
            raise Refused(_l("Only an agreement of this mesa in force can be replaced."), INVALID)
        if not decision.reason:
            raise Refused(_l("Say why the earlier agreement is replaced."), status=INVALID)
    year = meeting.day.year
    last = db.session.scalar(
        sa.select(sa.func.max(Agreement.number)).where(
            Agreement.mesa_id == meeting.mesa_id, Agreement.year == year
        )
    )
    agreement = Agreement(
        mesa_id=meeting.mesa_id,
        meeting=meeting,
        year=year,
        number=(last or 0) + 1,
        statement=decision.statement,
        decision_mode=decision.mode,
        votes_for=votes[0],
        votes_against=votes[1],
        votes_abstaining=votes[2],
        dissent=decision.dissent,
        review_on=decision.review_on,
        created_by_id=by.id,
        initiatives=list(decision.initiatives),
    )
    db.session.add(agreement)
    db.session.flush()
    note_correction(
        meeting, _l("Agreement %(label)s added.", label=agreement.label), decision.correction, by
    )
    if decision.replaces is not None:
        _end(decision.replaces, AgreementStatus.REPLACED, decision.reason, by)
        decision.replaces.replaced_by_id = agreement.id
    if announce:
        events.agreement_recorded(agreement, by)
    return agreement


def _end(agreement: Agreement, status: AgreementStatus, reason: str, by: User) -> None:
    """Ends an agreement in force; in a session whose acta is approved, the acta shows it as a
    correction with the same reason."""
    what = (
        _l("Agreement %(label)s withdrawn.", label=agreement.label)
        if status == AgreementStatus.WITHDRAWN
        else _l("Agreement %(label)s replaced.", label=agreement.label)
    )
    note_correction(agreement.meeting, what, reason, by)
    agreement.status = status
    agreement.status_reason = reason
    agreement.status_changed_at = clock.now()
    agreement.status_changed_by_id = by.id


def withdraw(agreement: Agreement, reason: str, by: User) -> None:
    if not agreement.in_force:
        raise Refused(_l("This agreement is no longer in force."))
    _end(agreement, AgreementStatus.WITHDRAWN, reason, by)
