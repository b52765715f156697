"""Read queries for the cuenta pública of a territory or a mesa (the feeds: ``events``).

Only public commitments, and of the observations only the published ones. Each function runs a
fixed number of queries whatever the data. No request object in here: the routes pass the
scope, the period and today's date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from portal.commitments import states
from portal.commitments.models import (
    OPEN_STATUSES,
    Commitment,
    DueDateChange,
    Observation,
    ObservationStatus,
    ProgressUpdate,
    Validation,
)
from portal.commitments.states import State
from portal.core.clock import SANTIAGO
from portal.core.forms import typed_day
from portal.extensions import db
from portal.mesas.models import ActorType, Organization

# Longer periods make reports nobody can hand out.
MAX_PERIOD_YEARS = 5
# Dates a report can start or end on.
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Scope:
    """Whose commitments: a territory's, a mesa's or an institution's (one of the three)."""

    territory_id: int | None = None
    mesa_id: int | None = None
    organization_id: int | None = None

    def clause(self) -> sa.ColumnElement[bool]:
        if self.territory_id is not None:
            return Commitment.territory_id == self.territory_id
        if self.mesa_id is not None:
            return Commitment.mesa_id == self.mesa_id
        if self.organization_id is not None:
            return Commitment.organization_id == self.organization_id
        raise ValueError("a scope names a territory, a mesa or an organization")


def visible(scope: Scope) -> sa.ColumnElement[bool]:
    return sa.and_(Commitment.is_public.is_(True), scope.clause())


# The period of a report --------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def utc_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """From the first instant of ``start`` to the first of the day after ``end``, in
        Santiago, as UTC times to compare with stored timestamps."""
        first = dt.datetime.combine(self.start, dt.time(), SANTIAGO)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), SANTIAGO)
        return first.astimezone(dt.UTC), after.astimezone(dt.UTC)


@dataclass
class PeriodChoice:
    """What was asked for in ``desde`` and ``hasta``, as typed, and the period it makes, or
    the errors that keep it from making one (by field: ``desde``, ``hasta`` or ``""``)."""

    desde: str
    hasta: str
    period: Period | None = None
    errors: dict[str, str] = field(default_factory=dict)
    # Fields whose text is no date at all: a date input could not show it, a text input does.
    unreadable: set[str] = field(default_factory=set)


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def choose_period(desde: str | None, hasta: str | None, today: dt.date) -> PeriodChoice:
    """The period from the form's two dates: by default the current year up to today."""
    typed_from, typed_until = (desde or "").strip()[:40], (hasta or "").strip()[:40]
    choice = PeriodChoice(typed_from, typed_until)
    days: dict[str, dt.date] = {}
    for name, typed, default in (
        ("desde", typed_from, today.replace(month=1, day=1)),
        ("hasta", typed_until, today),
    ):
        if not typed:
            days[name] = default
            continue
        day = typed_day(typed)
        if day is None:
            choice.unreadable.add(name)
            choice.errors[name] = _("Write the date as day-month-year, for example 31-12-2026.")
            continue
        # Shown back in a date field, which takes year-month-day only.
        setattr(choice, name, day.isoformat())
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            choice.errors[name] = _(
                "Choose a date between the years %(first)d and %(last)d.",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        days[name] = day
    if choice.errors:
        return choice
    start, end = days["desde"], days["hasta"]
    if start > end:
        choice.errors["desde"] = _("The start of the period must come before its end.")
    elif end >= _years_later(start, MAX_PERIOD_YEARS):
        choice.errors["hasta"] = _(
            "The period can be at most %(years)d years long.", years=MAX_PERIOD_YEARS
        )
    else:
        choice.period = Period(start, end)
    return choice


# The cuenta pública ------------------------------------------------------------------------------


@dataclass
class Line:
    commitment: Commitment
    state: State
    # How many times its due date changed.
    changes: int
    last_update: ProgressUpdate | None
    validation: Validation | None


@dataclass
class InstitutionLine:
    organization: Organization
    received: int = 0
    fulfilled: int = 0
    overdue: int = 0


@dataclass
class ActorLine:
    actor_type: ActorType
    commitments: int = 0
    # Pesos promised (cancelled commitments left out) and pesos of fulfilled commitments.
    committed: int = 0
    fulfilled: int = 0


@dataclass
class Observed:
    """A published observation with what it is about."""

    observation: Observation
    deliverable: str
    institution: str


@dataclass
class Report:
    period: Period
    today: dt.date
    # The lines of the page asked for, and how many there are in all.
    lines: list[Line]
    total: int
    # The latest observations, and how many were published in the period.
    observations: list[Observed]
    observations_total: int
    states: dict[str, int]
    institutions: list[InstitutionLine]
    actors: list[ActorLine]
    taken: int
    on_time: int
    late: int
    rescheduled: int


def _in_force(period: Period) -> sa.ColumnElement[bool]:
    """In force at some moment of the period: taken by its end, and open today or closed (by
    the mesa's validation or a cancellation) after it began. This takes in those taken, due or
    changed in the period, and those nobody touched while they stayed overdue."""
    first, _after = period.utc_bounds
    closed_at = sa.func.coalesce(Commitment.validated_at, Commitment.cancelled_at)
    return sa.and_(
        Commitment.committed_on <= period.end,
        sa.or_(Commitment.status.in_(sorted(OPEN_STATUSES)), closed_at >= first),
    )


# The commitments one by one, a page at a time: a territory's period can hold a thousand, and
# the report is read on a phone and printed. The whole list is the open data's file.
LINES_PER_PAGE = 50
# The observations of the period: the latest ones (each commitment's page has them all).
OBSERVATIONS_SHOWN = 30


def public_report(
    scope: Scope,
    period: Period,
    today: dt.date,
    *,
    first: int = 0,
    shown: int = LINES_PER_PAGE,
    observations_shown: int = OBSERVATIONS_SHOWN,
) -> Report:
    """The cuenta pública: the scope's public commitments in force during the period with
    their state today. The counts cover them all and are counted by the database; the lines
    are ``shown`` of them from the ``first`` (by their current date), and the observations the
    latest ``observations_shown`` published in the period. Five queries at most, and what
    they bring back does not grow with the data: the counts, the institutions counted, the
    lines (with institution, mesa, validation and how many times their date changed), their
    last updates, and the observations."""
    where = sa.and_(visible(scope), _in_force(period))
    counts, institutions, actors = _counted(where, period, today)

    changes = (
        sa.select(sa.func.count(DueDateChange.id))
        .where(DueDateChange.commitment_id == Commitment.id)
        .correlate(Commitment)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Commitment, Validation, changes.label("changes"))
        .outerjoin(Validation, Validation.commitment_id == Commitment.id)
        .where(where)
        .options(
            joinedload(Commitment.organization),
            joinedload(Commitment.mesa),
            joinedload(Validation.meeting),
            joinedload(Validation.agreement),
        )
        .order_by(Commitment.due_on, Commitment.id)
        .offset(first)
        .limit(shown)
    ).all()
    last_updates = _last_updates([commitment.id for commitment, _v, _c in rows])
    lines = [
        Line(
            commitment=commitment,
            state=states.of(commitment, today),
            changes=count or 0,
            last_update=last_updates.get(commitment.id),
            validation=validation,
        )
        for commitment, validation, count in rows
    ]

    first_instant, after = period.utc_bounds
    published_at = sa.func.coalesce(Observation.moderated_at, Observation.created_at)
    latest = db.session.execute(
        sa.select(
            Observation,
            Commitment.deliverable,
            Organization.name,
            Organization.short_name,
            sa.func.count().over().label("total"),
        )
        .join(Commitment, Commitment.id == Observation.commitment_id)
        .join(Organization, Organization.id == Commitment.organization_id)
        .where(
            visible(scope),
            Observation.status == ObservationStatus.PUBLISHED,
            published_at >= first_instant,
            published_at < after,
        )
        .order_by(published_at.desc(), Observation.id.desc())
        .limit(observations_shown)
    ).all()
    observations = [
        Observed(observation, deliverable, short_name or org_name)
        for observation, deliverable, org_name, short_name, _total in reversed(latest)
    ]
    return Report(
        period=period,
        today=today,
        lines=lines,
        total=counts.total,
        observations=observations,
        observations_total=latest[0].total if latest else 0,
        states={key: counts.states.get(key, 0) for key in states.IN_TABLE_ORDER},
        institutions=institutions,
        actors=actors,
        taken=counts.taken,
        on_time=counts.on_time,
        late=counts.late,
        rescheduled=counts.rescheduled,
    )


@dataclass
class _Counts:
    """What ``_counted`` counts over all the report's commitments."""

    states: Counter[State] = field(default_factory=Counter)
    total: int = 0
    taken: int = 0  # in the period
    on_time: int = 0  # fulfilled, by their original date
    late: int = 0  # fulfilled, after it
    rescheduled: int = 0


def _counted(
    where: sa.ColumnElement[bool], period: Period, today: dt.date
) -> tuple[_Counts, list[InstitutionLine], list[ActorLine]]:
    """The report's counts over every commitment ``where`` holds, grouped in the database by
    institution and state (two queries: the counts, and the institutions they name)."""

    def one_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.case((condition, 1), else_=0)

    facts = (
        sa.select(
            Commitment.organization_id.label("organization"),
            states.case(today).label("state"),
            sa.func.coalesce(Commitment.amount, 0).label("amount"),
            one_if(Commitment.committed_on >= period.start).label("taken"),
            one_if(Commitment.fulfilled(on_time=True)).label("on_time"),
            one_if(Commitment.fulfilled(on_time=False)).label("late"),
            one_if(sa.exists().where(DueDateChange.commitment_id == Commitment.id)).label(
                "rescheduled"
            ),
        )
        .where(where)
        .subquery()
    )
    grouped = db.session.execute(
        sa.select(
            facts.c.organization,
            facts.c.state,
            sa.func.count(),
            sa.func.sum(facts.c.amount),
            sa.func.sum(facts.c.taken),
            sa.func.sum(facts.c.on_time),
            sa.func.sum(facts.c.late),
            sa.func.sum(facts.c.rescheduled),
        ).group_by(facts.c.organization, facts.c.state)
    ).all()
    organizations = {
        org.id: org
        for org in db.session.scalars(
            sa.select(Organization).where(Organization.id.in_({row[0] for row in grouped}))
        )
    }
    counts = _Counts()
    by_institution: dict[int, InstitutionLine] = {}
    actors = {actor: ActorLine(actor) for actor in ActorType}
    for org_id, state_value, n, *sums in grouped:
        # PostgreSQL sums big integers as decimals.
        amount, taken, on_time, late, rescheduled = (int(x) for x in sums)
        state = State(state_value)
        org = organizations[org_id]
        counts.states[state] += n
        counts.total += n
        counts.taken += taken
        counts.rescheduled += rescheduled
        institution = by_institution.setdefault(org_id, InstitutionLine(org))
        institution.received += n
        actor = actors[ActorType(org.actor_type)]
        actor.commitments += n
        if state != State.CANCELLED:
            actor.committed += amount
        if state == State.FULFILLED:
            institution.fulfilled += n
            actor.fulfilled += amount
            counts.on_time += on_time
            counts.late += late
        if state == State.OVERDUE:
            institution.overdue += n
    return (
        counts,
        sorted(by_institution.values(), key=lambda i: i.organization.name.lower()),
        [actor for actor in actors.values() if actor.commitments],
    )


def _last_updates(ids: list[int]) -> dict[int, ProgressUpdate]:
    """{commitment id: its latest progress update} for the commitments ``ids``."""
    if not ids:
        return {}
    ranked = (
        sa.select(
            ProgressUpdate.id,
            sa.func.row_number()
            .over(
                partition_by=ProgressUpdate.commitment_id,
                order_by=(ProgressUpdate.reported_on.desc(), ProgressUpdate.id.desc()),
            )
            .label("rank"),
        )
        .where(ProgressUpdate.commitment_id.in_(ids))
        .subquery()
    )
    return {
        update.commitment_id: update
        for update in db.session.scalars(
            sa.select(ProgressUpdate)
            .join(ranked, ranked.c.id == ProgressUpdate.id)
            .where(ranked.c.rank == 1)
        )
    }
