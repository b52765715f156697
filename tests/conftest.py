"""Fixtures: one app per test run, and every test inside a transaction that is rolled back.

The suite runs on SQLite by default and on PostgreSQL when PORTAL_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import smtplib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, current_app, has_request_context, request
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal import create_app
from portal.accounts.models import User
from portal.accounts.services import NewAccount, create_user
from portal.core import mail
from portal.demo import load_demo_data
from portal.extensions import db as _db
from portal.extensions import limiter
from portal.notifications import worker as outbox_worker
from portal.places.models import (
    Comuna,
    Region,
    Territory,
    TerritoryComuna,
    TerritoryPhase,
    TerritoryStatus,
)
from portal.places.reference import sync_places
from tests.smtp import SavedMail, read_mail, smtp_server

TEST_DATABASE_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "").strip()
PASSWORD = "cabras del valle 2026"


def test_config(instance: Path, database_url: str) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "only-for-tests",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "ARGON2_PROFILE": "CHEAPEST",
        "MAIL_SERVER": "",
        "MAIL_DIR": str(instance / "mail"),
        "RATELIMIT_STORAGE_URI": "memory://",
        # The test client's host: links in mail lead back to it.
        "BASE_URL": "https://localhost",
        # Tests move the clock by days between two requests of one signed-in person; the idle
        # timeout has its own tests, which set it.
        "IDLE_MINUTES": 10 * 365 * 24 * 60,
    }


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    url = TEST_DATABASE_URL or f"sqlite:///{instance / 'test.sqlite3'}"
    app = create_app(test_config(instance, url))
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        with _db.engine.begin() as connection:
            sync_places(connection)
        _db.session.configure(join_transaction_mode="create_savepoint")
    yield app
    with app.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def db(app: Flask) -> Iterator[sa.orm.scoped_session]:
    """The session, inside an outer transaction rolled back after the test; the app's own
    commits only release savepoints."""
    with shared_data(app):
        yield _db.session


@contextmanager
def shared_data(app: Flask) -> Iterator[sa.Connection]:
    """For a module-scoped fixture: one connection whose outer transaction holds what the
    module builds once, rolled back when the module is done. Its tests run each inside a
    ``savepoint`` and must not also use ``db`` (on SQLite the two would wait for each other)."""
    with app.app_context():
        engine = _db.engine
        connection = engine.connect()
        outer = connection.begin()
        _db.engines[None] = connection  # type: ignore[index]
        try:
            yield connection
        finally:
            _db.session.remove()
            _db.engines[None] = engine  # type: ignore[index]
            outer.rollback()
            connection.close()


@contextmanager
def savepoint(app: Flask, connection: sa.Connection) -> Iterator[None]:
    """One test over ``shared_data``: what its requests change is undone after it."""
    with app.app_context():
        saved = connection.begin_nested()
        try:
            yield
        finally:
            _db.session.remove()
            if saved.is_active:
                saved.rollback()


def signed_in(client: FlaskClient, login_id: str | None) -> FlaskClient:
    """The client as that person (nobody when ``None``), the way Flask-Login remembers one."""
    with client.session_transaction() as session:
        session.clear()
        if login_id:
            session["_user_id"] = login_id
            session["_fresh"] = True
    return client


@pytest.fixture(autouse=True)
def mail_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Mail leaves through the outbox and the worker, never from a web request: any test whose
    request opens a connection to a mail server, or writes a mail file, fails. The list holds
    the paths of such requests."""
    caught: list[str] = []

    def guarded(original):  # type: ignore[no-untyped-def]
        def opened(*args, **kwargs):  # type: ignore[no-untyped-def]
            if has_request_context():
                caught.append(request.path)
            return original(*args, **kwargs)

        return opened

    monkeypatch.setattr(smtplib.SMTP, "connect", guarded(smtplib.SMTP.connect))
    monkeypatch.setattr(mail, "_save", guarded(mail._save))
    yield caught
    assert not caught, f"mail sent inside the request to {caught}"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app: Flask) -> None:
    with app.app_context():
        limiter.reset()
    # The data version goes back when a test's transaction is rolled back, which the live
    # portal never does: no page kept by one test may answer the next.
    app.extensions["pagecache"].clear()


class Client(FlaskClient):
    """A test client that fills forms the way a browser does: it reads the CSRF token from the
    page that holds the form and sends it with the fields.

    Each request runs in an app context of its own, as in production: ``g`` (where Flask-WTF
    and Flask-Login cache per request) and the database session are fresh every time, while
    the connection, and so the test's transaction, is shared."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def csrf_token(self, url: str) -> str:
        page = self.get(url)
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
        assert found, f"no CSRF token on {url} ({page.status_code})"
        return found.group(1)

    def submit(self, url: str, data: dict, *, form_url: str | None = None, **kw) -> TestResponse:
        token = self.csrf_token(form_url or url)
        # A browser sends the page the form was on (Flask-WTF checks it over HTTPS).
        headers = {"Referer": "https://localhost" + (form_url or url), **kw.pop("headers", {})}
        return self.post(url, data={**data, "csrf_token": token}, headers=headers, **kw)


@pytest.fixture
def client(app: Flask, db) -> Client:  # type: ignore[no-untyped-def]
    app.test_client_class = Client
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def comuna(db) -> Callable[[str], Comuna]:  # type: ignore[no-untyped-def]
    def by_name(name: str) -> Comuna:
        return db.scalars(sa.select(Comuna).where(Comuna.name == name)).one()

    return by_name


@pytest.fixture
def make_user(db, comuna) -> Callable[..., User]:  # type: ignore[no-untyped-def]
    counter = iter(range(1, 10_000))

    def make(**overrides) -> User:  # type: ignore[no-untyped-def]
        """An account; an administrator has two-step sign-in on, as the portal requires,
        unless ``two_factor=False``."""
        n = next(counter)
        two_steps = overrides.pop("two_factor", overrides.get("is_admin", False))
        values = {
            "name": f"Persona de prueba {n}",
            "email": f"persona{n}@demo.example",
            "password": PASSWORD,
            "comuna_id": comuna("Combarbalá").id,
            "verified": True,
        }
        values.update(overrides)
        user = create_user(NewAccount(**values))
        if two_steps:
            from tests.factories import two_factor_on

            two_factor_on(user)
        db.commit()
        return user

    return make


@pytest.fixture
def make_territory(db, comuna) -> Callable[..., Territory]:  # type: ignore[no-untyped-def]
    counter = iter(range(1, 100_000))

    def make(
        name: str | None = None,
        comunas: tuple[str, ...] = ("Canela",),
        since: dt.date = dt.date(2014, 8, 2),
        region_code: str = "04",
        commit: bool = True,
        left: tuple[tuple[str, dt.date, dt.date, str], ...] = (),
    ) -> Territory:
        """``left``: comunas that were part of it for a while: (name, from, until, why)."""
        n = next(counter)
        region = db.scalars(sa.select(Region).where(Region.code == region_code)).one()
        territory = Territory(
            name=name or f"Territorio {n}",
            slug=f"territorio-{n}",
            region=region,
            phase=TerritoryPhase.TRIENNIAL_PLAN,
            status=TerritoryStatus.LAGGING,
        )
        territory.memberships = [
            TerritoryComuna(comuna=comuna(c), valid_from=since) for c in comunas
        ] + [
            TerritoryComuna(comuna=comuna(c), valid_from=start, valid_to=end, note=why)
            for c, start, end, why in left
        ]
        db.add(territory)
        if commit:
            db.commit()
        return territory

    return make


@pytest.fixture
def clock_at(app) -> Iterator[Callable[[dt.datetime], None]]:  # type: ignore[no-untyped-def]
    """``clock_at(moment)`` sets the portal's clock (``portal.core.clock``) to an aware moment;
    it then runs on from there, and is put back after the test."""

    def move(moment: dt.datetime) -> None:
        app.config["CLOCK_SHIFT"] = moment - dt.datetime.now(dt.UTC)

    yield move
    app.config.pop("CLOCK_SHIFT", None)


@pytest.fixture
def login(client: Client, db) -> Callable[[User], Client]:  # type: ignore[no-untyped-def]
    """Logs the client in as ``user`` the way Flask-Login remembers a login."""

    def as_user(user: User) -> Client:
        # Read afresh: logging out changes it, and the test may hold the object from before.
        login_id = db.scalar(sa.select(User.login_id).where(User.id == user.id))
        with client.session_transaction() as session:
            session["_user_id"] = login_id
            session["_fresh"] = True
        return client

    return as_user


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(db) -> Callable[[], QueryCounter]:  # type: ignore[no-untyped-def]
    """``with count_queries() as q: …`` then ``q.count``."""
    from contextlib import contextmanager

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        # What a page costs when rendered, not when answered from memory (portal.pagecache).
        current_app.extensions["pagecache"].clear()
        counter = QueryCounter()
        connection = _db.engines[None]
        sa.event.listen(connection, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(connection, "before_cursor_execute", counter)

    return counting


def saved_mail(app) -> list[SavedMail]:
    """What the outbox holds, sent by the worker into the mail folder, oldest first."""
    with app.app_context():
        outbox_worker.run_once(worker="tests")
    folder = Path(app.config["MAIL_DIR"])
    files = sorted(folder.glob("*.eml")) if folder.exists() else []
    return [read_mail(f.read_bytes()) for f in files]


@pytest.fixture
def smtp(app, monkeypatch):  # type: ignore[no-untyped-def]
    """The portal configured for a real SMTP server on loopback, and that server running: its
    inbox holds what the worker delivered."""
    with smtp_server() as (inbox, port):
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_SECURITY", "none")
        yield inbox


@pytest.fixture
def mailbox(app):
    folder = Path(app.config["MAIL_DIR"])
    if folder.exists():
        for f in folder.glob("*.eml"):
            f.unlink()
    return lambda: saved_mail(app)


def text_of(response: TestResponse) -> str:
    """The visible text of a page, whitespace folded, for asserting what a person reads."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    import html as html_module

    return re.sub(r"\s+", " ", html_module.unescape(text)).strip()


def two_workers(app: Flask, timeout: float = 300) -> list:  # type: ignore[type-arg]
    """Two ``portal worker`` loops at once, each in its own thread, app context and database
    connection, each sending what is due until nothing is; their tallies."""
    import threading

    from portal.notifications import worker

    tallies: list[worker.Tally] = []

    def work(name: str) -> None:
        with app.app_context():
            tallies.append(worker.run_once(worker=name))

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return tallies


@pytest.fixture(scope="module")
def demo(app: Flask) -> Iterator[sa.Connection]:
    """The whole demo, built once for a module whose tests read it, each in a ``savepoint``
    (what a test changes is undone after it)."""
    with shared_data(app) as connection:
        with app.app_context():
            load_demo_data()
        yield connection
