"""The HTML of every kind of page of the demo, as a citizen and as the goat mesa's secretary,
passes the Nu HTML Checker (the W3C's validator, npm package ``vnu-jar``): 0 errors.

The checker is a Java program. Its jar is looked for at ``PORTAL_VNU_JAR`` or where
``npm install vnu-jar`` puts it in the repository; without it (or without Java) the test is
skipped, except in CI (``CI=true``), where it fails."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.demo import load_demo_data
from portal.extensions import db as _db
from tests.conftest import Client, savepoint, shared_data, signed_in

ROOT = Path(__file__).resolve().parents[1]
JAR = Path(os.environ.get("PORTAL_VNU_JAR", ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"))
START = ["/", "/territorios/limari-choapa", "/mesas/limari-choapa-ganaderia-caprina"]
MEMBER_START = [
    "/mis-mesas",
    "/cuenta/perfil",
    "/mesas/limari-choapa-ganaderia-caprina/gestion",
    "/mesas/limari-choapa-ganaderia-caprina/sesiones",
    "/mesas/limari-choapa-ganaderia-caprina/rondas",
]
NOT_PAGES = (".ics", ".atom", ".jsonl", ".txt", ".sh", ".pb", ".csv", "/idioma/", "/salir")


def kind_of(path: str) -> str:
    parts = urlsplit(path).path.strip("/").split("/")
    return "/".join("#" if any(c.isdigit() for c in p) else p for p in parts[:1] + parts[2:])


def crawl(client, start: list[str], most: int = 150) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """{path: html} for one page of each kind reachable from ``start``."""
    pages: dict[str, str] = {}
    kinds: set[str] = set()
    queue = list(start)
    while queue and len(pages) < most:
        path = queue.pop(0)
        kind = path if path in start else kind_of(path)
        if kind in kinds:
            continue
        kinds.add(kind)
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        pages[path] = html
        for link in re.findall(r'href="(/[^"#]*)"', html):
            link = link.replace("&amp;", "&")
            wanted = not link.startswith("/static/") and not any(n in link for n in NOT_PAGES)
            if wanted and link not in pages and link not in queue:
                queue.append(link)
    return pages


@pytest.fixture(scope="module")
def checker() -> list[str]:
    java = shutil.which("java")
    if java is None or not JAR.exists():
        message = f"the Nu HTML Checker needs Java and {JAR} (npm install vnu-jar)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return [java, "-jar", str(JAR)]


def test_every_page_of_the_demo_is_valid_html(app, checker, tmp_path):
    with shared_data(app) as connection:
        load_demo_data()
        secretary = _db.session.scalars(
            sa.select(User).where(User.email == "secretaria@demo.example")
        ).one()
        login_id = secretary.login_id
        _db.session.remove()
        app.test_client_class = Client
        with savepoint(app, connection):
            public = crawl(app.test_client(), START)
            member = crawl(signed_in(app.test_client(), login_id), MEMBER_START + START)
    assert len(public) > 15 and len(member) > 40, (len(public), len(member))
    files = {}
    for who, pages in (("public", public), ("secretary", member)):
        for n, (path, html) in enumerate(pages.items()):
            file = tmp_path / f"{who}-{n}.html"
            file.write_text(html, encoding="utf-8")
            files[str(file)] = f"{who} {path}"
    result = subprocess.run(
        [*checker, "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{files.get(urlsplit(m.get('url', '')).path, m.get('url'))}: {m['message']} "
        f"«{m.get('extract', '').strip()[:80]}»"
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == [], "\n".join(errors[:40])
