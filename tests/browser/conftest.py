"""Browser tests: the system Chromium driven by Playwright against a live portal.

axe-core runs on every page a test opens; a test that opens a page it did not audit fails.
In CI (CI=true) a missing Chromium is a failure, elsewhere the browser tests are skipped.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.serving import make_server

from portal import create_app
from portal.demo import load_demo_data
from portal.extensions import db
from portal.mesas.demo import load_demo_mesas
from portal.places.demo import load_pilot_territories
from portal.places.reference import sync_places
from tests.conftest import TEST_DATABASE_URL, saved_mail, test_config

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BROWSER_SCHEMA = "browser_tests"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    here = Path(__file__).parent
    skip = os.environ.get("PORTAL_SKIP_BROWSER_TESTS", "").lower() in {"1", "true", "yes"}
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            if skip:
                item.add_marker(pytest.mark.skip(reason="PORTAL_SKIP_BROWSER_TESTS is set"))


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
    if not Path(path).exists():
        message = f"Chromium not found at {path} (install Debian's chromium package)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_executable):  # type: ignore[no-untyped-def]
    return {
        **browser_type_launch_args,
        "executable_path": chromium_executable,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


def _browser_database(instance: Path, schema: str) -> str:
    """Its own database: a schema of the PostgreSQL test database, or a SQLite file."""
    if not TEST_DATABASE_URL:
        return f"sqlite:///{instance / 'browser.sqlite3'}"
    engine = sa.create_engine(TEST_DATABASE_URL)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()
    separator = "&" if "?" in TEST_DATABASE_URL else "?"
    return f"{TEST_DATABASE_URL}{separator}options=-csearch_path%3D{schema}"


def _live_app(instance: Path, schema: str, load: Callable[[], object]) -> Iterator[Flask]:
    config = test_config(instance, _browser_database(instance, schema))
    # Served over plain HTTP on 127.0.0.1, like `portal demo`.
    config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    app = create_app(config)
    with app.app_context():
        db.create_all()
        load()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    if TEST_DATABASE_URL:
        engine = sa.create_engine(TEST_DATABASE_URL)
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        engine.dispose()


def _serve(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    address = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = address  # the links in its mail lead back to it
    yield address
    server.shutdown()
    thread.join(timeout=5)


def _places_and_mesas() -> None:
    sync_places(db.session.connection())
    load_pilot_territories()
    load_demo_mesas()


@pytest.fixture(scope="session")
def live_app(tmp_path_factory, chromium_executable):  # type: ignore[no-untyped-def]
    """The places and the demo's mesas: each flow test builds the rest itself."""
    instance = tmp_path_factory.mktemp("browser-instance")
    yield from _live_app(instance, BROWSER_SCHEMA, _places_and_mesas)


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    yield from _serve(live_app)


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory, chromium_executable) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The whole demo, as `portal demo` serves it, on a server of its own."""
    instance = tmp_path_factory.mktemp("browser-demo")
    for app in _live_app(instance, "browser_demo", load_demo_data):
        yield from _serve(app)


class Audited:
    """Every page the test's browser opens is checked by axe-core and must pass."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.opened: list[str] = []
        self.checked: set[str] = set()
        self.console_errors: list[str] = []
        page.on("framenavigated", self._navigated)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _navigated(self, frame) -> None:  # type: ignore[no-untyped-def]
        if frame == self.page.main_frame:
            self.opened.append(frame.url.split("#")[0])  # an in-page jump is the same page

    def _console(self, message) -> None:  # type: ignore[no-untyped-def]
        # A form sent back with its errors answers 4xx, which the console reports; what must
        # never happen is a script error or something the content security policy refused.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.console_errors.append(message.text)

    def check(self) -> None:
        """Run axe-core on the page as it is now."""
        self.page.wait_for_load_state("load")
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        violations = [
            {
                "id": v["id"],
                "help": v["help"],
                "nodes": [n["html"][:160] for n in v["nodes"][:3]],
            }
            for v in result["violations"]
        ]
        assert violations == [], f"{self.page.url}:\n{json.dumps(violations, indent=1)}"
        self.checked.add(self.page.url.split("#")[0])

    def unchecked(self) -> list[str]:
        return [url for url in self.opened if url not in self.checked and url != "about:blank"]


@pytest.fixture
def browser_context_args(browser_context_args):  # type: ignore[no-untyped-def]
    return {**browser_context_args, "locale": "es-CL", "timezone_id": "America/Santiago"}


@pytest.fixture
def visit(page, live_server):  # type: ignore[no-untyped-def]
    """``visit(path)`` opens a page of the live portal and audits it; ``visit.check()`` audits
    the page reached by a click or a form."""
    yield from visitor(page, live_server)


def visitor(page, server: str):  # type: ignore[no-untyped-def]
    """The ``visit`` of any live server: every page it opens is audited by axe-core."""
    page.context.add_init_script(path=str(AXE))
    audited = Audited(page)

    def go(path: str):  # type: ignore[no-untyped-def]
        response = page.goto(server + path)
        audited.check()
        return response

    go.check = audited.check  # type: ignore[attr-defined]
    go.path = lambda: urlsplit(page.url).path  # type: ignore[attr-defined]
    yield go
    assert audited.unchecked() == [], "pages opened without an accessibility check"
    assert audited.console_errors == [], audited.console_errors


# The width of a small phone, the screen most people read the portal on.
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def no_js_page(browser, live_server):  # type: ignore[no-untyped-def]
    """A phone-sized page with JavaScript off, as on a phone where scripts do not load. axe
    cannot run there (it is JavaScript), so these pages are audited in the tests with it on."""
    context = browser.new_context(
        java_script_enabled=False, viewport=PHONE, locale="es-CL", base_url=live_server
    )
    yield context.new_page()
    context.close()


def last_mail_link(app: Flask, path: str) -> str:
    """The path of the link to ``path…`` in the newest mail the portal sent, once the worker
    has sent what waits in the outbox."""
    for message in reversed(saved_mail(app)):
        found = re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", message.get_content())
        if found:
            return found.group(1)
    raise AssertionError(f"no mail with a link to {path}")
