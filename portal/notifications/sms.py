"""Text messages, behind one small sending interface.

No provider is configured today. A provider is a class with ``send(to, text)`` registered in
``PROVIDERS`` under a name; setting ``PORTAL_SMS_PROVIDER`` to that name turns text messages
on, and nothing that queues or sends them changes: the events queue a short text for members
on record with a phone and no account (``outbox.enqueue_sms``), and ``portal worker`` hands
each one to the provider with the same retries as mail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from flask import current_app

# A text message is read on the oldest phones: one segment of plain characters at most.
MAX_LENGTH = 160


class Refusal(Exception):
    """The provider refused this message. ``permanent``: never try it again (a number that
    does not exist); otherwise it is tried again later."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Sender(Protocol):
    def send(self, to: str, text: str) -> None:
        """Sends ``text`` to the number ``to`` (E.164, +569…); raises ``Refusal``, or
        ``OSError`` when the provider cannot be reached."""


# name → a factory that takes the app's settings. Empty: no provider is contracted yet.
PROVIDERS: dict[str, Callable[[dict], Sender]] = {}


def sender() -> Sender | None:
    name = current_app.config.get("SMS_PROVIDER", "")
    if not name:
        return None
    factory = PROVIDERS.get(name)
    if factory is None:
        raise RuntimeError(f"PORTAL_SMS_PROVIDER={name!r} names no registered provider")
    return factory(current_app.config)


def available() -> bool:
    return bool(current_app.config.get("SMS_PROVIDER"))


def shortened(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_LENGTH else text[: MAX_LENGTH - 1].rstrip() + "…"
