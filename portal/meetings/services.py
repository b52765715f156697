"""The rules of sessions: scheduling, the agenda, attendance and quorum. No request here; the
caller commits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.core import clock, formatting
from portal.core.clock import SANTIAGO
from portal.core.refusals import INVALID
from portal.extensions import db
from portal.meetings.models import (
    AgendaItem,
    Attendance,
    Guest,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Modality,
    RecordCorrection,
)
from portal.mesas.models import TAKING_PART_ROLES, Membership, Mesa, Person
from portal.mesas.services import Refused
from portal.notifications import events

__all__ = ["Refused"]


@dataclass
class Details:
    """What the secretary types when scheduling or editing a session. Times are local."""

    day: dt.date
    starts: dt.time
    ends: dt.time
    place: str
    online_url: str
    modality: Modality
    kind: MeetingKind

    def span(self) -> tuple[dt.datetime, dt.datetime]:
        """Start and end in UTC, read as America/Santiago wall-clock times."""
        start = dt.datetime.combine(self.day, self.starts, tzinfo=SANTIAGO)
        end = dt.datetime.combine(self.day, self.ends, tzinfo=SANTIAGO)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _check(details: Details) -> tuple[dt.datetime, dt.datetime]:
    start, end = details.span()
    if end <= start:
        raise Refused(_l("The session must end after it starts."), status=INVALID)
    if details.modality != Modality.ONLINE and not details.place:
        raise Refused(_l("Say where the session takes place."), status=INVALID)
    if details.modality != Modality.IN_PERSON and not details.online_url:
        raise Refused(_l("Give the link to join online."), status=INVALID)
    return start, end


def _apply(meeting: Meeting, details: Details, start: dt.datetime, end: dt.datetime) -> None:
    meeting.starts_at, meeting.ends_at = start, end
    meeting.place = details.place
    meeting.online_url = details.online_url
    meeting.modality = details.modality
    meeting.kind = details.kind


def schedule(mesa: Mesa, details: Details, held: bool, by: User) -> Meeting:
    """A new session with the next number. ``held`` records one that already took place: a
    session in the past cannot be "scheduled", and one in the future cannot have been held."""
    start, end = _check(details)
    now = clock.now()
    if not held and start <= now:
        raise Refused(
            _l(
                "That date and time have already passed, so the session cannot be scheduled. "
                "To record a session that already took place, choose “It already took place”."
            ),
            status=INVALID,
        )
    if held and start > now:
        raise Refused(
            _l("A session that has not started yet cannot be recorded as held."), status=INVALID
        )
    last = db.session.scalar(
        sa.select(sa.func.max(Meeting.number)).where(Meeting.mesa_id == mesa.id)
    )
    meeting = Meeting(
        mesa=mesa,
        number=(last or 0) + 1,
        status=MeetingStatus.HELD if held else MeetingStatus.SCHEDULED,
        created_by_id=by.id,
    )
    _apply(meeting, details, start, end)
    db.session.add(meeting)
    db.session.flush()
    if not held:
        events.meeting_scheduled(meeting, by)
    return meeting


def update(meeting: Meeting, details: Details, by: User | None = None) -> None:
    if meeting.is_cancelled:
        raise Refused(_l("This session was cancelled; it can no longer be changed."))
    start, end = _check(details)
    today = clock.today()
    if meeting.is_scheduled and start <= clock.now() and start.astimezone(SANTIAGO).date() != today:
        raise Refused(
            _l(
                "A scheduled session cannot be moved to a day that has passed. If it took "
                "place, mark it as held."
            ),
            status=INVALID,
        )
    if meeting.status == MeetingStatus.HELD and start > clock.now():
        raise Refused(_l("A session that was held cannot be moved to the future."), status=INVALID)
    before_at, before_place = meeting.starts_at, meeting.place
    _apply(meeting, details, start, end)
    if meeting.is_scheduled and (before_at != start or before_place != meeting.place):
        db.session.flush()
        events.meeting_moved(meeting, before_at, before_place, by)


def start_now(meeting: Meeting) -> None:
    """The secretary starts the session now, earlier than announced, on its day: from then on
    agreements and commitments are recorded in it."""
    if not meeting.is_scheduled:
        raise Refused(_l("Only a scheduled session can be started."))
    if meeting.has_started:
        raise Refused(_l("This session has already started."))
    if not meeting.is_today:
        raise Refused(
            _l(
                "This session is on %(when)s; it can be started on its day. To hold it today, "
                "change its date first.",
                when=formatting.datetime(meeting.starts_at),
            )
        )
    now = clock.now().replace(second=0, microsecond=0)
    length = meeting.ends_at - meeting.starts_at
    meeting.starts_at = now
    if meeting.ends_at <= now:
        meeting.ends_at = now + length


def mark_held(meeting: Meeting) -> None:
    """Records that the session took place: once it started, or at any time on its day (it
    then counts as started now)."""
    if not meeting.is_scheduled:
        raise Refused(_l("Only a scheduled session can be marked as held."))
    if not meeting.may_be_marked_held:
        raise Refused(
            _l(
                "This session is on %(when)s; it can be marked as held from its day on.",
                when=formatting.datetime(meeting.starts_at),
            )
        )
    if not meeting.has_started:
        start_now(meeting)
    meeting.status = MeetingStatus.HELD
    meeting.status_changed_at = clock.now()


def cancel(meeting: Meeting, reason: str, by: User | None = None) -> None:
    if not meeting.is_scheduled:
        raise Refused(_l("Only a scheduled session can be cancelled."))
    meeting.status = MeetingStatus.CANCELLED
    meeting.status_reason = reason
    meeting.status_changed_at = clock.now()
    db.session.flush()
    events.meeting_cancelled(meeting, by)


def send_agenda(meeting: Meeting, by: User) -> int:
    """Sends the agenda to the members (again, after a change). Returns how many were told."""
    if not meeting.is_scheduled or meeting.has_started:
        raise Refused(_l("The agenda is sent before the session starts."))
    items = agenda(meeting)
    if not items:
        raise Refused(_l("Add the agenda's items before sending it."))
    meeting.agenda_sent_at = clock.now()
    return events.agenda_published(meeting, items, by)


def _open(meeting: Meeting) -> None:
    if meeting.is_cancelled:
        raise Refused(_l("This session was cancelled; nothing more can be recorded in it."))


# The agenda ------------------------------------------------------------------------------------


def agenda(meeting: Meeting) -> list[AgendaItem]:
    return list(
        db.session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .options(sa.orm.selectinload(AgendaItem.initiative))
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


def add_item(
    meeting: Meeting, title: str, notes: str, initiative_id: int | None = None
) -> AgendaItem:
    _open(meeting)
    last = db.session.scalar(
        sa.select(sa.func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)
    )
    item = AgendaItem(
        meeting=meeting,
        position=(last or 0) + 1,
        title=title,
        notes=notes,
        initiative_id=initiative_id,
    )
    db.session.add(item)
    db.session.flush()
    return item


def update_item(item: AgendaItem, title: str, notes: str, initiative_id: int | None = None) -> None:
    _open(item.meeting)
    item.title, item.notes, item.initiative_id = title, notes, initiative_id


def move_item(item: AgendaItem, up: bool) -> None:
    """Swap the item with its neighbour; the first cannot go up nor the last down."""
    _open(item.meeting)
    items = agenda(item.meeting)
    index = items.index(item)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items, start=1):
        each.position = position


def remove_item(item: AgendaItem) -> None:
    _open(item.meeting)
    if not item.meeting.is_scheduled:
        raise Refused(_l("The session was held; its agenda is part of the record."))
    meeting = item.meeting
    db.session.delete(item)
    db.session.flush()
    for position, each in enumerate(agenda(meeting), start=1):
        each.position = position


# Attendance and quorum ---------------------------------------------------------------------


def seated_on(meeting: Meeting) -> list[Membership]:
    """Everybody who sat at the mesa on the day of the session, observers included, by name."""
    day = meeting.day
    return list(
        db.session.scalars(
            sa.select(Membership)
            .join(Person, Person.id == Membership.person_id)
            .where(
                Membership.mesa_id == meeting.mesa_id,
                Membership.started_on <= day,
                sa.or_(Membership.ended_on.is_(None), Membership.ended_on >= day),
            )
            .options(
                sa.orm.joinedload(Membership.person).joinedload(Person.user),
                sa.orm.joinedload(Membership.organization),
            )
            .order_by(Person.name, Membership.id)
        ).unique()
    )


def present_ids(meeting: Meeting) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(Attendance.membership_id).where(Attendance.meeting_id == meeting.id)
        )
    )


def guests(meeting: Meeting) -> list[Guest]:
    return list(
        db.session.scalars(
            sa.select(Guest).where(Guest.meeting_id == meeting.id).order_by(Guest.id)
        )
    )


@dataclass(frozen=True)
class Quorum:
    active: int  # members who count for quorum (observers do not)
    present: int  # of those, how many are here
    needed: int

    @property
    def reached(self) -> bool:
        return self.active > 0 and self.present >= self.needed

    @property
    def missing(self) -> int:
        return max(self.needed - self.present, 0)


def quorum(meeting: Meeting, seated: list[Membership], present: set[int]) -> Quorum:
    voting = [m for m in seated if m.role in TAKING_PART_ROLES]
    here = sum(1 for m in voting if m.id in present)
    return Quorum(
        active=len(voting), present=here, needed=meeting.mesa.quorum_rule.needed(len(voting))
    )


def check_correction(meeting: Meeting, reason: str | None) -> None:
    """Refuses a change to the record of a session whose acta is approved unless it says why
    (``note_correction`` then keeps it)."""
    if meeting.record_is_settled and not (reason or "").strip():
        raise Refused(
            _l(
                "The acta of this session is approved: its record changes only through a "
                "correction. Say why it is corrected; the acta will show it."
            ),
            status=INVALID,
        )


def note_correction(meeting: Meeting, what: object, reason: str | None, by: User) -> None:
    """Keeps a change to the record of a session whose acta is approved, with its reason, for
    the acta to show; refused without a reason. Nothing happens before approval: the acta is
    still being written."""
    check_correction(meeting, reason)
    if meeting.record_is_settled:
        db.session.add(
            RecordCorrection(
                meeting_id=meeting.id,
                made_by_id=by.id,
                what=str(what)[:300],
                reason=(reason or "").strip(),
            )
        )


def record_attendance(
    meeting: Meeting, present: set[int], unnamed: int, by: User, correction: str | None = None
) -> tuple[int, int]:
    """Sets who is present (membership ids) and how many unnamed people came. Returns how
    many were added and removed. Once the acta is approved, a change needs ``correction``."""
    _open(meeting)
    seated = {m.id for m in seated_on(meeting)}
    unknown = present - seated
    if unknown:
        raise Refused(_l("Someone in the list does not sit at this mesa."), status=INVALID)
    if unnamed < 0:
        raise Refused(_l("The number of other people cannot be negative."), status=INVALID)
    before = present_ids(meeting)
    gone = before - present
    if gone:
        db.session.execute(
            sa.delete(Attendance).where(
                Attendance.meeting_id == meeting.id, Attendance.membership_id.in_(gone)
            )
        )
    for membership_id in sorted(present - before):
        db.session.add(
            Attendance(meeting_id=meeting.id, membership_id=membership_id, recorded_by_id=by.id)
        )
    changed = bool(gone or present - before) or unnamed != meeting.unnamed_attendees
    if changed:
        note_correction(
            meeting,
            _l(
                "Attendance changed: %(added)d marked present, %(gone)d no longer present, "
                "%(unnamed)d other people from the community.",
                added=len(present - before),
                gone=len(gone),
                unnamed=unnamed,
            ),
            correction,
            by,
        )
    meeting.unnamed_attendees = unnamed
    db.session.flush()
    return len(present - before), len(gone)


def add_guest(
    meeting: Meeting, name: str, organization: str, by: User, correction: str | None = None
) -> Guest:
    _open(meeting)
    note_correction(meeting, _l("Guest added: %(name)s.", name=name), correction, by)
    guest = Guest(meeting_id=meeting.id, name=name, organization=organization)
    db.session.add(guest)
    db.session.flush()
    return guest


def remove_guest(guest: Guest, by: User, correction: str | None = None) -> None:
    meeting = db.session.get(Meeting, guest.meeting_id)
    assert meeting is not None
    note_correction(meeting, _l("Guest removed: %(name)s.", name=guest.name), correction, by)
    db.session.delete(guest)
