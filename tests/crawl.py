"""One crawler for the tests that visit every kind of page of the demo: the HTML checker, the
readability measure and the browser sweep at 320 px. Pages of one kind differ only by their
slugs and numbers, so one of each is visited."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from portal.accounts.models import User
from portal.demo import load_demo_data
from portal.extensions import db as _db
from tests.conftest import Client, savepoint, shared_data, signed_in

START = [
    "/",
    "/territorios/limari-choapa",
    "/mesas/limari-choapa-ganaderia-caprina",
    "/registro-de-cambios",
]
MEMBER_START = [
    "/mis-mesas",
    "/cuenta/perfil",
    "/mesas/limari-choapa-ganaderia-caprina/gestion",
    "/mesas/limari-choapa-ganaderia-caprina/sesiones",
    "/mesas/limari-choapa-ganaderia-caprina/rondas",
    "/mesas/limari-choapa-ganaderia-caprina/iniciativas",
]
# Files, feeds and ways out, which are not pages to read.
NOT_PAGES = (
    ".ics", ".atom", ".jsonl", ".json", ".txt", ".sh", ".pb", ".csv", "/api/",
    "/archivos/", "/evidencia/", "/idioma/", "/salir",
)  # fmt: skip
# Enough to reach every kind of page of the demo.
MOST = 150


def kind_of(path: str) -> str:
    parts = path.split("?", 1)[0].strip("/").split("/")
    return "/".join("#" if any(c.isdigit() for c in p) else p for p in parts[:1] + parts[2:])


def crawl(open_page: Callable[[str], str | None], start: list[str]) -> dict[str, str]:
    """{path: html} for one page of each kind reachable from ``start``; ``open_page`` returns a
    page's HTML, or None when it is not a page to read (an error, a file)."""
    pages: dict[str, str] = {}
    kinds: set[str] = set()
    queue = list(start)
    while queue and len(pages) < MOST:
        path = queue.pop(0)
        kind = path if path in start else kind_of(path)
        if kind in kinds:
            continue
        kinds.add(kind)
        html = open_page(path)
        if html is None:
            continue
        pages[path] = html
        for link in re.findall(r'href="(/[^"#]*)"', html):
            link = link.replace("&amp;", "&")
            wanted = not link.startswith("/static/") and not any(n in link for n in NOT_PAGES)
            if wanted and link not in pages and link not in queue:
                queue.append(link)
    return pages


def client_pages(client) -> Callable[[str], str | None]:  # type: ignore[no-untyped-def]
    def open_page(path: str) -> str | None:
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            return None
        return response.get_data(as_text=True)

    return open_page


@contextmanager
def demo_site(app) -> Iterator[tuple[Client, Client]]:  # type: ignore[no-untyped-def]
    """The whole demo, and two browsers over it: a citizen and the goat mesa's secretary."""
    with shared_data(app) as connection:
        load_demo_data()
        secretary = _db.session.scalars(
            sa.select(User).where(User.email == "secretaria@demo.example")
        ).one()
        login_id = secretary.login_id
        _db.session.remove()
        app.test_client_class = Client
        with savepoint(app, connection):
            yield app.test_client(), signed_in(app.test_client(), login_id)
