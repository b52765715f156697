"""What a territory's public accountability page reads: its commitments by status, the list,
and how the territory's portfolio is doing (scorecards and contributions: ``scorecards``).

Every number is an aggregate computed by the database (GROUP BY, SUM of CASE), so each page
runs the same few queries whether a territory has ten commitments or ten thousand. Only public
commitments (``is_public``) are ever read here. No request object in this module.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload

from portal.commitments import states
from portal.commitments.models import (
    OPEN_STATUSES,
    Commitment,
    CommitmentStatus,
    commitment_comunas,
    commitment_initiatives,
)
from portal.commitments.states import State
from portal.extensions import db
from portal.initiatives.models import Initiative
from portal.initiatives.models import Status as InitiativeStatus
from portal.mesas.models import Mesa, Organization
from portal.portfolios.models import LineFunding, Portfolio, PortfolioLine, PortfolioVersion

PAGE = 25


class days_between(sa.sql.expression.FunctionElement):  # reads like the SQL it stands for
    """Whole days from the second date to the first, on SQLite and PostgreSQL."""

    type = sa.Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_default(element, compiler, **kw):  # type: ignore[no-untyped-def]
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw):  # type: ignore[no-untyped-def]
    later, earlier = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(later, **kw)})"
        f" - julianday({compiler.process(earlier, **kw)}) AS INTEGER)"
    )


def by_name(name: str) -> str:
    """How names sort for a reader: without regard to case or accents."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", name.casefold()) if not unicodedata.combining(c)
    )


def public_only() -> sa.ColumnElement[bool]:
    return Commitment.is_public.is_(True)


def count_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


# -- A territory's dashboard ----------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    mesa_id: int | None = None
    organization_id: int | None = None
    state: State | None = None
    comuna_id: int | None = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None

    @property
    def narrowed(self) -> bool:
        """Whether anything but the status narrows the counts."""
        narrowing = (self.mesa_id, self.organization_id, self.comuna_id, self.due_from, self.due_to)
        return any(v is not None for v in narrowing)


def narrowing(filters: Filters) -> list[sa.ColumnElement[bool]]:
    """Every filter but the status, which the counts break down."""
    where = []
    if filters.mesa_id is not None:
        where.append(Commitment.mesa_id == filters.mesa_id)
    if filters.organization_id is not None:
        where.append(Commitment.organization_id == filters.organization_id)
    if filters.comuna_id is not None:
        where.append(
            sa.exists().where(
                commitment_comunas.c.commitment_id == Commitment.id,
                commitment_comunas.c.comuna_id == filters.comuna_id,
            )
        )
    if filters.due_from is not None:
        where.append(Commitment.due_on >= filters.due_from)
    if filters.due_to is not None:
        where.append(Commitment.due_on <= filters.due_to)
    return where


def _fold(counts: dict[State, int], status: CommitmentStatus, late: int, reported: int, n: int):  # type: ignore[no-untyped-def]
    """Add ``n`` commitments to their state, read from the columns the state depends on."""
    counts[states.from_columns(status, bool(late), bool(reported))] += n


def _state_columns(today: dt.date) -> list[sa.ColumnElement]:  # type: ignore[type-arg]
    # Grouped by the columns the state is read from (a handful of rows), then folded here.
    # The GROUP BY names the columns by position: a CASE written there again would repeat its
    # parameters, which PostgreSQL does not recognize as the same expression.
    return [
        Commitment.status,
        sa.case((Commitment.due_on < today, 1), else_=0),
        sa.case((Commitment.reported_done_on.is_not(None), 1), else_=0),
    ]


def _state_counts(where: list[sa.ColumnElement[bool]], today: dt.date) -> dict[State, int]:
    rows = db.session.execute(
        sa.select(*_state_columns(today), sa.func.count())
        .where(*where)
        .group_by(*(sa.text(str(n)) for n in (1, 2, 3)))
    ).all()
    counts = dict.fromkeys(State, 0)
    for status, late, reported, n in rows:
        _fold(counts, status, late, reported, n)
    return counts


@dataclass
class InstitutionRow:
    id: int
    name: str
    total: int = 0
    fulfilled: int = 0
    overdue: int = 0
    open_on_time: int = 0


@dataclass
class Overview:
    # Under the filters chosen (but the status): how many in each state.
    counts: dict[State, int]
    # Each institution with public commitments in the territory, by name: all of them.
    institutions: list[InstitutionRow]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def overview(territory_id: int, filters: Filters, today: dt.date) -> Overview:
    """The counts by status under the filters, and the summary of every institution, read in
    one pass over the territory's public commitments."""
    narrowed = narrowing(filters)
    matches = [sa.case((sa.and_(*narrowed), 1), else_=0)] if narrowed else []
    columns = [Organization.id, Organization.name, *_state_columns(today), *matches]
    rows = db.session.execute(
        sa.select(*columns, sa.func.count())
        .join(Organization, Organization.id == Commitment.organization_id)
        .where(Commitment.territory_id == territory_id, public_only())
        .group_by(*(sa.text(str(n)) for n in range(1, len(columns) + 1)))
    ).all()
    counts = dict.fromkeys(State, 0)
    institutions: dict[int, InstitutionRow] = {}
    for org_id, name, status, late, reported, *rest in rows:
        matched, n = rest if narrowed else (1, rest[0])
        if matched:
            _fold(counts, status, late, reported, n)
        row = institutions.setdefault(org_id, InstitutionRow(org_id, name))
        row.total += n
        if status == CommitmentStatus.FULFILLED:
            row.fulfilled += n
        elif status in OPEN_STATUSES:
            if late:
                row.overdue += n
            else:
                row.open_on_time += n
    return Overview(counts, sorted(institutions.values(), key=lambda i: (by_name(i.name), i.id)))


def _open_first() -> list[sa.ColumnElement]:  # type: ignore[type-arg]
    """Open commitments first (overdue ones lead, as their dates are the earliest), then the
    closed ones; each by due date."""
    return [
        sa.case((Commitment.status.in_(sorted(OPEN_STATUSES)), 0), else_=1),
        Commitment.due_on,
        Commitment.id,
    ]


def page_of(where: list[sa.ColumnElement[bool]], page: int, *load) -> list[Commitment]:  # type: ignore[no-untyped-def]
    """One page of commitments: their ids are sorted first, and only those rows are loaded."""
    ids = (
        sa.select(Commitment.id)
        .where(*where)
        .order_by(*_open_first())
        .limit(PAGE)
        .offset((page - 1) * PAGE)
    )
    return list(
        db.session.scalars(
            sa.select(Commitment)
            .where(Commitment.id.in_(ids))
            .options(*(joinedload(relation) for relation in load))
            .order_by(*_open_first())
        )
    )


def listing(territory_id: int, filters: Filters, today: dt.date, page: int) -> list[Commitment]:
    where = [Commitment.territory_id == territory_id, public_only(), *narrowing(filters)]
    if filters.state is not None:
        where.append(states.clause(filters.state, today))
    return page_of(where, page, Commitment.organization, Commitment.mesa)


def pages_for(total: int) -> int:
    return max((total + PAGE - 1) // PAGE, 1)


def mesas_of(territory_id: int) -> list[tuple[int, str]]:
    return [
        (row.id, row.name)
        for row in db.session.execute(
            sa.select(Mesa.id, Mesa.name)
            .where(Mesa.territory_id == territory_id)
            .order_by(Mesa.kind.desc(), Mesa.name)
        )
    ]


@dataclass
class PortfolioProgress:
    portfolio_id: int
    title: str
    number: int
    # initiative status -> (lines, pesos)
    by_status: dict[InitiativeStatus, tuple[int, int]]
    commitments: dict[State, int]

    @property
    def lines(self) -> int:
        return sum(n for n, _ in self.by_status.values())

    @property
    def money(self) -> int:
        return sum(m for _, m in self.by_status.values())


def portfolio_progress(territory_id: int, today: dt.date) -> PortfolioProgress | None:
    """The latest version of the territory's newest portfolio: its lines and money by the
    status of their initiatives, and where the public commitments tied to them stand."""
    current = db.session.execute(
        sa.select(Portfolio.id, Portfolio.title, PortfolioVersion.id, PortfolioVersion.number)
        .join(PortfolioVersion, PortfolioVersion.portfolio_id == Portfolio.id)
        .where(Portfolio.territory_id == territory_id)
        .order_by(Portfolio.created_at.desc(), Portfolio.id.desc(), PortfolioVersion.number.desc())
        .limit(1)
    ).first()
    if current is None:
        return None
    portfolio_id, title, version_id, number = current
    rows = db.session.execute(
        sa.select(
            Initiative.status,
            sa.func.count(sa.distinct(PortfolioLine.id)),
            sa.func.coalesce(sa.func.sum(LineFunding.amount), 0),
        )
        .select_from(PortfolioLine)
        .join(Initiative, Initiative.id == PortfolioLine.initiative_id)
        .outerjoin(LineFunding, LineFunding.line_id == PortfolioLine.id)
        .where(PortfolioLine.version_id == version_id)
        .group_by(Initiative.status)
    ).all()
    found = {status: (int(n), int(money)) for status, n, money in rows}
    by_status = {s: found[s] for s in InitiativeStatus if s in found}
    tied = (
        sa.select(commitment_initiatives.c.commitment_id)
        .join(PortfolioLine, PortfolioLine.initiative_id == commitment_initiatives.c.initiative_id)
        .where(PortfolioLine.version_id == version_id)
    )
    commitments = _state_counts([public_only(), Commitment.id.in_(tied)], today)
    return PortfolioProgress(portfolio_id, title, number, by_status, commitments)
