"""The search index: one row per initiative, agreement and commitment, with its words already
folded and stemmed (``portal.search.text``), and the database's full-text index over them.

``search_documents`` is an ordinary table, in the models and in the migrations. What each
engine builds over it is not a model, and is made by the DDL below, both when the schema is
created from the models (``db.create_all()``, as the tests do) and by migration 0012:

- SQLite: ``search_fts``, an FTS5 table over the stems with ``search_documents`` as its
  external content (the text is stored once), tokenizer ``unicode61 remove_diacritics 2``
  (a second guard; the stems are already plain ASCII), kept in step by three triggers.
  Alembic does not know virtual tables, so ``migrations/env.py`` leaves the ``search_fts``
  tables out of ``db check`` (they are named in ``metadata.info["not_in_models"]``). A later
  migration that rebuilds ``search_documents`` in batch mode drops the triggers: it must run
  ``SQLITE_DDL`` again and then ``SQLITE_REBUILD``.
- PostgreSQL: a GIN index on the weighted ``tsvector`` of the stems (``document_vector``),
  configuration ``simple`` since the words are stemmed already. It is an expression index,
  which Alembic cannot compare, so ``migrations/env.py`` leaves it out of ``db check`` too.

Visibility is not stored here: a search joins each row to its initiative, agreement or
commitment and asks whether it is public at that moment.
"""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.models import enum_column
from portal.extensions import db


class DocumentKind(enum.StrEnum):
    INITIATIVE = "initiative"
    AGREEMENT = "agreement"
    COMMITMENT = "commitment"


class SearchDocument(db.Model):
    __tablename__ = "search_documents"
    __table_args__ = (
        sa.UniqueConstraint("kind", "ref_id"),
        sa.Index("ix_search_documents_territory_kind", "territory_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind, "search_document_kind"))
    # The id of the initiative, agreement or commitment (no foreign key: three tables).
    ref_id: Mapped[int]
    # None for what belongs to a mesa técnica regional, which has no territory.
    territory_id: Mapped[int | None] = mapped_column(sa.ForeignKey("territories.id"))
    mesa_id: Mapped[int] = mapped_column(sa.ForeignKey("mesas.id"))
    # As written, for the result's heading and snippet.
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # Folded, stemmed words: what is matched. Title words weigh more than body words.
    title_terms: Mapped[str] = mapped_column(sa.Text, default="")
    body_terms: Mapped[str] = mapped_column(sa.Text, default="")


# SQLite --------------------------------------------------------------------------------------

FTS_TABLE = "search_fts"
SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "title_terms, body_terms, content='search_documents', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, title_terms, body_terms) "
    "VALUES (new.id, new.title_terms, new.body_terms); END",
    "CREATE TRIGGER IF NOT EXISTS search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.body_terms); END",
    "CREATE TRIGGER IF NOT EXISTS search_documents_au AFTER UPDATE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.body_terms); "
    "INSERT INTO search_fts(rowid, title_terms, body_terms) "
    "VALUES (new.id, new.title_terms, new.body_terms); END",
)
# Reads the whole index again from search_documents.
SQLITE_REBUILD = "INSERT INTO search_fts(search_fts) VALUES ('rebuild')"
SQLITE_DROP = ("DROP TABLE IF EXISTS search_fts",)

# PostgreSQL ----------------------------------------------------------------------------------

VECTOR_INDEX = "ix_search_documents_vector"
# Written out once, used by the index and by every search, so that the planner uses the index.
VECTOR_SQL = (
    "(setweight(to_tsvector('simple'::regconfig, title_terms), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_terms), 'B'))"
)
POSTGRESQL_DDL = (
    f"CREATE INDEX IF NOT EXISTS {VECTOR_INDEX} ON search_documents USING gin ({VECTOR_SQL})",
)
POSTGRESQL_DROP = (f"DROP INDEX IF EXISTS {VECTOR_INDEX}",)


def document_vector() -> sa.ColumnElement:  # type: ignore[type-arg]
    """The indexed expression, written in a query exactly as in the index (PostgreSQL). No
    other table of a search has columns of these names."""
    return sa.literal_column(VECTOR_SQL)


# Alembic leaves these out of ``db check`` (``include_name`` in migrations/env.py).
db.metadata.info.setdefault("not_in_models", set()).update(
    {
        FTS_TABLE,
        *(f"{FTS_TABLE}_{shadow}" for shadow in ("data", "idx", "docsize", "config", "content")),
        VECTOR_INDEX,
    }
)


def _listen(event: str, statements: tuple[str, ...], dialect: str) -> None:
    for statement in statements:
        sa.event.listen(
            SearchDocument.__table__, event, sa.DDL(statement).execute_if(dialect=dialect)
        )


_listen("after_create", SQLITE_DDL, "sqlite")
_listen("before_drop", SQLITE_DROP, "sqlite")
_listen("after_create", POSTGRESQL_DDL, "postgresql")
