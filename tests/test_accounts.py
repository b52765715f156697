"""Register, log in and out, reset a forgotten password, edit the profile."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import PasswordResetToken, User
from tests.conftest import PASSWORD, text_of


def registration(comuna_id: int, **overrides) -> dict:
    data = {
        "name": "Rosa Aravena Tapia",
        "email": "rosa.aravena@demo.example",
        "password": "maíz y quínoa de la loma",
        "confirm": "maíz y quínoa de la loma",
        "comuna": str(comuna_id),
        "phone": "+56987654321",
        "locale": "es",
    }
    data.update(overrides)
    return data


def confirmation_link(message) -> str:
    found = re.search(r"https://localhost(/cuenta/confirmar/\S+)", message.get_content())
    assert found, message.get_content()
    return found.group(1)


def test_a_person_registers_confirms_her_address_and_logs_in(client, db, comuna, mailbox):
    combarbala = comuna("Combarbalá")
    page = client.submit("/cuenta/registro", registration(combarbala.id))
    assert page.status_code == 200
    assert "Enviamos un mensaje a rosa.aravena@demo.example" in text_of(page)
    user = db.scalars(sa.select(User).where(User.email == "rosa.aravena@demo.example")).one()
    assert (user.name, user.comuna_id, user.phone) == (
        "Rosa Aravena Tapia",
        combarbala.id,
        "+56987654321",
    )
    assert user.password_hash.startswith("$argon2id$")
    assert "maíz" not in user.password_hash
    assert not user.is_verified
    # Not signed in, and signing in waits for the address: the link is sent again.
    assert "Mi cuenta" not in text_of(client.get("/"))
    sign_in = {"email": "rosa.aravena@demo.example", "password": "maíz y quínoa de la loma"}
    waiting = client.submit("/cuenta/ingresar", sign_in)
    assert waiting.status_code == 422
    assert "Confirma tu correo antes de ingresar" in text_of(waiting)
    first, again = mailbox()
    assert first["To"] == again["To"] == "rosa.aravena@demo.example"
    assert first["Subject"] == "Confirma tu correo en el portal de las mesas"
    # The link confirms the address; then she signs in.
    confirmed = client.get(confirmation_link(first))
    assert confirmed.status_code == 303
    assert "Tu correo quedó confirmado" in text_of(client.get(confirmed.location))
    db.refresh(user)
    assert user.is_verified
    assert client.submit("/cuenta/ingresar", sign_in).status_code == 302
    assert "Mi cuenta" in text_of(client.get("/"))


def test_a_confirmation_link_that_was_changed_or_is_old_does_not_work(
    client, db, comuna, mailbox, clock_at
):
    clock_at(AFTERNOON)
    client.submit("/cuenta/registro", registration(comuna("Canela").id))
    link = confirmation_link(mailbox()[-1])
    assert client.get(link[:-3] + "xyz").status_code == 410
    clock_at(AFTERNOON + dt.timedelta(days=8))
    old = client.get(link)
    assert old.status_code == 410
    assert "Este venció o no se copió completo" in text_of(old)
    user = db.scalars(sa.select(User)).one()
    assert not user.is_verified


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"email": "rosa.aravena@demo"}, "email", "nombre@ejemplo.cl"),
        ({"password": "clave123", "confirm": "clave123"}, "password", "al menos 10 caracteres"),
        (
            {"password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"},
            "password",
            "fácil de adivinar",
        ),
        ({"name": "R" * 10_000}, "name", "120 caracteres"),
        ({"name": "   "}, "name", "Escribe tu nombre"),
        ({"confirm": "otra cosa distinta"}, "confirm", "no son iguales"),
        ({"comuna": ""}, "comuna", "Elige tu comuna"),
        ({"comuna": "999999"}, "comuna", "Elige tu comuna"),
        ({"phone": "12"}, "phone", "teléfono"),
    ],
)
def test_bad_registration_input_gets_a_field_error_in_spanish_and_keeps_the_rest(
    client, db, comuna, override, field, message
):
    data = registration(comuna("Canela").id, **override)
    page = client.submit("/cuenta/registro", data)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    # The error is next to the field and in the summary that links to it.
    assert re.search(rf'id="{field}-error"[^>]*>.*{re.escape(message)}', html, re.S), html
    assert f'href="#{field}"' in html
    assert 'lang="es-CL"' in html
    # What the person typed in the other fields is still there (passwords are never echoed).
    for other in ("name", "email", "phone"):
        if other != field:
            assert f'value="{data[other]}"' in html
    if field != "comuna":
        assert f'<option selected value="{data["comuna"]}">Canela</option>' in html
    assert db.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_registering_an_address_that_has_an_account_tells_only_its_owner(
    client, db, make_user, comuna, mailbox
):
    """Whoever types an address in the sign-up form reads the same page whether it has an
    account or not; the owner of the address is told by mail."""
    make_user(email="rosa.aravena@demo.example")
    taken = client.submit(
        "/cuenta/registro", registration(comuna("Canela").id, email="Rosa.Aravena@demo.example")
    )
    free = client.submit(
        "/cuenta/registro", registration(comuna("Canela").id, email="otra.persona@demo.example")
    )
    assert taken.status_code == free.status_code == 200
    assert text_of(taken).lower().replace("rosa.aravena", "x") == text_of(free).lower().replace(
        "otra.persona", "x"
    )
    to_owner, to_new = mailbox()
    assert to_owner["To"] == "rosa.aravena@demo.example"
    assert to_owner["Subject"] == "Alguien intentó abrir una cuenta con tu correo"
    assert "/cuenta/clave/olvido" in to_owner.get_content()
    assert to_new["Subject"] == "Confirma tu correo en el portal de las mesas"
    assert db.scalar(sa.select(sa.func.count(User.id))) == 2


def test_log_in_and_out(client, make_user):
    make_user(email="juan@demo.example")
    page = client.submit("/cuenta/ingresar", {"email": "JUAN@demo.example ", "password": PASSWORD})
    assert page.status_code == 302
    assert "Salir" in text_of(client.get("/"))
    # Logging out is a POST with the form token: a link or a forged form cannot do it.
    assert client.get("/cuenta/salir").status_code == 405
    assert client.post("/cuenta/salir").status_code == 400
    assert "Salir" in text_of(client.get("/"))
    page = client.submit("/cuenta/salir", {}, form_url="/")
    assert page.status_code == 302
    assert "Saliste del portal, en este dispositivo y en todos los demás." in text_of(
        client.get(page.headers["Location"])
    )
    assert "Ingresar" in text_of(client.get("/"))
    assert client.get("/cuenta/perfil").status_code == 302


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(client, make_user):
    make_user(email="juan@demo.example")
    wrong = client.submit("/cuenta/ingresar", {"email": "juan@demo.example", "password": "x" * 12})
    unknown = client.submit("/cuenta/ingresar", {"email": "nadie@demo.example", "password": "x"})
    assert wrong.status_code == unknown.status_code == 422
    message = "El correo o la contraseña no son correctos."
    assert message in text_of(wrong) and message in text_of(unknown)
    assert 'value="juan@demo.example"' in wrong.get_data(as_text=True)


def test_the_sixth_failed_login_in_a_minute_is_refused(client, make_user):
    make_user(email="juan@demo.example")
    bad = {"email": "juan@demo.example", "password": "no es la clave"}
    for _ in range(5):
        assert client.submit("/cuenta/ingresar", bad).status_code == 422
    sixth = client.submit("/cuenta/ingresar", bad)
    assert sixth.status_code == 429
    assert "Demasiados intentos" in text_of(sixth)
    # Even the right password waits until the minute is over.
    right = client.submit("/cuenta/ingresar", {**bad, "password": PASSWORD})
    assert right.status_code == 429


def test_successful_logins_do_not_use_up_the_limit(client, make_user):
    make_user(email="juan@demo.example")
    for _ in range(8):
        assert (
            client.submit(
                "/cuenta/ingresar", {"email": "juan@demo.example", "password": PASSWORD}
            ).status_code
            == 302
        )
        client.submit("/cuenta/salir", {}, form_url="/")


def test_a_disabled_account_cannot_log_in(client, db, make_user):
    user = make_user(email="juan@demo.example")
    user.active = False
    db.commit()
    page = client.submit("/cuenta/ingresar", {"email": "juan@demo.example", "password": PASSWORD})
    assert page.status_code == 422


def test_after_login_the_person_goes_back_where_they_were_but_never_to_another_site(
    client, make_user
):
    make_user(email="juan@demo.example")
    data = {"email": "juan@demo.example", "password": PASSWORD}
    page = client.submit("/cuenta/ingresar?next=/cuenta/perfil", data)
    assert page.headers["Location"] == "/cuenta/perfil"
    client.submit("/cuenta/salir", {}, form_url="/")
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        page = client.submit(f"/cuenta/ingresar?next={evil}", data)
        assert page.headers["Location"] == "/", evil
        client.submit("/cuenta/salir", {}, form_url="/")


def reset_link(message) -> str:
    body = message.get_content()
    found = re.search(r"https?://\S+/cuenta/clave/nueva/(\S+)", body)
    assert found, body
    return "/cuenta/clave/nueva/" + found.group(1)


def test_password_reset_by_a_single_use_link(client, db, make_user, mailbox):
    user = make_user(email="juan@demo.example", name="Juan Pérez Soto")
    page = client.submit("/cuenta/clave/olvido", {"email": "juan@demo.example"})
    assert page.status_code == 200
    assert "Revisa tu correo" in text_of(page)
    [message] = mailbox()
    assert message["To"] == "juan@demo.example"
    assert "Juan Pérez Soto" in message.get_content()
    link = reset_link(message)
    token_record = db.scalars(sa.select(PasswordResetToken)).one()
    assert link.rsplit("/", 1)[1] not in token_record.token_hash  # only a hash is stored

    weak = client.submit(link, {"password": "123", "confirm": "123"})
    assert weak.status_code == 422
    new = "nueva clave del huerto 7"
    page = client.submit(link, {"password": new, "confirm": new})
    assert page.status_code == 302
    assert client.get("/cuenta/perfil").status_code == 200  # logged in

    # The link is spent; the old password no longer works and the new one does.
    again = client.get(link)
    assert again.status_code == 410
    assert "ya no sirve" in text_of(again).lower()
    client.submit("/cuenta/salir", {}, form_url="/")
    old = client.submit("/cuenta/ingresar", {"email": "juan@demo.example", "password": PASSWORD})
    assert old.status_code == 422
    ok = client.submit("/cuenta/ingresar", {"email": "juan@demo.example", "password": new})
    assert ok.status_code == 302
    assert user.password_changed_at is not None


def test_an_expired_reset_link_does_not_work(client, db, make_user, mailbox):
    make_user(email="juan@demo.example")
    client.submit("/cuenta/clave/olvido", {"email": "juan@demo.example"})
    link = reset_link(mailbox()[0])
    record = db.scalars(sa.select(PasswordResetToken)).one()
    record.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    db.commit()
    page = client.get(link)
    assert page.status_code == 410
    assert "Pide un enlace nuevo" in text_of(page)
    post = client.submit(link, {"password": "x", "confirm": "x"}, form_url="/cuenta/ingresar")
    assert post.status_code == 410


def test_asking_for_a_reset_does_not_reveal_whether_an_account_exists(client, make_user, mailbox):
    make_user(email="juan@demo.example")
    known = client.submit("/cuenta/clave/olvido", {"email": "juan@demo.example"})
    unknown = client.submit("/cuenta/clave/olvido", {"email": "nadie@demo.example"})
    assert known.status_code == unknown.status_code == 200

    def strip_email(page):
        return text_of(page).replace("juan@demo.example", "X").replace("nadie@demo.example", "X")

    assert strip_email(known) == strip_email(unknown)
    assert [m["To"] for m in mailbox()] == ["juan@demo.example"]


def test_the_profile_can_be_edited(login, db, make_user, comuna):
    user = make_user()
    client = login(user)
    page = client.get("/cuenta/perfil")
    assert page.status_code == 200
    assert user.email in text_of(page)
    page = client.submit(
        "/cuenta/perfil",
        {"name": "Nombre Nuevo", "comuna": str(comuna("Cañete").id), "phone": "", "locale": "en"},
    )
    assert page.status_code == 302
    db.refresh(user)
    assert (user.name, user.comuna.name, user.phone, user.locale) == (
        "Nombre Nuevo",
        "Cañete",
        None,
        "en",
    )
    # The language chosen in the profile is the one the portal now speaks.
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_changing_the_password_ends_other_sessions(app, login, db, make_user):
    user = make_user()
    other_device = app.test_client()
    with other_device.session_transaction() as session:
        session["_user_id"] = user.login_id
    assert other_device.get("/cuenta/perfil").status_code == 200

    client = login(user)
    new = "otra clave para el huerto"
    wrong = client.submit("/cuenta/clave", {"current": "no es", "password": new, "confirm": new})
    assert wrong.status_code == 422
    assert "no es tu contraseña actual" in text_of(wrong)
    page = client.submit("/cuenta/clave", {"current": PASSWORD, "password": new, "confirm": new})
    assert page.status_code == 302
    assert client.get("/cuenta/perfil").status_code == 200
    assert other_device.get("/cuenta/perfil").status_code == 302


def test_member_pages_ask_for_login(client):
    page = client.get("/cuenta/perfil")
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/cuenta/ingresar?next=")


@pytest.fixture
def limits_follow_the_clock(monkeypatch):  # type: ignore[no-untyped-def]
    """The rate limiter counts its windows by the portal's clock, so that ``clock_at`` moves
    it along an afternoon."""
    import time
    import types

    import limits.storage.memory
    import limits.strategies

    from portal.core import clock

    def now() -> float:
        return clock.now().timestamp()

    fake = types.SimpleNamespace(**{k: getattr(time, k) for k in dir(time) if k[0] != "_"})
    fake.time = now
    monkeypatch.setattr(limits.storage.memory, "time", fake)
    monkeypatch.setattr(limits.strategies, "time", fake)


AFTERNOON = dt.datetime(2026, 12, 5, 18, 0, tzinfo=dt.UTC)


@pytest.mark.usefixtures("limits_follow_the_clock")
def test_a_community_hall_signs_up_sixty_people_in_an_hour_behind_one_connection(
    client, db, comuna, clock_at
):
    """One person a minute at the hall's two borrowed phones, all behind one mobile
    connection (one address), each signing in once with a wrong password first."""
    canela = comuna("Canela").id
    for n in range(60):
        clock_at(AFTERNOON + dt.timedelta(minutes=n))
        email = f"persona{n}@demo.example"
        page = client.submit("/cuenta/registro", registration(canela, email=email))
        assert page.status_code == 200, (n, text_of(page)[:300])
        wrong = {"email": email, "password": "no es la clave"}
        assert client.submit("/cuenta/ingresar", wrong).status_code == 422
    assert db.scalar(sa.select(sa.func.count(User.id))) == 60


@pytest.mark.usefixtures("limits_follow_the_clock")
def test_a_script_signing_up_is_stopped_and_told_how_long_to_wait(client, clock_at):
    clock_at(AFTERNOON)
    token = client.csrf_token("/cuenta/registro")

    def send():  # type: ignore[no-untyped-def]
        return client.post(
            "/cuenta/registro",
            data={"email": "x", "csrf_token": token},
            headers={"Referer": "https://localhost/cuenta/registro"},
        )

    for _ in range(10):
        assert send().status_code == 422
    page = send()
    assert page.status_code == 429
    assert "Espera 1 minuto y vuelve a intentarlo" in text_of(page)
    assert 0 < int(page.headers["Retry-After"]) <= 61
    # Ten a minute go on being accepted for half an hour; then the hour's limit holds.
    for minute in range(1, 30):
        clock_at(AFTERNOON + dt.timedelta(seconds=62 * minute))
        for _ in range(10):
            assert send().status_code == 422
    clock_at(AFTERNOON + dt.timedelta(minutes=31))
    page = send()
    assert page.status_code == 429
    assert "Espera 29 minutos y vuelve a intentarlo" in text_of(page)


@pytest.mark.usefixtures("limits_follow_the_clock")
def test_wrong_passwords_lock_out_an_address_but_never_the_owner_at_another(
    client, make_user, clock_at
):
    """A script guessing one account's password from its address is stopped there and told
    how long to wait; the owner, from her own connection, still signs in."""
    make_user(email="juan@demo.example")
    clock_at(AFTERNOON)
    bad = {"email": "juan@demo.example", "password": "no es la clave"}
    script = {"REMOTE_ADDR": "10.0.0.66"}
    for _ in range(5):
        assert client.submit("/cuenta/ingresar", bad, environ_base=script).status_code == 422
    stopped = client.submit("/cuenta/ingresar", bad, environ_base=script)
    assert stopped.status_code == 429 and "Espera" in text_of(stopped)
    owner = {"email": "juan@demo.example", "password": PASSWORD}
    home = {"REMOTE_ADDR": "10.1.2.3"}
    assert client.submit("/cuenta/ingresar", owner, environ_base=home).status_code == 302


# Sessions that end ------------------------------------------------------------------------------


def test_logging_out_ends_a_copied_cookie_and_the_other_devices(app, client, make_user):
    make_user(email="juan@demo.example")
    client.submit("/cuenta/ingresar", {"email": "juan@demo.example", "password": PASSWORD})
    copied = app.test_client()
    cookie = client.get_cookie("portal_session")
    copied.set_cookie("portal_session", cookie.value)
    assert copied.get("/cuenta/perfil").status_code == 200
    client.submit("/cuenta/salir", {}, form_url="/")
    assert copied.get("/cuenta/perfil").status_code == 302


def test_a_remembered_sign_in_lasts_at_most_thirty_days(client, make_user):
    make_user(email="juan@demo.example")
    data = {"email": "juan@demo.example", "password": PASSWORD, "remember": "y"}
    client.submit("/cuenta/ingresar", data)
    remembered = client.get_cookie("remember_token")
    assert remembered is not None
    assert remembered.max_age is None or remembered.max_age <= 30 * 24 * 3600
    lasts = remembered.expires.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=29) < lasts <= dt.timedelta(days=30)


def test_changing_the_password_spends_the_reset_links_sent_before(
    client, db, login, make_user, mailbox
):
    user = make_user(email="juan@demo.example")
    client.submit("/cuenta/clave/olvido", {"email": "juan@demo.example"})
    link = reset_link(mailbox()[-1])
    login(user)
    new = "otra clave para el huerto"
    client.submit("/cuenta/clave", {"current": PASSWORD, "password": new, "confirm": new})
    client.submit("/cuenta/salir", {}, form_url="/")
    assert client.get(link).status_code == 410


@pytest.fixture
def idle_after(app):  # type: ignore[no-untyped-def]
    before = app.config["IDLE_MINUTES"]
    app.config["IDLE_MINUTES"] = 30
    yield 30
    app.config["IDLE_MINUTES"] = before


def test_thirty_minutes_without_activity_end_a_sign_in(
    client, login, make_user, clock_at, idle_after
):
    login(make_user())
    clock_at(AFTERNOON)
    assert client.get("/cuenta/perfil").status_code == 200
    clock_at(AFTERNOON + dt.timedelta(minutes=29))
    assert client.get("/cuenta/perfil").status_code == 200  # activity moves the end along
    clock_at(AFTERNOON + dt.timedelta(minutes=58))
    assert client.get("/cuenta/perfil").status_code == 200
    clock_at(AFTERNOON + dt.timedelta(minutes=89))
    ended = client.get("/cuenta/perfil")
    assert ended.status_code == 302 and ended.location.startswith("/cuenta/ingresar")
    assert "Tu sesión se cerró tras 30 minutos sin actividad" in text_of(client.get(ended.location))


def test_what_was_typed_after_the_session_ended_is_shown_back_after_signing_in(
    client, db, login, make_user, clock_at, idle_after
):
    user = make_user(email="juan@demo.example")
    login(user)
    clock_at(AFTERNOON)
    token = client.csrf_token("/cuenta/perfil")
    clock_at(AFTERNOON + dt.timedelta(minutes=45))
    typed = "Juan Pérez, que escribió su nombre largo en el campo"
    sent = client.post(
        "/cuenta/perfil",
        data={"csrf_token": token, "name": typed, "locale": "es"},
        headers={"Referer": "https://localhost/cuenta/perfil"},
    )
    assert sent.status_code == 303
    assert sent.location.startswith("/cuenta/ingresar?next=/cuenta/perfil")
    db.refresh(user)
    assert user.name != typed  # nothing is stored without a session
    signed = client.submit(sent.location, {"email": "juan@demo.example", "password": PASSWORD})
    assert signed.location == "/cuenta/perfil"
    page = client.get(signed.location)
    assert "Lo que escribiste antes de que se cerrara tu sesión" in text_of(page)
    assert typed in page.get_data(as_text=True)
    assert typed not in client.get("/cuenta/perfil").get_data(as_text=True)  # shown once


# Passwords ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["contraseña1", "mesaportal2026", "Mesa2026!!", "Colocolo2026", "teamo123456", "Limarí.2026"],
)
def test_passwords_guessed_first_here_are_refused(client, comuna, password):
    page = client.submit(
        "/cuenta/registro",
        registration(comuna("Canela").id, password=password, confirm=password),
    )
    assert page.status_code == 422
    assert "fácil de adivinar" in text_of(page)


# Links in mail ----------------------------------------------------------------------------------


def test_a_reset_link_leads_to_the_portal_whatever_host_the_request_named(
    client, make_user, mailbox
):
    """An attacker who sends the form with his own Host header (a reset link in the victim's
    mail leading to his site would hand him the token) gets a link to the portal itself."""
    make_user(email="juan@demo.example")
    evil = "https://evil.example"
    form = client.get("/cuenta/clave/olvido", base_url=evil).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    sent = client.post(
        "/cuenta/clave/olvido",
        base_url=evil,
        data={"csrf_token": token, "email": "juan@demo.example"},
        headers={"Referer": f"{evil}/cuenta/clave/olvido"},
    )
    assert sent.status_code == 200
    body = mailbox()[-1].get_content()
    assert "evil.example" not in body
    assert "https://localhost/cuenta/clave/nueva/" in body
