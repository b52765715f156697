"""Mail goes to the SMTP server when one is configured, otherwise into instance/mail/."""

from __future__ import annotations

import smtplib

import pytest

from portal.core import mail


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout=None, **kwargs):  # type: ignore[no-untyped-def]
        self.host, self.port, self.steps = host, port, []

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self

    def __exit__(self, *exc):  # type: ignore[no-untyped-def]
        return False

    def starttls(self, context=None):  # type: ignore[no-untyped-def]
        self.steps.append("starttls")

    def login(self, user, password):  # type: ignore[no-untyped-def]
        self.steps.append(("login", user, password))

    def send_message(self, message):  # type: ignore[no-untyped-def]
        FakeSMTP.sent.append((self.host, self.port, self.steps, message))


@pytest.fixture
def smtp(app, monkeypatch):  # type: ignore[no-untyped-def]
    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.demo.example")
    monkeypatch.setitem(app.config, "MAIL_USERNAME", "portal")
    monkeypatch.setitem(app.config, "MAIL_PASSWORD", "s3cret")
    monkeypatch.setitem(app.config, "MAIL_FROM", "mesas@demo.example")
    return FakeSMTP.sent


def test_mail_goes_through_smtp_with_starttls_and_login(app, smtp, tmp_path):
    with app.app_context():
        mail.send("rosa@demo.example", "Asunto con tilde: sesión", "Hola, Rosa.\nÑandú.")
    [(host, port, steps, message)] = smtp
    assert (host, port) == ("smtp.demo.example", 587)
    assert steps == ["starttls", ("login", "portal", "s3cret")]
    assert message["To"] == "rosa@demo.example" and message["From"] == "mesas@demo.example"
    assert message["Subject"] == "Asunto con tilde: sesión"
    assert "Ñandú" in message.get_content()


def test_without_smtp_mail_is_saved_as_a_file(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DIR", str(tmp_path))
    with app.app_context():
        mail.send("rosa@demo.example", "Prueba", "Hola.")
    [saved] = tmp_path.glob("*.eml")
    assert b"rosa@demo.example" in saved.read_bytes()
