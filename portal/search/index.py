"""Keeping ``search_documents`` in step with initiatives, agreements and commitments.

A flush hook (the pattern of ``portal.audit.chain``) re-indexes, in the same transaction,
every initiative, agreement or commitment that the flush inserted or whose searchable text or
place changed: no service can forget it, and a change rolled back leaves the index as it was.
The hook reads the rows back from the database with plain SQL, after the flush, rather than
from the objects: the text, the agreement's territory (its mesa's) and the committed
institution's name are then what is really stored, and nothing is lazy-loaded mid-flush.

Rows are written by ``index(connection, kind, ids)``, which ``portal search reindex`` also
calls to fill the index from every stored row; it names its tables and columns itself (not
through the ORM).

Writes that bypass the ORM (``sa.update(Initiative)…``) are not seen; none changes these
texts today. Visibility (draft, unpublished acta, hidden commitment) is never stored: the
search decides it when it runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.pagecache import version
from portal.search.models import DocumentKind
from portal.search.text import terms

# What each kind is made of: a change to any of these attributes (columns, or the
# relationships that set them) re-indexes the row.
WATCHED = {
    "initiatives": (
        DocumentKind.INITIATIVE,
        (
            *("title", "summary", "description", "localities"),
            *("territory_id", "territory", "mesa_id", "mesa"),
        ),
    ),
    "agreements": (DocumentKind.AGREEMENT, ("statement", "dissent", "mesa_id", "mesa")),
    "commitments": (
        DocumentKind.COMMITMENT,
        (
            *("deliverable", "official", "organization_id", "organization"),
            *("territory_id", "territory", "mesa_id", "mesa"),
        ),
    ),
}
TITLE_MAX = 300

_documents = sa.table(
    "search_documents",
    sa.column("id"),
    sa.column("kind"),
    sa.column("ref_id"),
    sa.column("territory_id"),
    sa.column("mesa_id"),
    sa.column("title"),
    sa.column("body"),
    sa.column("title_terms"),
    sa.column("body_terms"),
)
_initiatives = sa.table(
    "initiatives",
    *(
        sa.column(c)
        for c in ("id", "territory_id", "mesa_id", "title", "summary", "description", "localities")
    ),
)
_agreements = sa.table(
    "agreements", *(sa.column(c) for c in ("id", "mesa_id", "statement", "dissent"))
)
_commitments = sa.table(
    "commitments",
    *(
        sa.column(c)
        for c in ("id", "territory_id", "mesa_id", "organization_id", "deliverable", "official")
    ),
)
_mesas = sa.table("mesas", sa.column("id"), sa.column("territory_id"))
_organizations = sa.table(
    "organizations", sa.column("id"), sa.column("name"), sa.column("short_name")
)

MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
MARKDOWN_MARKS = re.compile(r"[*_`#>|~]+|^\s*[-+]\s+", re.M)


def plain(markdown: str) -> str:
    """Markdown as the words a person reads (for snippets): links keep their text."""
    return MARKDOWN_MARKS.sub(" ", MARKDOWN_LINK.sub(r"\1", markdown))


def _joined(*parts: str | None) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _select(kind: DocumentKind, ids: list[int] | None) -> sa.Select:  # type: ignore[type-arg]
    if kind == DocumentKind.INITIATIVE:
        t = _initiatives
        stmt = sa.select(t)
    elif kind == DocumentKind.AGREEMENT:
        t = _agreements
        stmt = sa.select(t, _mesas.c.territory_id).join(_mesas, _mesas.c.id == t.c.mesa_id)
    else:
        t = _commitments
        stmt = sa.select(t, _organizations.c.name, _organizations.c.short_name).outerjoin(
            _organizations, _organizations.c.id == t.c.organization_id
        )
    if ids is not None:
        stmt = stmt.where(t.c.id.in_(ids))
    return stmt.order_by(t.c.id)


def _document(kind: DocumentKind, row: Any) -> dict[str, Any]:
    if kind == DocumentKind.INITIATIVE:
        title = row.title
        body = _joined(row.summary, plain(row.description or ""), row.localities)
    elif kind == DocumentKind.AGREEMENT:
        # Its heading ("Acuerdo 3/2025") is written by the page, in the reader's language.
        title = ""
        body = _joined(row.statement, row.dissent)
    else:
        title = row.deliverable
        institution = f"{row.name} ({row.short_name})" if row.short_name else row.name
        body = " · ".join(p for p in (row.official.strip(), institution) if p)
    return {
        "kind": kind.value,
        "ref_id": row.id,
        "territory_id": row.territory_id,
        "mesa_id": row.mesa_id,
        "title": title[:TITLE_MAX],
        "body": body,
        "title_terms": terms(title),
        "body_terms": terms(body),
    }


def index(connection: sa.Connection, kind: DocumentKind, ids: Iterable[int] | None = None) -> int:
    """(Re)writes the documents of ``ids`` (every row of the kind when None): three
    statements whatever their number. Returns how many were written."""
    wanted = None if ids is None else sorted(set(ids))
    if wanted == []:
        return 0
    rows = [_document(kind, row) for row in connection.execute(_select(kind, wanted))]
    forget(connection, kind, wanted)
    if rows:
        connection.execute(sa.insert(_documents), rows)
    return len(rows)


def forget(connection: sa.Connection, kind: DocumentKind, ids: list[int] | None) -> None:
    stmt = sa.delete(_documents).where(_documents.c.kind == kind.value)
    if ids is not None:
        stmt = stmt.where(_documents.c.ref_id.in_(ids))
    connection.execute(stmt)


def index_all(connection: sa.Connection) -> int:
    """Every stored row indexed again (``portal search reindex``): a new version of what the
    public search shows, since it goes around the session."""
    found = sum(index(connection, kind) for kind in DocumentKind)
    version.bump(connection)
    return found


# The flush hook --------------------------------------------------------------------------------


def _changed(obj: Any, names: tuple[str, ...]) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _after_flush(session: Session, _context: Any) -> None:
    touched: dict[DocumentKind, set[int]] = {}
    gone: dict[DocumentKind, set[int]] = {}
    for obj in session.new:
        watched = WATCHED.get(getattr(obj, "__tablename__", ""))
        if watched:
            touched.setdefault(watched[0], set()).add(obj.id)
    for obj in session.dirty:
        watched = WATCHED.get(getattr(obj, "__tablename__", ""))
        if watched and _changed(obj, watched[1]):
            touched.setdefault(watched[0], set()).add(obj.id)
    for obj in session.deleted:
        watched = WATCHED.get(getattr(obj, "__tablename__", ""))
        if watched:
            gone.setdefault(watched[0], set()).add(sa.inspect(obj).identity[0])
    if not touched and not gone:
        return
    connection = session.connection()
    for kind, ids in gone.items():
        forget(connection, kind, sorted(ids))
    for kind, ids in touched.items():
        index(connection, kind, ids)


def install() -> None:
    """Hooks the index into every flush of the application's session (once)."""
    if not sa.event.contains(Session, "after_flush", _after_flush):
        sa.event.listen(Session, "after_flush", _after_flush)
