"""Security defaults a person never sees but always relies on."""

from __future__ import annotations

import os
import re
import stat

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.core.security import CONTENT_SECURITY_POLICY
from portal.mesas.models import Role
from tests import factories
from tests.conftest import text_of

PUBLIC_PAGES = ["/", "/territorios/arauco", "/cuenta/ingresar", "/cuenta/registro"]


@pytest.fixture
def territories(db):
    from portal.places.demo import load_pilot_territories

    load_pilot_territories()
    db.commit()


def test_a_post_without_the_form_token_is_refused_with_400_in_spanish(client, make_user):
    make_user(email="juan@demo.example")
    page = client.post(
        "/cuenta/ingresar", data={"email": "juan@demo.example", "password": "cabras"}
    )
    assert page.status_code == 400
    assert "El formulario venció o no vino de este portal" in text_of(page)
    forged = client.post(
        "/cuenta/ingresar",
        data={"email": "juan@demo.example", "password": "x", "csrf_token": "forged"},
    )
    assert forged.status_code == 400


@pytest.mark.usefixtures("territories")
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_every_page_has_a_strict_content_security_policy_and_no_inline_code(client, url):
    page = client.get(url)
    assert page.status_code == 200
    csp = page.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    html = page.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert "<style" not in html and " style=" not in html, "inline style"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_only_the_pages_that_use_htmx_load_it_with_the_csrf_header(client, db, login, make_user):
    """htmx (17 KB) loads on the agenda, attendance and initiative forms only: public pages
    and the other member pages stay light."""
    assert "htmx.min.js" not in client.get("/").get_data(as_text=True)
    secretary = make_user()
    found = factories.goat_mesa(db)
    factories.seat(db, found, secretary, Role.SECRETARY)
    factories.meeting(db, found)
    db.commit()
    login(secretary)
    plain = client.get("/cuenta/perfil").get_data(as_text=True)
    assert "htmx" not in plain and "hx-" not in plain
    html = client.get(f"/mesas/{found.slug}/sesiones/1/tabla").get_data(as_text=True)
    assert re.search(r'<script src="/static/vendor/htmx/htmx.min.js\?v=\w+" defer>', html)
    assert 'data-hx-headers=\'{"X-CSRFToken": "' in html
    # Only valid HTML attributes: htmx reads them with the data- prefix.
    assert " hx-" not in html


def test_cookies_are_httponly_samesite_and_secure_outside_a_local_demo(client):
    page = client.get("/cuenta/ingresar")
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_the_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    second = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    key_file = tmp_path / "secret_key"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 64
    assert key_file.read_text() == first.config["SECRET_KEY"]
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    other = tmp_path / "other"
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(other))
    assert (
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SECRET_KEY"]
        != first.config["SECRET_KEY"]
    )


def test_sqlite_enforces_foreign_keys_and_uses_the_wal_journal(tmp_path):
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"}
    )
    from portal.extensions import db

    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        db.create_all()
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO provinces (code, name, region_id) VALUES ('999', 'Nada', 4242)"
            )


def test_a_huge_request_gets_413_in_spanish(client):
    page = client.post("/cuenta/ingresar", data={"email": "x" * (13 * 1024 * 1024)})
    assert page.status_code == 413
    assert "Lo que enviaste es demasiado grande" in text_of(page)


@pytest.mark.parametrize(
    ("lang", "title"),
    [("es", "Algo falló de nuestra parte"), ("en", "Something went wrong on our side")],
)
def test_an_unexpected_error_shows_a_plain_500_page_without_a_trace(tmp_path, lang, title):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})

    @app.route("/_boom")
    def _boom():
        raise RuntimeError("secret detail")

    client = app.test_client()
    client.set_cookie("lang", lang)
    page = client.get("/_boom")
    assert page.status_code == 500
    assert "secret detail" not in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)
    assert title in text_of(page)


def test_a_null_character_anywhere_is_refused_with_a_sentence(client, territories):
    """PostgreSQL cannot store NUL (it answered 500 for a login or a mesa's address)."""
    for response in (
        client.submit("/cuenta/ingresar", {"email": "a\x00b@x.cl", "password": "x"}),
        client.get("/mesas/a%00b"),
        client.get("/cuenta/ingresar?email=a%00b@x"),
    ):
        assert response.status_code == 400
        assert "carácter que no se puede guardar" in text_of(response)


def test_numbers_past_what_the_database_holds_are_not_found(client):
    for url in ("/compromisos/99999999999999999999999", "/rondas/2147483648", "/iniciativas/-1"):
        assert client.get(url).status_code == 404
    assert client.get("/organizaciones?pagina=99999999999999999999").status_code == 404


def test_a_host_that_is_not_a_host_name_gets_400(client):
    response = client.get("/", headers={"Host": "a..b"})
    assert response.status_code == 400
    assert "no es válida" in response.get_data(as_text=True)
    assert client.get("/", headers={"Host": "mesas.example.cl:8443"}).status_code == 200


def test_an_id_chosen_in_a_form_past_what_the_database_holds_is_no_choice():
    """Selects of ids read numbers the one way (``core.guards.read_int``)."""
    from portal.core.forms import optional_int

    assert optional_int("12") == 12 and optional_int(12) == 12
    for typed in ("", None, "99999999999999999999999", "²", "-3", "x"):
        assert optional_int(typed) is None
