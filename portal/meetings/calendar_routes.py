"""The calendar of a mesa: a session to add to one's calendar, and the feed to subscribe to.
Sessions are public, so both are too."""

from __future__ import annotations

from flask import Response, abort

from portal.core import clock
from portal.core.links import external_url, site_host
from portal.meetings import bp, calendar
from portal.meetings.models import Meeting
from portal.meetings.queries import meeting_or_404
from portal.mesas import queries as mesa_queries
from portal.mesas.models import Mesa

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _link(mesa: Mesa):  # type: ignore[no-untyped-def]
    def link(meeting: Meeting) -> str:
        return external_url("meetings.meeting", slug=mesa.slug, number=meeting.number)

    return link


@bp.route("/mesas/<slug>/sesiones/<int:number>/calendario.ics")
def meeting_ics(slug: str, number: int):
    mesa, meeting = meeting_or_404(slug, number)
    cal = calendar.calendar(mesa, [meeting], host=site_host(), link=_link(mesa))
    filename = f"sesion-{meeting.number}-{mesa.slug}.ics"
    return Response(
        cal.to_ical(),
        headers={
            "Content-Type": CONTENT_TYPE,
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


@bp.route("/mesas/<slug>/calendario.ics")
def mesa_calendar(slug: str):
    mesa = mesa_queries.mesa_by_slug(slug)
    if mesa is None:
        abort(404)
    now = clock.now()
    meetings = calendar.feed_meetings(mesa, now)
    cal = calendar.calendar(mesa, meetings, host=site_host(), link=_link(mesa), now=now, feed=True)
    return Response(
        cal.to_ical(),
        headers={
            "Content-Type": CONTENT_TYPE,
            "Content-Disposition": f'inline; filename="calendario-{mesa.slug}.ics"',
            "Cache-Control": "public, max-age=300",
        },
    )
