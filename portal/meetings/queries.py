"""Reading sessions and what was recorded in them."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import abort

from portal.core import clock
from portal.extensions import db
from portal.meetings.models import Agreement, Meeting, MeetingStatus, Minutes, MinutesStatus
from portal.mesas import queries as mesa_queries
from portal.mesas.models import Mesa


def meeting_or_404(slug: str, number: int) -> tuple[Mesa, Meeting]:
    """The mesa and its session number ``number``; 404 if either is unknown."""
    mesa = mesa_queries.mesa_by_slug(slug)
    if mesa is None:
        abort(404)
    meeting = db.session.scalar(
        sa.select(Meeting).where(Meeting.mesa_id == mesa.id, Meeting.number == number)
    )
    if meeting is None:
        abort(404)
    return mesa, meeting


def meetings_of(mesa: Mesa) -> tuple[list[Meeting], list[Meeting]]:
    """Upcoming sessions (soonest first) and the rest (newest first)."""
    rows = list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.mesa_id == mesa.id)
            .options(sa.orm.selectinload(Meeting.minutes))
            .order_by(Meeting.starts_at.desc(), Meeting.number.desc())
        )
    )
    now = clock.now()
    upcoming = [m for m in rows if m.status == MeetingStatus.SCHEDULED and m.ends_at >= now]
    past = [m for m in rows if m not in upcoming]
    return list(reversed(upcoming)), past


def published_record(mesa: Mesa) -> list[tuple[Meeting, list[Agreement]]]:
    """Sessions whose acta is published, newest first, each with its agreements."""
    meetings = list(
        db.session.scalars(
            sa.select(Meeting)
            .join(Minutes, Minutes.meeting_id == Meeting.id)
            .where(Meeting.mesa_id == mesa.id, Minutes.status == MinutesStatus.PUBLISHED)
            .options(sa.orm.contains_eager(Meeting.minutes))
            .order_by(Meeting.starts_at.desc())
        )
    )
    agreements: dict[int, list[Agreement]] = {m.id: [] for m in meetings}
    if meetings:
        for agreement in db.session.scalars(
            sa.select(Agreement)
            .where(Agreement.meeting_id.in_(agreements))
            .options(sa.orm.selectinload(Agreement.initiatives))
            .order_by(Agreement.year, Agreement.number)
        ):
            agreements[agreement.meeting_id].append(agreement)
    return [(m, agreements[m.id]) for m in meetings]


def agreement_or_404(slug: str, year: int, number: int) -> tuple[Mesa, Agreement]:
    mesa = mesa_queries.mesa_by_slug(slug)
    if mesa is None:
        abort(404)
    agreement = db.session.scalar(
        sa.select(Agreement).where(
            Agreement.mesa_id == mesa.id, Agreement.year == year, Agreement.number == number
        )
    )
    if agreement is None:
        abort(404)
    return mesa, agreement


def _upcoming() -> sa.ColumnElement[bool]:
    return sa.and_(Meeting.status == MeetingStatus.SCHEDULED, Meeting.ends_at >= clock.now())


def next_meeting(mesa: Mesa) -> Meeting | None:
    """The next scheduled session, for the mesa's public page."""
    return db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.mesa_id == mesa.id, _upcoming())
        .order_by(Meeting.starts_at)
        .limit(1)
    )


def next_meetings(mesas: list[Mesa]) -> dict[int, Meeting]:
    """{mesa id: its next scheduled session} for several mesas, in one query."""
    ids = [m.id for m in mesas]
    if not ids:
        return {}
    first = (
        sa.select(Meeting.mesa_id, sa.func.min(Meeting.starts_at).label("starts_at"))
        .where(Meeting.mesa_id.in_(ids), _upcoming())
        .group_by(Meeting.mesa_id)
        .subquery()
    )
    found = db.session.scalars(
        sa.select(Meeting).join(
            first,
            sa.and_(Meeting.mesa_id == first.c.mesa_id, Meeting.starts_at == first.c.starts_at),
        )
    )
    return {m.mesa_id: m for m in found}


def turns_after(after: dt.datetime) -> tuple[sa.ScalarSelect, sa.ScalarSelect]:  # type: ignore[type-arg]
    """The next instant after ``after`` at which a session starts, and at which one ends, as
    subqueries: what a page says of sessions (upcoming, under way, past) can change then
    without anything being written."""
    return (
        sa.select(sa.func.min(Meeting.starts_at))
        .where(Meeting.starts_at > after)
        .scalar_subquery(),
        sa.select(sa.func.min(Meeting.ends_at)).where(Meeting.ends_at > after).scalar_subquery(),
    )
