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

    def holds(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end


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
    # Taken during the period.
    taken: bool


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
    lines: list[Line]
    observations: list[Observed]
    states: dict[str, int]
    institutions: list[InstitutionLine]
    actors: list[ActorLine]
    taken: int
    on_time: int
    late: int
    rescheduled: int

    @property
    def validated(self) -> list[Line]:
        return [line for line in self.lines if line.validation is not None]


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


def public_report(scope: Scope, period: Period, today: dt.date) -> Report:
    """The cuenta pública: the scope's public commitments in force during the period with
    their state today. Three queries: the commitments (with institution, mesa, validation and
    how many times their date changed), their last updates, and the observations published in
    the period."""
    where = sa.and_(visible(scope), _in_force(period))
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
    ).all()

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
        .join(Commitment, Commitment.id == ProgressUpdate.commitment_id)
        .where(where)
        .subquery()
    )
    last_updates = {
        update.commitment_id: update
        for update in db.session.scalars(
            sa.select(ProgressUpdate)
            .join(ranked, ranked.c.id == ProgressUpdate.id)
            .where(ranked.c.rank == 1)
        )
    }

    first, after = period.utc_bounds
    published_at = sa.func.coalesce(Observation.moderated_at, Observation.created_at)
    observations = [
        Observed(observation, deliverable, short_name or org_name)
        for observation, deliverable, org_name, short_name in db.session.execute(
            sa.select(
                Observation, Commitment.deliverable, Organization.name, Organization.short_name
            )
            .join(Commitment, Commitment.id == Observation.commitment_id)
            .join(Organization, Organization.id == Commitment.organization_id)
            .where(
                visible(scope),
                Observation.status == ObservationStatus.PUBLISHED,
                published_at >= first,
                published_at < after,
            )
            .order_by(published_at, Observation.id)
        )
    ]

    lines = [
        Line(
            commitment=commitment,
            state=states.of(commitment, today),
            changes=count or 0,
            last_update=last_updates.get(commitment.id),
            validation=validation,
            taken=period.holds(commitment.committed_on),
        )
        for commitment, validation, count in rows
    ]
    return _summed(period, today, lines, observations)


def _summed(
    period: Period, today: dt.date, lines: list[Line], observations: list[Observed]
) -> Report:
    counted = Counter(line.state for line in lines)
    institutions: dict[int, InstitutionLine] = {}
    actors = {actor: ActorLine(actor) for actor in ActorType}
    on_time = late = 0
    for line in lines:
        commitment = line.commitment
        org = commitment.organization
        fulfilled = line.state == State.FULFILLED
        institution = institutions.setdefault(org.id, InstitutionLine(org))
        institution.received += 1
        institution.fulfilled += int(fulfilled)
        institution.overdue += int(line.state == State.OVERDUE)
        actor = actors[ActorType(org.actor_type)]
        actor.commitments += 1
        if line.state != State.CANCELLED:
            actor.committed += commitment.amount or 0
        if fulfilled:
            actor.fulfilled += commitment.amount or 0
            # Judged against the original date; a fulfilment without a date counts as neither.
            on_time += int(commitment.on_time is True)
            late += int(commitment.on_time is False)
    return Report(
        period=period,
        today=today,
        lines=lines,
        observations=observations,
        states={key: counted.get(key, 0) for key in states.IN_TABLE_ORDER},
        institutions=sorted(institutions.values(), key=lambda i: i.organization.name.lower()),
        actors=[actor for actor in actors.values() if actor.commitments],
        taken=sum(line.taken for line in lines),
        on_time=on_time,
        late=late,
        rescheduled=sum(line.changes > 0 for line in lines),
    )
