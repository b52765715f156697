"""What an institution's scorecard and the "who contributes what" page read.

Aggregates computed by the database, like ``dashboards``; only public commitments. No request
object in this module.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from portal.commitments import states
from portal.commitments.dashboards import (
    by_name,
    count_if,
    days_between,
    page_of,
    public_only,
)
from portal.commitments.models import Commitment, CommitmentStatus
from portal.commitments.states import State
from portal.extensions import db
from portal.mesas.models import ActorType, Organization
from portal.places.models import Territory

# -- An institution's scorecard -------------------------------------------------------------


@dataclass
class Score:
    received: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    open_on_time: int = 0
    partly: int = 0
    not_fulfilled: int = 0
    cancelled: int = 0
    delay_days: int = 0  # summed over the fulfilled ones, one on time counting 0
    with_update: int = 0
    median_first_update: float | None = None  # days from the session to the first update

    @property
    def fulfilled(self) -> int:
        return self.on_time + self.late

    @property
    def average_delay(self) -> float | None:
        return self.delay_days / self.fulfilled if self.fulfilled else None

    @property
    def without_update(self) -> int:
        return self.received - self.with_update


SUMMED = (
    "received",
    "on_time",
    "late",
    "overdue",
    "open_on_time",
    "partly",
    "not_fulfilled",
    "cancelled",
    "delay_days",
    "with_update",
)


@dataclass
class Scorecard:
    total: Score
    # (territory id or None for commitments of no territory, its name, its score), by name
    territories: list[tuple[int | None, str, Score]]


def _median(histogram: dict[int, int]) -> float | None:
    """The median of values given as {value: how many times}."""
    total = sum(histogram.values())
    if not total:
        return None
    middle = ((total - 1) // 2, total // 2)  # positions of the middle value(s), from 0
    found, seen = [], 0
    for value in sorted(histogram):
        for position in middle:
            if seen <= position < seen + histogram[value]:
                found.append(value)
        seen += histogram[value]
    return sum(found) / 2


def _medians(mine: list[sa.ColumnElement[bool]]) -> tuple[dict[int | None, float], float | None]:
    """The median of the days to a first update, per territory and over all, in one query:
    per territory the database picks the middle row(s) with a window function; over all it
    gives how many took each number of days (a few hundred rows at most) and Python reads
    the median from them."""
    days = days_between(Commitment.first_update_on, Commitment.committed_on)
    updated = [*mine, Commitment.first_update_on.is_not(None)]
    ranked = (
        sa.select(
            Commitment.territory_id.label("territory_id"),
            days.label("days"),
            sa.func.row_number()
            .over(partition_by=Commitment.territory_id, order_by=days)
            .label("rank"),
            sa.func.count().over(partition_by=Commitment.territory_id).label("n"),
        )
        .where(*updated)
        .subquery("ranked")
    )
    per_territory = (
        sa.select(sa.literal(0), ranked.c.territory_id, sa.func.avg(ranked.c.days))
        .where(
            sa.or_(ranked.c.rank == (ranked.c.n + 1) // 2, ranked.c.rank == (ranked.c.n + 2) // 2)
        )
        .group_by(ranked.c.territory_id)
    )
    histogram = (
        sa.select(sa.literal(1), days, sa.func.count()).where(*updated).group_by(sa.text("2"))
    )
    medians: dict[int | None, float] = {}
    overall: dict[int, int] = {}
    for scope, key, value in db.session.execute(sa.union_all(per_territory, histogram)):
        if scope == 0:
            medians[key] = float(value)
        else:
            overall[int(key)] = int(value)
    return medians, _median(overall)


def scorecard(org_id: int, today: dt.date) -> Scorecard:
    """The institution's public commitments: one query of sums per territory, one of the
    medians of days to a first update."""
    late = Commitment.fulfilled(on_time=False)
    mine = [Commitment.organization_id == org_id, public_only()]
    rows = db.session.execute(
        sa.select(
            Commitment.territory_id,
            Territory.name,
            sa.func.count(),
            count_if(Commitment.fulfilled(on_time=True)),
            count_if(late),
            count_if(states.clause(State.OVERDUE, today)),
            count_if(states.clause_any(states.OPEN_ON_TIME, today)),
            count_if(Commitment.status == CommitmentStatus.PARTLY_FULFILLED),
            count_if(Commitment.status == CommitmentStatus.NOT_FULFILLED),
            count_if(Commitment.status == CommitmentStatus.CANCELLED),
            sa.func.coalesce(
                sa.func.sum(
                    sa.case(
                        (late, days_between(Commitment.done_on, Commitment.original_due_on)),
                        else_=0,
                    )
                ),
                0,
            ),
            count_if(Commitment.first_update_on.is_not(None)),
        )
        .outerjoin(Territory, Territory.id == Commitment.territory_id)
        .where(*mine)
        .group_by(Commitment.territory_id, Territory.name)
    ).all()
    medians, overall = _medians(mine) if rows else ({}, None)
    total = Score(median_first_update=overall)
    territories = []
    for territory_id, name, *numbers in rows:
        score = Score(*(int(v) for v in numbers), medians.get(territory_id))
        territories.append((territory_id, name or "", score))
        for attribute in SUMMED:
            setattr(total, attribute, getattr(total, attribute) + getattr(score, attribute))
    territories.sort(key=lambda row: (row[0] is None, by_name(row[1])))
    return Scorecard(total, territories)


def of_organization(org_id: int, page: int) -> list[Commitment]:
    where = [Commitment.organization_id == org_id, public_only()]
    return page_of(where, page, Commitment.territory, Commitment.mesa)


# -- Who contributes what -------------------------------------------------------------------


@dataclass
class Contributor:
    id: int
    name: str
    commitments: int
    committed: int
    fulfilled: int


@dataclass
class Contribution:
    actor_type: ActorType
    institutions: list[Contributor] = field(default_factory=list)

    @property
    def committed(self) -> int:
        return sum(i.committed for i in self.institutions)

    @property
    def fulfilled(self) -> int:
        return sum(i.fulfilled for i in self.institutions)

    @property
    def commitments(self) -> int:
        return sum(i.commitments for i in self.institutions)


def contributions(territory_id: int) -> list[Contribution]:
    """Pesos committed to the territory by each kind of actor (public commitments with an
    amount, cancelled ones left out) and how much of it belongs to fulfilled commitments; per
    institution inside each kind, largest first."""
    rows = db.session.execute(
        sa.select(
            Organization.actor_type,
            Organization.id,
            Organization.name,
            sa.func.count(),
            sa.func.sum(Commitment.amount),
            sa.func.coalesce(
                sa.func.sum(
                    sa.case(
                        (Commitment.status == CommitmentStatus.FULFILLED, Commitment.amount),
                        else_=0,
                    )
                ),
                0,
            ),
        )
        .join(Organization, Organization.id == Commitment.organization_id)
        .where(
            Commitment.territory_id == territory_id,
            public_only(),
            Commitment.status != CommitmentStatus.CANCELLED,
            Commitment.amount.is_not(None),
        )
        .group_by(Organization.actor_type, Organization.id, Organization.name)
    ).all()
    by_type: dict[ActorType, list[Contributor]] = defaultdict(list)
    for actor_type, org_id, name, n, committed, done in rows:
        by_type[actor_type].append(Contributor(org_id, name, int(n), int(committed), int(done)))
    return [
        Contribution(t, sorted(by_type[t], key=lambda c: (-c.committed, by_name(c.name))))
        for t in ActorType
    ]
