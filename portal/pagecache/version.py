"""The version of the public data, and the window of time a version holds for.

A flush hook adds one to ``data_version`` in the transaction of any write to a table a public
page could show, and so does any ``insert``, ``update`` or ``delete`` statement run through the
session: the number read at the start of a request names exactly the data that request reads
(its queries come after, so they can only be newer, never older). It adds at every such flush,
not once per transaction, so that even a reader that shares the writer's connection (as the
tests do) never sees a version that later writes of the same transaction leave behind.

What no public page shows is left out, so that signing in or a mail sent does not empty every
cache. A table added later counts by default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import ORMExecuteState, Session

from portal.core import clock
from portal.extensions import db
from portal.meetings.models import Meeting
from portal.meetings.queries import turns_after
from portal.pagecache.models import DataVersion

# Tables no public page reads, with why.
PRIVATE_TABLES = frozenset(
    {
        "data_version",  # this counter itself
        "outbox",  # mail and events waiting to leave
        "notices",  # a person's own notices
        "notice_preferences",  # and how they want them
        "follows",  # what a person follows
        "password_reset_tokens",
        "recovery_codes",
        "webhook_subscribers",  # the console's, for admins
        "webhook_deliveries",
        "api_tokens",  # a key's use; its writes are logged in api_writes, which counts
    }
)
# Columns of a public table that no public page shows: changing only these is no new version.
QUIET_COLUMNS = {
    "users": frozenset(
        {
            *("email", "phone", "locale", "password_hash", "password_changed_at", "login_id"),
            *("last_login_at", "email_verified_at", "totp_secret", "totp_enabled_at"),
            "totp_last_step",
        }
    ),
}

_add_one = (
    sa.update(DataVersion.__table__)
    .where(DataVersion.__table__.c.id == 1)
    .values(number=DataVersion.__table__.c.number + 1)
)


def bump(connection: sa.Connection) -> None:
    """One more version, in the connection's transaction: for writes that go around the
    session (a command filling a table with plain SQL)."""
    connection.execute(_add_one)


def _counts(obj: Any, updated: bool) -> bool:
    table = getattr(obj, "__tablename__", None)
    if table is None or table in PRIVATE_TABLES:
        return False
    quiet = QUIET_COLUMNS.get(table)
    if not updated or quiet is None:
        return True
    state = sa.inspect(obj)
    return any(attr.history.has_changes() for attr in state.attrs if attr.key not in quiet)


def _after_flush(session: Session, _context: Any) -> None:
    if any(_counts(obj, False) for obj in (*session.new, *session.deleted)) or any(
        _counts(obj, True) for obj in session.dirty if session.is_modified(obj)
    ):
        bump(session.connection())


def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table not in PRIVATE_TABLES:
        bump(state.session.connection())


def install() -> None:
    """Hooks the counter into every flush and statement of the application's session."""
    for name, hook in (("after_flush", _after_flush), ("do_orm_execute", _on_execute)):
        if not sa.event.contains(Session, name, hook):
            sa.event.listen(Session, name, hook)


@dataclass(frozen=True)
class Window:
    """A version of the data, and the instant until which a page made from it stays true."""

    version: int
    until: dt.datetime


# Built once: read at every request, it is compiled once and run by a plain connection.
_NOW = sa.bindparam("now", type_=Meeting.starts_at.type)
_READ = sa.select(DataVersion.number, *turns_after(_NOW)).where(DataVersion.id == 1)


def current(connection: sa.Connection | None = None) -> Window | None:
    """The window the data is in now, in one query (through ``connection``, else the
    session's); None when the counter is missing (no page is then kept)."""
    now = clock.now()
    row = (connection or db.session.connection()).execute(_READ, {"now": now}).first()
    if row is None:
        return None
    number, *turns = row
    midnight = dt.datetime.combine(
        now.astimezone(clock.SANTIAGO).date() + dt.timedelta(days=1), dt.time(), clock.SANTIAGO
    )
    return Window(number, min([midnight, *(t for t in turns if t is not None)]))
