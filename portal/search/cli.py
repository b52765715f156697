"""``portal search reindex``: build the search index again from the rows that are stored."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from portal.extensions import db
from portal.search import models
from portal.search.index import index_all


@click.group("search")
def search_command() -> None:
    """The full-text search over initiatives, agreements and commitments."""


@search_command.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Write every document of the index again, in one transaction (after restoring a copy of
    the database, or upgrading one that had data before the search existed)."""
    connection = db.session.connection()
    written = index_all(connection)
    if connection.dialect.name == "sqlite":
        connection.execute(sa.text(models.SQLITE_REBUILD))
    db.session.commit()
    click.echo(f"{written} documents indexed.")
