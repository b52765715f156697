"""``portal remind``: the reminders and digests of the day, for cron (twice a day is fine).

Every reminder has a key (what, which, for whom, and for which day or week); a key already
given is never given again, so a second run the same day sends nothing new. A run that was
missed is made up by the next: the reminders look at windows ("due within 14 days"), not at
single days.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from sqlalchemy.orm import joinedload

from portal.accounts.models import Notice, User
from portal.commitments.models import OPEN_STATUSES, Commitment
from portal.core import clock
from portal.core.clock import SANTIAGO
from portal.core.links import external_url, path_for, site_url
from portal.extensions import db
from portal.meetings import services as meetings
from portal.meetings.models import (
    Agreement,
    AgreementStatus,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
)
from portal.mesas.models import TAKING_PART_ROLES
from portal.notifications import outbox
from portal.notifications.events import managers, representatives, seated
from portal.notifications.models import Cadence
from portal.notifications.notices import notify
from portal.notifications.outbox import locale_of
from portal.rounds.models import Ballot, Round, takes_ballots

SESSION_AHEAD = 2  # days before a session: its agenda
DUE_AHEAD = (14, 3)  # days before a commitment falls due
ROUND_AHEAD = 2  # days before the session where an open round can close
UNAPPROVED_AFTER = 30  # days after a session whose acta is still not approved


@dataclass
class Run:
    """What one run gave, by kind."""

    given: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def count(self, kind: str, notice: Notice | None) -> None:
        if notice is not None:
            self.given[kind] += 1


def _week(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SANTIAGO).date()


def _scheduled_within(today: dt.date, days: int) -> sa.Select:
    """Scheduled sessions from now to the end of the day ``days`` days ahead (in Santiago)."""
    until = dt.datetime.combine(today + dt.timedelta(days=days + 1), dt.time(), SANTIAGO)
    return sa.select(Meeting).where(
        Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.starts_at > clock.now(),
        Meeting.starts_at < until,
    )


def sessions_soon(run: Run, today: dt.date) -> None:
    """The agenda two days before a session, to everyone seated."""
    for meeting in db.session.scalars(
        _scheduled_within(today, SESSION_AHEAD).options(joinedload(Meeting.mesa))
    ):
        link = path_for("meetings.meeting", slug=meeting.mesa.slug, number=meeting.number)
        items = meetings.agenda(meeting)
        for user in seated(meeting.mesa_id):
            run.count(
                "meeting_soon",
                notify(
                    user,
                    "meeting_soon",
                    link,
                    key=f"meeting_soon:{meeting.id}:{meeting.starts_at:%Y%m%d%H%M}:{user.id}",
                    meeting=meeting,
                    mesa=meeting.mesa,
                    items=items,
                ),
            )


def _open_commitments() -> sa.Select:
    return (
        sa.select(Commitment)
        .where(Commitment.status.in_(OPEN_STATUSES), Commitment.reported_done_on.is_(None))
        .options(joinedload(Commitment.organization), joinedload(Commitment.mesa))
    )


def _answerable(commitment: Commitment) -> list[User]:
    """Its institution's people at the mesa, and the mesa's chair and secretary, once each."""
    people = representatives(commitment) + managers(commitment.mesa_id)
    return list({u.id: u for u in people}.values())


def commitments_due(run: Run, today: dt.date) -> None:
    """14 and 3 days before a commitment falls due, to its institution and the secretary.
    A new due date is a new reminder."""
    for ahead in DUE_AHEAD:
        for commitment in db.session.scalars(
            _open_commitments().where(
                Commitment.due_on >= today, Commitment.due_on <= today + dt.timedelta(days=ahead)
            )
        ):
            link = path_for("commitments.commitment", commitment_id=commitment.id)
            days = (commitment.due_on - today).days
            for user in {
                u.id: u for u in representatives(commitment) + managers(commitment.mesa_id)
            }.values():
                run.count(
                    "commitment_due",
                    notify(
                        user,
                        "commitment_due",
                        link,
                        key=f"due{ahead}:{commitment.id}:{commitment.due_on}:{user.id}",
                        commitment=commitment,
                        organization=commitment.organization,
                        mesa=commitment.mesa,
                        days=days,
                    ),
                )


def commitments_overdue(run: Run, today: dt.date) -> None:
    """Once a week, to each person: the overdue commitments of their institution or mesa."""
    lines: dict[int, list[Commitment]] = defaultdict(list)
    people: dict[int, User] = {}
    for commitment in db.session.scalars(
        _open_commitments().where(Commitment.due_on < today).order_by(Commitment.due_on)
    ):
        for user in _answerable(commitment):
            people[user.id] = user
            if commitment not in lines[user.id]:
                lines[user.id].append(commitment)
    for user_id, found in lines.items():
        run.count(
            "commitment_overdue",
            notify(
                people[user_id],
                "commitment_overdue",
                path_for("notifications.pending_page"),
                key=f"overdue:{_week(today)}:{user_id}",
                lines=[
                    (c, external_url("commitments.commitment", commitment_id=c.id)) for c in found
                ],
            ),
        )


def actas_unapproved(run: Run, today: dt.date) -> None:
    """30 days after a held session whose acta is not approved, to its chair and secretary."""
    before = dt.datetime.combine(
        today - dt.timedelta(days=UNAPPROVED_AFTER - 1), dt.time(), SANTIAGO
    )
    unapproved = sa.or_(
        Minutes.id.is_(None), Minutes.status.in_([MinutesStatus.DRAFT, MinutesStatus.CIRCULATED])
    )
    for meeting in db.session.scalars(
        sa.select(Meeting)
        .outerjoin(Minutes, Minutes.meeting_id == Meeting.id)
        .where(Meeting.status == MeetingStatus.HELD, Meeting.starts_at < before, unapproved)
        .options(joinedload(Meeting.mesa))
    ):
        link = path_for("meetings.minutes", slug=meeting.mesa.slug, number=meeting.number)
        days = (today - _local_day(meeting.starts_at)).days
        for user in managers(meeting.mesa_id):
            run.count(
                "minutes_unapproved",
                notify(
                    user,
                    "minutes_unapproved",
                    link,
                    key=f"acta{UNAPPROVED_AFTER}:{meeting.id}:{user.id}",
                    meeting=meeting,
                    mesa=meeting.mesa,
                    days=days,
                ),
            )


def agreements_to_review(run: Run, today: dt.date) -> None:
    for agreement in db.session.scalars(
        sa.select(Agreement)
        .where(Agreement.status == AgreementStatus.IN_FORCE, Agreement.review_on <= today)
        .options(joinedload(Agreement.mesa))
    ):
        link = path_for(
            "meetings.agreement",
            slug=agreement.mesa.slug,
            year=agreement.year,
            number=agreement.number,
        )
        for user in managers(agreement.mesa_id):
            run.count(
                "agreement_review",
                notify(
                    user,
                    "agreement_review",
                    link,
                    key=f"review:{agreement.id}:{agreement.review_on}:{user.id}",
                    agreement=agreement,
                    mesa=agreement.mesa,
                ),
            )


def rounds_closing(run: Run, today: dt.date) -> None:
    """An open round whose mesa meets within two days: to those who have not voted."""
    for found in db.session.scalars(
        sa.select(Round).where(takes_ballots()).options(joinedload(Round.mesa))
    ):
        meeting = db.session.scalar(
            _scheduled_within(today, ROUND_AHEAD)
            .where(Meeting.mesa_id == found.mesa_id)
            .order_by(Meeting.starts_at)
            .limit(1)
        )
        if meeting is None:
            continue
        voted = set(
            db.session.scalars(sa.select(Ballot.user_id).where(Ballot.round_id == found.id))
        )
        for user in seated(found.mesa_id, roles=TAKING_PART_ROLES):
            if user.id in voted:
                continue
            run.count(
                "round_closing",
                notify(
                    user,
                    "round_closing",
                    path_for("rounds.round_page", round_id=found.id),
                    key=f"round_closing:{found.id}:{meeting.id}:{user.id}",
                    round=found,
                    mesa=found.mesa,
                    meeting=meeting,
                ),
            )


def digests(run: Run, today: dt.date) -> None:
    """One mail per person with the notices they chose to read in a digest: the daily ones
    every day, the weekly ones on the first run of the week. Each notice goes in one digest."""
    waiting = db.session.scalars(
        sa.select(Notice)
        .where(Notice.digest.is_not(None))
        .options(joinedload(Notice.user))
        .order_by(Notice.user_id, Notice.created_at, Notice.id)
    )
    grouped: dict[tuple[int, str], list[Notice]] = defaultdict(list)
    for notice in waiting:
        grouped[(notice.user_id, notice.digest or "")].append(notice)
    for (_user_id, cadence), notices in grouped.items():
        user = notices[0].user
        period = today.isoformat() if cadence == Cadence.DAILY else _week(today)
        key = f"digest:{cadence}:{period}:{user.id}"
        if outbox.queued(key):
            continue  # this period's digest went; these wait for the next one
        with force_locale(locale_of(user)):
            text = render_template(
                "notifications/digest.txt",
                notices=notices,
                daily=cadence == Cadence.DAILY,
                links=[site_url(n.link) if n.link else "" for n in notices],
                settings=external_url("notifications.settings"),
            )
        subject, _sep, body = text.strip().partition("\n")
        if user.active:
            outbox.enqueue(
                user.email, subject.strip(), body.strip() + "\n", kind="digest", user=user, key=key
            )
            run.given[f"digest_{cadence}"] += 1
        for notice in notices:
            notice.digest = None


STEPS = (
    sessions_soon,
    commitments_due,
    commitments_overdue,
    actas_unapproved,
    agreements_to_review,
    rounds_closing,
    digests,
)


def remind() -> dict[str, int]:
    """Gives the day's reminders and digests, in one transaction; returns how many of each."""
    run = Run()
    today = clock.today()
    for step in STEPS:
        step(run, today)
    db.session.commit()
    return dict(run.given)
