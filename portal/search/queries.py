"""Searching a territory: the words are matched by the database's full-text index (FTS5 on
SQLite, a GIN-indexed ``tsvector`` on PostgreSQL) and each match is joined to what it stands
for, to decide right then whether it may be shown:

- an initiative once it is no longer a draft (``Initiative.is_public``);
- an agreement once its session's acta is published (``Meeting.record_is_public``);
- a commitment while it is public (``Commitment.is_public``).

The same rule holds for everyone, members included: a search never shows what its page would
refuse to a citizen. Every word must be present (in the title or the body); title words weigh
more in the order. A page of results is two queries (how many, and which), whatever the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from portal.commitments import states
from portal.commitments.models import Commitment
from portal.core import clock
from portal.extensions import db
from portal.initiatives.models import Initiative, Status
from portal.meetings.models import Agreement, Minutes, MinutesStatus
from portal.mesas.models import Mesa
from portal.places.models import Territory
from portal.search.models import FTS_TABLE, DocumentKind, SearchDocument, document_vector
from portal.search.text import Piece, marked, snippet

PAGE = 20
# Longer searches are refused: nobody types them, and each word is one more condition.
QUERY_MAX = 200

D = SearchDocument


@dataclass(frozen=True)
class Hit:
    kind: DocumentKind
    ref_id: int
    title: list[Piece]
    snippet: list[Piece]
    mesa_slug: str
    mesa_name: str
    # The kind's own status (an initiative's, an agreement's or a commitment's).
    status: Any
    agreement_year: int | None
    agreement_number: int | None

    @property
    def agreement_label(self) -> str:
        return f"{self.agreement_number}/{self.agreement_year}"


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    total: int
    page: int
    pages: int


def _visible() -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(D.kind == DocumentKind.INITIATIVE, Initiative.status != Status.DRAFT),
        sa.and_(D.kind == DocumentKind.AGREEMENT, Minutes.status == MinutesStatus.PUBLISHED),
        sa.and_(D.kind == DocumentKind.COMMITMENT, Commitment.is_public.is_(True)),
    )


def _joined(stmt: sa.Select) -> sa.Select:  # type: ignore[type-arg]
    return (
        stmt.join(Mesa, Mesa.id == D.mesa_id)
        .outerjoin(
            Initiative, sa.and_(D.kind == DocumentKind.INITIATIVE, Initiative.id == D.ref_id)
        )
        .outerjoin(Agreement, sa.and_(D.kind == DocumentKind.AGREEMENT, Agreement.id == D.ref_id))
        .outerjoin(Minutes, Minutes.meeting_id == Agreement.meeting_id)
        .outerjoin(
            Commitment, sa.and_(D.kind == DocumentKind.COMMITMENT, Commitment.id == D.ref_id)
        )
    )


def _matching(stems: list[str]) -> tuple[sa.FromClause, sa.ColumnElement, Any]:  # type: ignore[type-arg]
    """What to join, the condition, and the order (best first), for this engine."""
    if db.session.get_bind().dialect.name == "postgresql":
        query = sa.func.plainto_tsquery(sa.literal_column("'simple'::regconfig"), " ".join(stems))
        vector = document_vector()
        return D.__table__, vector.op("@@")(query), sa.func.ts_rank(vector, query).desc()
    fts = sa.table(FTS_TABLE, sa.column("rowid"))
    # Stems are [a-z0-9]+ only; quoted, none can be read as FTS5 syntax (NEAR, AND, *).
    expression = " ".join(f'"{stem}"' for stem in stems)
    whole = sa.literal_column(FTS_TABLE)
    return (
        D.__table__.join(fts, fts.c.rowid == D.id),
        whole.op("MATCH")(expression),
        # bm25 is lower for better matches; the title's words count four times.
        sa.func.bm25(whole, 4.0, 1.0).asc(),
    )


def search(territory: Territory, stems: list[str], page: int) -> Results:
    """One page of what is public in ``territory`` and has every one of ``stems``."""
    source, match, order = _matching(stems)
    where = (D.territory_id == territory.id, match, _visible())
    total = db.session.scalar(_joined(sa.select(sa.func.count()).select_from(source)).where(*where))
    total = total or 0
    pages = max(math.ceil(total / PAGE), 1)
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        _joined(
            sa.select(
                D.kind,
                D.ref_id,
                D.title,
                D.body,
                Mesa.slug,
                Mesa.name,
                Initiative.status.label("initiative_status"),
                Agreement.status.label("agreement_status"),
                # Where it stands today, as every other page says it.
                states.case(clock.today()).label("commitment_status"),
                Agreement.year,
                Agreement.number,
            ).select_from(source)
        )
        .where(*where)
        .order_by(order, D.kind, D.ref_id)
        .limit(PAGE)
        .offset((page - 1) * PAGE)
    ).all()
    hits = [
        Hit(
            kind=row.kind,
            ref_id=row.ref_id,
            title=marked(row.title, stems),
            snippet=snippet(row.body, stems),
            mesa_slug=row.slug,
            mesa_name=row.name,
            status=row.initiative_status or row.agreement_status or row.commitment_status,
            agreement_year=row.year,
            agreement_number=row.number,
        )
        for row in rows
    ]
    return Results(hits=hits, total=total, page=page, pages=pages)
