"""The mail transport: an SMTP server with STARTTLS and a login when one is configured."""

from __future__ import annotations

import smtplib

import pytest

from portal.core import mail


class FakeSMTP:
    """Records the steps of the conversation (a real server cannot check STARTTLS here)."""

    sent: list = []

    def __init__(self, host, port, timeout=None, **kwargs):  # type: ignore[no-untyped-def]
        self.host, self.port, self.steps = host, port, []

    def starttls(self, context=None):  # type: ignore[no-untyped-def]
        self.steps.append("starttls")

    def login(self, user, password):  # type: ignore[no-untyped-def]
        self.steps.append(("login", user, password))

    def send_message(self, message):  # type: ignore[no-untyped-def]
        FakeSMTP.sent.append((self.host, self.port, self.steps, message))

    def quit(self):  # type: ignore[no-untyped-def]
        self.steps.append("quit")


@pytest.fixture
def smtp(app, monkeypatch):  # type: ignore[no-untyped-def]
    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.demo.example")
    monkeypatch.setitem(app.config, "MAIL_USERNAME", "portal")
    monkeypatch.setitem(app.config, "MAIL_PASSWORD", "s3cret")
    monkeypatch.setitem(app.config, "MAIL_FROM", "mesas@demo.example")
    return FakeSMTP.sent


def test_mail_goes_through_smtp_with_starttls_and_login(app, smtp):
    letter = mail.Letter(to="rosa@demo.example", subject="Asunto: sesión", text="Hola.\nÑandú.")
    with app.app_context(), mail.Postbox() as postbox:
        postbox.send(letter)
        postbox.send(letter)
    [(host, port, steps, message), _second] = smtp
    assert (host, port) == ("smtp.demo.example", 587)
    assert steps == ["starttls", ("login", "portal", "s3cret"), "quit"]  # one connection
    assert message["To"] == "rosa@demo.example" and message["From"] == "mesas@demo.example"
    assert message["Subject"] == "Asunto: sesión"
    assert "Ñandú" in message.get_content()
