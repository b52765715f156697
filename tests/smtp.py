"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the tests of the
outbox and its worker."""

from __future__ import annotations

import email
import email.message
import email.policy
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller

from tests.servers import free_port


class SavedMail(email.message.EmailMessage):
    """A mail as tests read it: ``get_content()`` is its plain text, also when it carries an
    HTML version and attachments; ``html()`` is the HTML version."""

    def get_content(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.is_multipart():
            return self.get_body(("plain",)).get_content()
        return super().get_content(*args, **kwargs)

    def html(self) -> str:
        return self.get_body(("html",)).get_content()


READ_MAIL = email.policy.default.clone(message_factory=SavedMail)


def read_mail(data: bytes) -> SavedMail:
    return email.message_from_bytes(data, policy=READ_MAIL)  # type: ignore[return-value]


class Inbox:
    """What the server received, and the addresses it refuses (550) or defers (451)."""

    def __init__(self) -> None:
        self.received: list[SavedMail] = []
        self.refused: set[str] = set()
        self.deferred: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        if address in self.deferred:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        message = email.message_from_bytes(envelope.original_content, policy=READ_MAIL)
        with self.lock:
            self.received.append(message)  # type: ignore[arg-type]
        return "250 Message accepted"

    def to(self, address: str) -> list[SavedMail]:
        return [m for m in self.received if m["To"] == address]


@contextmanager
def smtp_server(port: int | None = None) -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
