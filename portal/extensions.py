"""The Flask extensions, created once and bound to the app in ``create_app``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

from portal.core.clients import client_address

# Every constraint gets a predictable name, so that migrations can drop and alter them on
# SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=client_address, default_limits=[])
htmx = Htmx()
compress = Compress()


# How long a writer waits for another one to finish before giving up, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 15_000

READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


_READING: ContextVar[bool] = ContextVar("reading", default=False)


@contextmanager
def reading_only() -> Iterator[None]:
    """Transactions begun inside only read (outside a request, as the page cache's check of
    the data's version before Flask sees the request)."""
    token = _READING.set(True)
    try:
        yield
    finally:
        _READING.reset(token)


def _may_write() -> bool:
    """Whether the transaction about to begin may write: everything but a request that only
    reads (a GET that writes still works; it just cannot wait for the lock)."""
    if _READING.get():
        return False
    return not (has_request_context() and request.method in READING_METHODS)


def configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL journal (readers never wait for the writer), and transactions that
    SQLAlchemy begins itself so that SAVEPOINT works (the pysqlite driver's own transaction
    handling breaks it; this is the recipe of the SQLAlchemy SQLite dialect documentation).

    A transaction that may write begins with ``BEGIN IMMEDIATE``: it takes the write lock
    before it reads, waiting for it within the busy timeout. A plain ``BEGIN`` reads first and
    asks for the lock at its first write, which WAL refuses at once ("database is locked")
    when another writer committed in between, so writes sent at the same moment were lost."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")
