"""History nobody can quietly rewrite.

Every insert, update or delete of a row in an audited table (agreements, commitments and
what hangs from them, portfolio versions and what they hold) appends an entry to
``audit_entries`` in the same transaction, from a flush hook: no service can forget it, and a
change rolled back leaves no entry.

An entry is a line of canonical JSON (keys sorted, no spaces, ASCII)::

    {"action":"update","actor":7,"at":"2026-03-02T14:05:11Z","data_sha256":"…",
     "prev":"<hash of the entry before>","row":12,"seq":40,"table":"commitments"}

and its hash is the SHA-256 of exactly those bytes. ``data`` (kept beside the line) is the
row as the database holds it after the change, canonical JSON too, and ``data_sha256`` its
digest. Changing any entry breaks its own hash or the next entry's ``prev``; changing an
audited row without the application leaves the row different from its last entry. ``verify``
reports both, naming the entry or the row.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import has_request_context
from sqlalchemy.orm import Session

from portal.audit.models import GENESIS, AuditEntry, AuditHead
from portal.core import clock
from portal.extensions import db

# The tables whose every change is logged, in the order a report lists them.
AUDITED_TABLES = (
    "agreements",
    "commitments",
    "commitment_milestones",
    "commitment_due_date_changes",
    "commitment_updates",
    "commitment_evidence",
    "commitment_validations",
    "portfolio_versions",
    "portfolio_lines",
    "portfolio_line_funding",
    "portfolio_steps",
    "portfolio_funding_approvals",
    "portfolio_funding_executions",
    "record_corrections",
    "initiatives",
    "initiative_funding",
    "initiative_status_changes",
    "initiative_revisions",
    "admin_actions",
    "plan_indicators",
    "plan_targets",
    "plan_measurements",
    "plans",
    "plan_versions",
    "convenios",
    "convenio_parties",
    "api_writes",
)
ACTIONS = ("insert", "update", "delete")


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _plain(value: Any) -> Any:
    """A column value as JSON: dates ISO 8601, times in UTC, enums by their stored value."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        aware = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
        return aware.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def row_data(row: sa.RowMapping | None) -> str:
    if row is None:
        return "null"
    return canonical({key: _plain(value) for key, value in row.items()})


def entry_line(entry: Any) -> str:
    return canonical(
        {
            "action": entry.action,
            "actor": entry.actor_id,
            "at": _plain(entry.at),
            "data_sha256": entry.data_sha256,
            "prev": entry.prev_hash,
            "row": entry.row_id,
            "seq": entry.seq,
            "table": entry.table_name,
        }
    )


def _table(name: str) -> sa.Table:
    return db.metadata.tables[name]


# Appending --------------------------------------------------------------------------------------


def _actor_id() -> int | None:
    if not has_request_context():
        return None
    from flask_login import current_user

    return current_user.id if current_user.is_authenticated else None


def _changes(session: Session) -> list[tuple[str, str, int]]:
    """(action, table, row id) of the audited rows this flush wrote, in a stable order."""
    found: dict[tuple[str, int], str] = {}
    for action, objects in (
        ("insert", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            table = getattr(obj, "__tablename__", None)
            if table not in AUDITED_TABLES:
                continue
            # A row whose columns did not change (only a collection of it did) wrote nothing.
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            row_id = sa.inspect(obj).identity[0] if action == "delete" else obj.id
            key = (table, row_id)
            # Inserted and changed in one flush is an insert; deleted wins over both.
            if key not in found or action == "delete":
                found[key] = action
    return sorted(
        ((action, table, row_id) for (table, row_id), action in found.items()),
        key=lambda c: (AUDITED_TABLES.index(c[1]), c[2]),
    )


def _lock_head(connection: sa.Connection) -> tuple[int, str]:
    head = _table("audit_head")
    row = connection.execute(sa.select(head).where(head.c.id == 1).with_for_update()).first()
    if row is None:
        connection.execute(sa.insert(head).values(id=1, seq=0, hash=GENESIS))
        return 0, GENESIS
    return row.seq, row.hash


# Rows read back at once: a flush that writes thousands of rows reads them in a few queries.
READ_AT_ONCE = 500


def _rows_now(
    connection: sa.Connection,
    changes: list[tuple[str, str, int]],
    tables: Mapping[str, sa.Table] | None,
) -> dict[tuple[str, int], sa.RowMapping]:
    """{(table, row id): the row as the database now holds it} for every change but a
    deletion, read table by table, ``READ_AT_ONCE`` rows a query."""
    wanted: dict[str, list[int]] = {}
    for action, table_name, row_id in changes:
        if action != "delete":
            wanted.setdefault(table_name, []).append(row_id)
    held: dict[tuple[str, int], sa.RowMapping] = {}
    for table_name, ids in wanted.items():
        table = tables[table_name] if tables is not None else _table(table_name)
        for start in range(0, len(ids), READ_AT_ONCE):
            chunk = ids[start : start + READ_AT_ONCE]
            for row in connection.execute(sa.select(table).where(table.c.id.in_(chunk))).mappings():
                held[(table_name, row["id"])] = row
    return held


def append(
    connection: sa.Connection,
    changes: Iterable[tuple[str, str, int]],
    actor_id: int | None,
    tables: Mapping[str, sa.Table] | None = None,
) -> None:
    """Appends one entry per change, reading each row as the database now holds it (from
    ``tables`` when given: a migration passes the tables as they are at its revision)."""
    changes = list(changes)
    if not changes:
        return
    seq, prev = _lock_head(connection)
    at = clock.now()
    held = _rows_now(connection, changes, tables)
    rows = []
    for action, table_name, row_id in changes:
        data = row_data(None if action == "delete" else held.get((table_name, row_id)))
        seq += 1
        entry = {
            "seq": seq,
            "at": at,
            "actor_id": actor_id,
            "action": action,
            "table_name": table_name,
            "row_id": row_id,
            "data": data,
            "data_sha256": sha256(data),
            "prev_hash": prev,
        }
        entry["hash"] = prev = sha256(entry_line(_Fields(entry)))
        rows.append(entry)
    connection.execute(sa.insert(_table("audit_entries")), rows)
    connection.execute(
        sa.update(_table("audit_head"))
        .where(_table("audit_head").c.id == 1)
        .values(seq=seq, hash=prev)
    )


class _Fields:
    """Attribute access over a dict, so that ``entry_line`` reads both."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _after_flush(session: Session, _context: Any) -> None:
    changes = _changes(session)
    if changes:
        append(session.connection(), changes, _actor_id())


def install() -> None:
    """Hooks the log into every flush of the application's session."""
    if not sa.event.contains(Session, "after_flush", _after_flush):
        sa.event.listen(Session, "after_flush", _after_flush)


def log_existing(connection: sa.Connection, tables: list[sa.Table]) -> int:
    """One insert entry for every row already in ``tables`` (for the migration that starts
    the log over a database that has data). Returns how many."""
    changes = []
    for table in tables:
        ids = connection.execute(sa.select(table.c.id).order_by(table.c.id)).scalars()
        changes.extend(("insert", table.name, row_id) for row_id in ids)
    append(connection, changes, None, {table.name: table for table in tables})
    return len(changes)


# Reading and verifying --------------------------------------------------------------------------


def entries(after: int = 0, batch: int = 2000) -> Iterator[sa.Row]:
    """Every entry in order (plain rows, read in batches: the log grows without bound)."""
    table = _table("audit_entries")
    while True:
        chunk = db.session.execute(
            sa.select(table).where(table.c.seq > after).order_by(table.c.seq).limit(batch)
        ).all()
        if not chunk:
            return
        yield from chunk
        after = chunk[-1].seq


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: an entry (``seq``) or an audited row (``table``, ``row``)."""

    message: str
    seq: int | None = None
    table: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        where = f"entry {self.seq}" if self.seq is not None else f"{self.table} row {self.row}"
        return f"{where}: {self.message}"


@dataclass
class Report:
    entries: int
    rows: int
    head: str
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify() -> Report:
    """Checks the chain entry by entry, then every audited row against its last entry. Reads
    in batches and merges sorted streams, so memory stays flat however long the log is."""
    problems: list[Problem] = []
    prev = GENESIS
    expected_seq = 0
    for entry in entries():
        expected_seq += 1
        if entry.seq != expected_seq:
            problems.append(
                Problem(f"expected entry {expected_seq} here; entries are missing", entry.seq)
            )
            expected_seq = entry.seq
        if entry.prev_hash != prev:
            problems.append(
                Problem("its prev does not match the hash of the entry before it", entry.seq)
            )
        if sha256(entry.data) != entry.data_sha256:
            problems.append(Problem("its data does not match its data_sha256", entry.seq))
        if sha256(entry_line(entry)) != entry.hash:
            problems.append(Problem("its content does not match its hash", entry.seq))
        prev = entry.hash
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.seq, head.hash) != (expected_seq, prev):
        problems.append(
            Problem(
                f"the head names entry {head.seq} but the chain ends at entry {expected_seq}",
                head.seq,
            )
        )
    rows = 0
    for table_name in AUDITED_TABLES:
        rows += _check_rows(table_name, problems)
    return Report(entries=expected_seq, rows=rows, head=prev, problems=problems)


def _latest_entries(table_name: str) -> Iterator[sa.Row]:
    latest = (
        sa.select(sa.func.max(AuditEntry.seq))
        .where(AuditEntry.table_name == table_name)
        .group_by(AuditEntry.row_id)
    )
    return iter(
        db.session.execute(
            sa.select(AuditEntry.row_id, AuditEntry.seq, AuditEntry.action, AuditEntry.data_sha256)
            .where(AuditEntry.seq.in_(latest))
            .order_by(AuditEntry.row_id)
            .execution_options(yield_per=5000)
        )
    )


def _check_rows(table_name: str, problems: list[Problem]) -> int:
    """Merges the table's rows with their last entries, both sorted by id."""
    table = _table(table_name)
    logged = _latest_entries(table_name)
    pending = next(logged, None)
    count = 0

    def missing(entry: sa.Row) -> None:
        if entry.action != "delete":
            problems.append(
                Problem(
                    f"is missing although entry {entry.seq} records it",
                    table=table_name,
                    row=entry.row_id,
                )
            )

    rows = db.session.execute(
        sa.select(table).order_by(table.c.id).execution_options(yield_per=5000)
    ).mappings()
    for row in rows:
        count += 1
        row_id = row["id"]
        while pending is not None and pending.row_id < row_id:
            missing(pending)
            pending = next(logged, None)
        if pending is None or pending.row_id != row_id:
            problems.append(Problem("has no entry in the log", table=table_name, row=row_id))
            continue
        entry, pending = pending, next(logged, None)
        if entry.action == "delete":
            problems.append(
                Problem(
                    f"exists although entry {entry.seq} records it deleted",
                    table=table_name,
                    row=row_id,
                )
            )
        elif sha256(data := row_data(row)) != entry.data_sha256:
            changed = _changed_columns(db.session.get(AuditEntry, entry.seq).data, data)
            problems.append(
                Problem(
                    f"differs from its last entry ({entry.seq}) in {', '.join(changed)}",
                    table=table_name,
                    row=row_id,
                )
            )
    while pending is not None:
        missing(pending)
        pending = next(logged, None)
    return count


def _changed_columns(logged: str, now: str) -> list[str]:
    before, after = json.loads(logged), json.loads(now)
    if not isinstance(before, dict):
        before = {}
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
