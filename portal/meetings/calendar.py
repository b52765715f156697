"""Sessions as iCalendar (RFC 5545): one ``.ics`` per session and a feed per mesa.

Built without the request: the caller gives the host for the UIDs and the absolute address of
each session's page. Times are written in America/Santiago with its VTIMEZONE, so a calendar
app shows the hour the mesa meets whatever the device's own zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import icalendar
import sqlalchemy as sa
from flask_babel import gettext as _

from portal.core import clock
from portal.core.clock import TIME_ZONE
from portal.extensions import db
from portal.meetings import labels
from portal.meetings.models import Meeting
from portal.mesas.models import Mesa

PRODID = "-//Portal de las mesas//ES"
TIMEZONE = TIME_ZONE
# How often a subscribed calendar app should fetch the feed again.
REFRESH = dt.timedelta(hours=1)
# The feed: sessions that started up to this long ago, and every later one.
FEED_PAST = dt.timedelta(days=365)


def feed_meetings(mesa: Mesa, now: dt.datetime) -> list[Meeting]:
    """The sessions of the mesa from twelve months before ``now`` on, oldest first, cancelled
    ones included: one query."""
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.mesa_id == mesa.id, Meeting.starts_at >= now - FEED_PAST)
            .order_by(Meeting.starts_at, Meeting.number)
        )
    )


def sequence(meeting: Meeting) -> int:
    """Grows whenever the session changes (date, place, status), so a calendar app that
    already has the event takes the new version: minutes from creation to the last change."""
    changed = meeting.updated_at or meeting.created_at
    if changed <= meeting.created_at:
        return 0
    return max(1, (changed - meeting.created_at) // dt.timedelta(minutes=1))


def summary(mesa: Mesa, meeting: Meeting) -> str:
    text = _(
        "Session %(number)s (%(kind)s) · %(mesa)s",
        number=meeting.number,
        kind=str(labels.MEETING_KIND[meeting.kind]).lower(),
        mesa=mesa.name,
    )
    if meeting.is_cancelled:
        # Some calendar apps ignore STATUS; the title says it too.
        return _("Cancelled: %(title)s", title=text)
    return text


def location(meeting: Meeting) -> str:
    # The link to join online is for members only; it is never in a public calendar.
    return meeting.place.strip()


def description(meeting: Meeting, link: str) -> str:
    lines = []
    if meeting.is_cancelled:
        reason = meeting.status_reason.strip()
        lines.append(
            _("This session was cancelled: %(reason)s", reason=reason)
            if reason
            else _("This session was cancelled.")
        )
    lines.append(_("Modality: %(modality)s", modality=labels.MODALITY[meeting.modality]))
    lines.append(_("The session on the portal: %(url)s", url=link))
    return "\n".join(lines)


def event(mesa: Mesa, meeting: Meeting, *, host: str, link: str, now: dt.datetime):
    found = icalendar.Event()
    found.add("uid", f"meeting-{meeting.id}@{host}")
    found.add("dtstamp", now)
    found.add("created", meeting.created_at)
    found.add("last-modified", meeting.updated_at or meeting.created_at)
    found.add("sequence", sequence(meeting))
    found.add("dtstart", meeting.local_start)
    found.add("dtend", meeting.local_end)
    found.add("summary", summary(mesa, meeting))
    if place := location(meeting):
        found.add("location", place)
    found.add("url", link)
    found.add("description", description(meeting, link))
    cancelled = meeting.is_cancelled
    found.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # Nobody's free time is blocked by a cancelled session.
    found.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return found


def calendar(
    mesa: Mesa,
    meetings: Iterable[Meeting],
    *,
    host: str,
    link: Callable[[Meeting], str],
    now: dt.datetime | None = None,
    feed: bool = False,
) -> icalendar.Calendar:
    """A VCALENDAR with one VEVENT per session. ``link(meeting)`` is the absolute address of
    the session's page; ``host`` names the portal in the UIDs, which never change."""
    now = now or clock.now()
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", mesa.name)
    cal.add("name", mesa.name)
    cal.add("x-wr-timezone", TIMEZONE)
    if feed:
        cal.add("refresh-interval", icalendar.vDuration(REFRESH), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", icalendar.vDuration(REFRESH))
    meetings = list(meetings)
    for meeting in meetings:
        cal.add_component(event(mesa, meeting, host=host, link=link(meeting), now=now))
    if meetings:
        first = min(m.local_start for m in meetings).date()
        last = max(m.local_end for m in meetings).date()
        # The zone's rules for the years the sessions fall in, not 1970–2038.
        cal.add_missing_timezones(
            first_date=dt.date(first.year, 1, 1), last_date=dt.date(last.year + 1, 1, 1)
        )
        # Some apps read the VTIMEZONE before the events that use it.
        cal.subcomponents.sort(key=lambda component: component.name != "VTIMEZONE")
    return cal
