"""The project itself: catalogs complete, README in step, vendored files untouched, CLI."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from portal import create_app
from portal.accounts.demo import DEMO_PASSWORD
from portal.config import ENVIRONMENT
from portal.core.translations import missing_translations
from tests.servers import PORTAL, browser, clean_environment, free_port, portal_process, submit

ROOT = Path(__file__).resolve().parents[1]


def test_the_spanish_catalog_translates_every_string_in_the_code():
    assert missing_translations() == {"es": []}


def test_the_catalog_check_notices_a_missing_translation(tmp_path):
    target = tmp_path / "es" / "LC_MESSAGES"
    target.mkdir(parents=True)
    source = (ROOT / "translations/es/LC_MESSAGES/messages.po").read_text()
    # Drop the translation of the home page's title.
    broken = source.replace('msgstr "Territorios rezagados"', 'msgstr ""')
    assert broken != source
    (target / "messages.po").write_text(broken)
    assert missing_translations(tmp_path) == {"es": ["Lagging territories"]}


def test_the_readme_lists_every_environment_variable():
    readme = (ROOT / "README.md").read_text()
    for name in ENVIRONMENT:
        assert f"`{name}`" in readme, name
    test_only = {
        "PORTAL_TEST_DATABASE_URL",
        "PORTAL_CHROMIUM",
        "PORTAL_SKIP_BROWSER_TESTS",
        "PORTAL_FUZZ_REQUESTS",
        "PORTAL_API_REQUESTS",
    }
    listed = set(re.findall(r"`(PORTAL_[A-Z_]+)`", readme)) - test_only
    assert listed <= set(ENVIRONMENT), listed - set(ENVIRONMENT)


def test_the_readme_opens_with_the_run_line_and_the_test_line():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```")[1]
    lines = [line for line in block.splitlines()[1:] if line.strip()]
    assert len(lines) == 2
    assert "portal demo" in lines[0]
    assert "pytest" in lines[1]


@pytest.mark.parametrize(
    "version_file", ["static/vendor/htmx/VERSION", "tests/browser/vendor/axe-core/VERSION"]
)
def test_vendored_files_are_unmodified_registry_copies_with_their_license(version_file):
    version = ROOT / version_file
    folder = version.parent
    assert (folder / "LICENSE").stat().st_size > 100
    for digest, name in re.findall(r"^sha256 ([0-9a-f]{64})  (\S+)$", version.read_text(), re.M):
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


@pytest.fixture
def fresh_app(tmp_path, monkeypatch):
    """An app on an empty SQLite file, as a newcomer's first `portal demo` meets it."""
    monkeypatch.delenv("PORTAL_DATABASE_URL", raising=False)
    return create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            "ARGON2_PROFILE": "CHEAPEST",
        }
    )


def test_portal_demo_builds_the_database_and_running_it_twice_changes_nothing(fresh_app):
    runner = fresh_app.test_cli_runner()
    first = runner.invoke(args=["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "6 territories" in first.output and "admin@demo.example" in first.output
    second = runner.invoke(args=["demo", "--no-serve"])
    assert second.exit_code == 0, second.output
    assert "nothing new" in second.output
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output
    client = fresh_app.test_client()
    assert "Limarí-Choapa" in client.get("/").get_data(as_text=True)


def test_create_admin_refuses_a_weak_password_and_accepts_a_strong_one(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    base = ["create-admin", "--email", "jefa@demo.example", "--name", "Jefa de Prueba"]
    weak = runner.invoke(args=[*base, "--password", "12345"])
    assert weak.exit_code != 0 and "too easy to guess" in weak.output
    strong = runner.invoke(args=[*base, "--password", "los cerros de combarbalá"])
    assert strong.exit_code == 0, strong.output
    from portal.accounts.services import find_by_email

    with fresh_app.app_context():
        assert find_by_email("jefa@demo.example").is_admin


def test_the_wheel_ships_templates_static_files_translations_and_migrations(tmp_path):
    import zipfile

    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for expected in (
        "portal/templates/base.html",
        "portal/static/css/portal.css",
        "portal/translations/es/LC_MESSAGES/messages.po",
        "portal/migrations/versions/0001_places_and_accounts.py",
        "portal/places/data/cut.csv",
    ):
        assert expected in names


def test_portal_demo_serves_the_portal_in_spanish_over_plain_http(tmp_path):
    port = free_port()
    env = clean_environment(tmp_path)
    with portal_process(["demo", "--port", str(port)], env, port) as server:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
            home = answer.read().decode()
        assert '<html lang="es-CL">' in home
        assert "Limarí-Choapa" in home and 'href="/cuenta/registro"' in home
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/cuenta/ingresar") as answer:
            cookie = answer.headers["Set-Cookie"]
        # Over plain HTTP a Secure cookie would never come back: the demo must not set one.
        assert "HttpOnly" in cookie and "Secure" not in cookie
        # A demo account signs in at once: nothing the demo did while starting holds the
        # database's write lock (a write would wait for it and fail after 15 s).
        started = time.monotonic()
        form = {"email": "secretaria@demo.example", "password": DEMO_PASSWORD}
        assert submit(browser(), f"http://127.0.0.1:{port}/cuenta/ingresar", form) == 200
        assert time.monotonic() - started < 5
        # The worker beside the server writes the mail an action queues into instance/mail/.
        forgot = {"email": "secretaria@demo.example"}
        assert submit(browser(), f"http://127.0.0.1:{port}/cuenta/clave/olvido", forgot) == 200
        deadline = time.monotonic() + 15
        while not list((tmp_path / "mail").glob("*.eml")):
            assert time.monotonic() < deadline, "no mail arrived in instance/mail/"
            time.sleep(0.2)
        [mailed] = (tmp_path / "mail").glob("*.eml")
        assert b"secretaria@demo.example" in mailed.read_bytes()
    assert "admin@demo.example" in server.output and f"http://127.0.0.1:{port}/" in server.output


def test_the_demo_shows_a_newcomer_the_whole_loop(fresh_app):
    """A closed round with a budget and its Equal Shares explanation, an initiative without a
    cost left out of the budget with its reason, a portfolio with its approval steps, and
    commitments on time, overdue and fulfilled."""
    result = fresh_app.test_cli_runner().invoke(args=["demo", "--no-serve"])
    assert "1 portfolios" in result.output, result.output
    client = fresh_app.test_client()
    rounds = client.get("/mesas/limari-choapa-ganaderia-caprina/rondas").get_data(as_text=True)
    round_page = client.get(re.findall(r'href="(/rondas/\d+)"', rounds)[0])
    text = " ".join(re.sub(r"<[^>]+>", " ", round_page.get_data(as_text=True)).split())
    assert "Lo que cabe en el presupuesto de $ 120.000.000" in text
    assert "Método de Igualdad de Partes" in text and "pagaron $ 6.000.000 cada una" in text
    assert "no tiene costo estimado" in text
    portfolio = client.get("/territorios/limari-choapa/cartera").get_data(as_text=True)
    version = client.get(re.findall(r'href="(/carteras/\d+/versiones/\d+)"', portfolio)[0])
    text = " ".join(re.sub(r"<[^>]+>", " ", version.get_data(as_text=True)).split())
    for step in ("Acordada por la mesa territorial", "Revisada por la mesa técnica regional"):
        assert step in text
    assert "Acuerdo CORE N° 45" in text
    commitments = client.get("/territorios/limari-choapa/compromisos").get_data(as_text=True)
    states = set(re.findall(r'data-state="(\w+)"', commitments))
    assert {"fulfilled", "overdue", "in_progress", "pending"} <= states
    # One name for each kind of actor: the cooperative is "Sector privado" on its own page and
    # among the contributions of its territory.
    orgs = client.get("/organizaciones?q=Cooperativa+Caprina").get_data(as_text=True)
    org_page = client.get(re.findall(r'href="(/organizaciones/\d+)"', orgs)[0])
    assert "Sector privado" in org_page.get_data(as_text=True)
    aportes = client.get("/territorios/limari-choapa/aportes").get_data(as_text=True)
    section = aportes[aportes.index('id="actor-private"') :]
    assert "Sector privado" in section[:200]
    assert "Cooperativa Caprina Quebrada Alta" in section.split("<h3", 1)[0]


def test_portal_serve_refuses_to_start_without_its_public_address(tmp_path):
    """Mail links are built only from PORTAL_BASE_URL: without it there is no safe way to
    build them, so the production server does not start."""
    env = clean_environment(tmp_path)
    started = subprocess.run(
        [PORTAL, "serve", "--bind", f"127.0.0.1:{free_port()}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    assert "PORTAL_BASE_URL" in started.stderr


def test_portal_serve_with_two_workers_lets_five_wrong_passwords_through_not_more(tmp_path):
    """With the counters in memory, the workers of `portal serve` share them: 20 wrong
    passwords for one account from one address, each from a fresh session, get at most 5
    answers and then 429."""
    port = free_port()
    env = clean_environment(
        tmp_path,
        PORTAL_BASE_URL=f"http://127.0.0.1:{port}",
        PORTAL_SECURE_COOKIES="false",
    )
    for step in (
        ["db", "upgrade"],
        ["create-admin", "--email", "jefa@demo.example", "--name", "Jefa", "--password",
         "los cerros de combarbalá"],
    ):  # fmt: skip
        subprocess.run([PORTAL, *step], env=env, check=True, capture_output=True, timeout=120)
    serve = ["serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2"]
    with portal_process(serve, env, port) as server:
        wrong = {"email": "jefa@demo.example", "password": "no es la clave de la jefa"}
        answers = [
            submit(browser(), f"http://127.0.0.1:{port}/cuenta/ingresar", wrong) for _ in range(20)
        ]
    assert answers.count(422) == 5, answers
    assert answers.count(429) == 15, answers
    assert "serving with 1 worker and 4 threads" in server.output
