"""The HTML of every kind of page of the demo, as a citizen and as the goat mesa's secretary,
passes the Nu HTML Checker (the W3C's validator, npm package ``vnu-jar``): 0 errors.

The checker is a Java program. Its jar is looked for at ``PORTAL_VNU_JAR`` or where
``npm install vnu-jar`` puts it in the repository; without it (or without Java) the test is
skipped, except in CI (``CI=true``), where it fails."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.extensions import db as _db
from tests import factories
from tests.conftest import signed_in
from tests.crawl import MEMBER_START, START, client_pages, crawl, demo_site

# The console's pages, reached from its lists.
CONSOLE = ["/admin", "/admin/territorios", "/admin/mesas", "/admin/personas", "/admin/registro"]

ROOT = Path(__file__).resolve().parents[1]
JAR = Path(os.environ.get("PORTAL_VNU_JAR", ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"))


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
    with demo_site(app) as (citizen, secretary):
        public = crawl(client_pages(citizen), START)
        member = crawl(client_pages(secretary), MEMBER_START + START)
        # The console, as the demo's administrator with two-step sign-in on.
        admin = _db.session.scalars(sa.select(User).where(User.is_admin)).first()
        factories.two_factor_on(admin)
        _db.session.commit()
        console = crawl(client_pages(signed_in(app.test_client(), admin.login_id)), CONSOLE)
    assert len(public) > 15 and len(member) > 40, (len(public), len(member))
    assert len(console) > 8, sorted(console)
    files = {}
    for who, pages in (("public", public), ("secretary", member), ("admin", console)):
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
