"""The printed notices of members without an email: one sheet each, handed out at a session.

What a member with an account reads in their notices and ``/pendientes``, on paper: what the
mesa did since its last session (agreements, commitments taken, validated or given a new date,
rounds opened, sessions called), the agenda of this session, and what waits for the member's
own institution. A fixed number of queries for the whole pile, however many members.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.commitments.models import OPEN_STATUSES, Commitment, DueDateChange
from portal.extensions import db
from portal.meetings import services as meetings
from portal.meetings.models import AgendaItem, Agreement, Meeting, MeetingStatus
from portal.mesas.models import Membership, Mesa, Person
from portal.rounds.models import Round, RoundStatus

# Without an earlier session, the sheet covers this many days.
FIRST_SHEET_DAYS = 60


@dataclass
class News:
    """What the mesa did since its previous session: the same on every member's sheet."""

    since: dt.datetime
    agreements: list[Agreement]
    commitments: list[Commitment]
    validated: list[Commitment]
    new_dates: list[DueDateChange]
    rounds: list[Round]
    sessions: list[Meeting]
    agenda: list[AgendaItem]


@dataclass
class Sheet:
    membership: Membership
    # Open commitments of the institution the member sits for, overdue first.
    to_report: list[Commitment] = field(default_factory=list)


def without_email(mesa: Mesa) -> list[Membership]:
    """Current members kept on record (no account, so no email)."""
    return list(
        db.session.scalars(
            sa.select(Membership)
            .join(Person, Person.id == Membership.person_id)
            .where(
                Membership.mesa_id == mesa.id,
                Membership.ended_on.is_(None),
                Person.user_id.is_(None),
            )
            .options(joinedload(Membership.person), joinedload(Membership.organization))
            .order_by(Person.name, Membership.id)
        )
    )


def news_for(meeting: Meeting) -> News:
    mesa_id = meeting.mesa_id
    previous = db.session.scalar(
        sa.select(Meeting.starts_at)
        .where(
            Meeting.mesa_id == mesa_id,
            Meeting.status == MeetingStatus.HELD,
            Meeting.starts_at < meeting.starts_at,
        )
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )
    since = previous or meeting.starts_at - dt.timedelta(days=FIRST_SHEET_DAYS)
    commitments = sa.select(Commitment).options(joinedload(Commitment.organization))
    return News(
        since=since,
        agreements=list(
            db.session.scalars(
                sa.select(Agreement)
                .where(Agreement.mesa_id == mesa_id, Agreement.created_at >= since)
                .order_by(Agreement.year, Agreement.number)
            )
        ),
        commitments=list(
            db.session.scalars(
                commitments.where(
                    Commitment.mesa_id == mesa_id, Commitment.created_at >= since
                ).order_by(Commitment.due_on, Commitment.id)
            )
        ),
        validated=list(
            db.session.scalars(
                commitments.where(
                    Commitment.mesa_id == mesa_id, Commitment.validated_at >= since
                ).order_by(Commitment.validated_at)
            )
        ),
        new_dates=list(
            db.session.scalars(
                sa.select(DueDateChange)
                .join(Commitment, Commitment.id == DueDateChange.commitment_id)
                .where(Commitment.mesa_id == mesa_id, DueDateChange.changed_at >= since)
                .options(joinedload(DueDateChange.commitment).joinedload(Commitment.organization))
                .order_by(DueDateChange.changed_at)
            )
        ),
        rounds=list(
            db.session.scalars(
                sa.select(Round)
                .where(Round.mesa_id == mesa_id, Round.status == RoundStatus.OPEN)
                .order_by(Round.created_at)
            )
        ),
        sessions=list(
            db.session.scalars(
                sa.select(Meeting)
                .where(
                    Meeting.mesa_id == mesa_id,
                    Meeting.status == MeetingStatus.SCHEDULED,
                    Meeting.starts_at > meeting.starts_at,
                )
                .order_by(Meeting.starts_at)
            )
        ),
        agenda=meetings.agenda(meeting),
    )


def sheets_for(meeting: Meeting) -> tuple[News, list[Sheet]]:
    members = without_email(meeting.mesa)
    sheets = [Sheet(m) for m in members]
    institutions = {m.organization_id for m in members if m.organization_id is not None}
    if institutions:
        open_ones = db.session.scalars(
            sa.select(Commitment)
            .where(
                Commitment.mesa_id == meeting.mesa_id,
                Commitment.organization_id.in_(institutions),
                Commitment.status.in_(OPEN_STATUSES),
                Commitment.reported_done_on.is_(None),
            )
            .order_by(Commitment.due_on, Commitment.id)
        ).all()
        for sheet in sheets:
            sheet.to_report = [
                c for c in open_ones if c.organization_id == sheet.membership.organization_id
            ]
    return news_for(meeting), sheets
