"""Two-step sign-in: required of administrators, offered to everyone, codes used once."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import sqlalchemy as sa

from portal.accounts.models import RecoveryCode
from portal.core import clock
from tests.conftest import PASSWORD, text_of


def key_on(page) -> str:  # type: ignore[no-untyped-def]
    """The key the setup page shows for typing into the app, without its spaces."""
    found = re.search(r'<code class="hash">([A-Z2-7 ]+)</code>', page.get_data(as_text=True))
    assert found, text_of(page)
    return found.group(1).replace(" ", "")


def code(secret: str, seconds_later: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock.now().timestamp() + seconds_later)


def sign_in(client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.submit("/cuenta/ingresar", {"email": email, "password": password})


def turn_on(client) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    secret = key_on(client.get("/cuenta/dos-pasos"))
    shown = client.submit("/cuenta/dos-pasos", {"code": code(secret)})
    assert shown.status_code == 200, text_of(shown)
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", shown.get_data(as_text=True))
    return secret, codes


def test_an_administrator_turns_on_two_steps_before_doing_anything_else(client, db, make_user):
    admin = make_user(email="jefa@demo.example", is_admin=True, two_factor=False)
    assert sign_in(client, "jefa@demo.example").status_code == 302
    # Every page leads to turning it on; logging out still works.
    for path in ("/", "/cuenta/perfil", "/territorios/limari-choapa/objetivos/importar"):
        led = client.get(path)
        assert (led.status_code, led.location) == (303, "/cuenta/dos-pasos"), path
    setup = client.get("/cuenta/dos-pasos")
    assert "Las cuentas de administración deben ingresar en dos pasos" in text_of(setup)
    assert '<figure class="qr" role="img"' in setup.get_data(as_text=True)
    assert "<svg" in setup.get_data(as_text=True) and "<script" not in setup.get_data(as_text=True)
    assert setup.headers["Cache-Control"] == "no-store"
    secret = key_on(setup)
    assert key_on(client.get("/cuenta/dos-pasos")) == secret  # the same key until it is on
    wrong = client.submit("/cuenta/dos-pasos", {"code": "000000"})
    assert wrong.status_code == 422
    assert "Ese código no es correcto" in text_of(wrong)
    assert client.get("/").status_code == 303

    shown = client.submit("/cuenta/dos-pasos", {"code": code(secret)})
    assert shown.status_code == 200
    assert "es la única vez que se muestran" in text_of(shown)
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", shown.get_data(as_text=True))
    assert len(codes) == 10
    assert client.get("/").status_code == 200
    db.refresh(admin)
    assert admin.has_two_factor and admin.totp_secret == secret
    stored = db.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(stored) & {c.replace("-", "") for c in codes}


def test_signing_in_with_two_steps_and_each_code_once(client, db, make_user, clock_at):
    make_user(email="secretaria@demo.example")
    sign_in(client, "secretaria@demo.example")
    secret, recovery = turn_on(client)
    client.submit("/cuenta/salir", {}, form_url="/")

    # The password alone does not sign in: the second step asks for the code.
    first = sign_in(client, "secretaria@demo.example")
    assert first.location.startswith("/cuenta/ingresar/codigo")
    assert client.get("/cuenta/perfil").status_code == 302
    assert client.submit(first.location, {"code": "123456"}).status_code == 422
    later = code(secret, seconds_later=30)  # the next code, from a phone a little ahead
    assert client.submit(first.location, {"code": later}).status_code == 302
    assert client.get("/cuenta/perfil").status_code == 200
    client.submit("/cuenta/salir", {}, form_url="/")

    # The same code again, copied over a shoulder, does not work.
    again = sign_in(client, "secretaria@demo.example")
    refused = client.submit(again.location, {"code": later})
    assert refused.status_code == 422 and "ya se usó" in text_of(refused)
    # A recovery code works once, typed as it was printed or not.
    assert client.submit(again.location, {"code": recovery[0].upper()}).status_code == 302
    client.submit("/cuenta/salir", {}, form_url="/")
    third = sign_in(client, "secretaria@demo.example")
    assert client.submit(third.location, {"code": recovery[0]}).status_code == 422


def test_the_second_step_waits_five_minutes_and_stops_a_script(client, make_user, clock_at):
    make_user(email="secretaria@demo.example")
    sign_in(client, "secretaria@demo.example")
    turn_on(client)
    client.submit("/cuenta/salir", {}, form_url="/")
    start = clock.now()
    step = sign_in(client, "secretaria@demo.example").location
    for _ in range(5):
        assert client.submit(step, {"code": "111111"}).status_code == 422
    assert client.submit(step, {"code": "111111"}).status_code == 429
    clock_at(start + dt.timedelta(minutes=6))
    expired = client.get(step)
    assert expired.status_code == 302 and expired.location.startswith("/cuenta/ingresar")


def test_two_steps_are_offered_and_can_be_turned_off_but_not_by_an_admin(
    client, db, make_user, login
):
    chair = make_user(email="presidenta@demo.example")
    login(chair)
    assert "Activar el ingreso en dos pasos" in text_of(client.get("/cuenta/perfil"))
    turn_on(client)
    assert "Códigos de recuperación y ajustes" in text_of(client.get("/cuenta/perfil"))
    wrong = client.submit(
        "/cuenta/dos-pasos/desactivar", {"off-current": "no es"}, form_url="/cuenta/dos-pasos"
    )
    assert wrong.status_code == 422 and "no es tu contraseña actual" in text_of(wrong)
    off = client.submit(
        "/cuenta/dos-pasos/desactivar", {"off-current": PASSWORD}, form_url="/cuenta/dos-pasos"
    )
    assert off.status_code == 302
    db.refresh(chair)
    assert not chair.has_two_factor and chair.totp_secret is None

    admin = make_user(email="jefa@demo.example", is_admin=True, two_factor=False)
    login(admin)
    turn_on(client)
    page = client.get("/cuenta/dos-pasos")
    assert "Las cuentas de administración no pueden desactivarlo." in text_of(page)
    refused = client.submit(
        "/cuenta/dos-pasos/desactivar", {"off-current": PASSWORD}, form_url="/cuenta/dos-pasos"
    )
    assert refused.status_code == 403
    db.refresh(admin)
    assert admin.has_two_factor


def test_new_recovery_codes_replace_the_old_ones(client, db, make_user, login):
    login(make_user(email="presidenta@demo.example"))
    _secret, old = turn_on(client)
    page = client.submit(
        "/cuenta/dos-pasos/codigos", {"codes-current": PASSWORD}, form_url="/cuenta/dos-pasos"
    )
    new = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", page.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert db.scalar(sa.select(sa.func.count(RecoveryCode.id))) == 10


def test_create_admin_promotes_an_existing_account_only_with_its_password(tmp_path, monkeypatch):
    from portal import create_app
    from portal.accounts.services import find_by_email
    from portal.extensions import db as app_db

    monkeypatch.delenv("PORTAL_DATABASE_URL", raising=False)
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            "ARGON2_PROFILE": "CHEAPEST",
        }
    )
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    base = ["create-admin", "--email", "vecina@demo.example", "--name", "Vecina"]
    assert runner.invoke(args=[*base, "--password", "los cerros de combarbalá"]).exit_code == 0
    with app.app_context():
        user = find_by_email("vecina@demo.example")
        user.is_admin = False
        app_db.session.commit()
    wrong = runner.invoke(args=[*base, "--password", "otra clave cualquiera del valle"])
    assert wrong.exit_code != 0 and "not the password of the existing account" in wrong.output
    with app.app_context():
        assert not find_by_email("vecina@demo.example").is_admin
    right = runner.invoke(args=[*base, "--password", "los cerros de combarbalá"])
    assert right.exit_code == 0 and "two-step sign-in" in right.output
    with app.app_context():
        assert find_by_email("vecina@demo.example").is_admin
