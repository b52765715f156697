"""One attempt to deliver an event: an HTTP POST of its JSON to the subscriber's address,
signed the Standard Webhooks way (``webhook-id``, the event's id, which stays the same on
every attempt so that the receiver can tell a repeat; ``webhook-timestamp``;
``webhook-signature``, HMAC-SHA256 with the subscriber's secret). Any 2xx answer is a
delivery; anything else, or no answer within the timeout, is tried again later by the worker
(``portal.notifications.worker``). Every attempt is logged for the admin."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx
from standardwebhooks.webhooks import Webhook

from portal.core import clock
from portal.extensions import db
from portal.notifications.models import OutboxMessage
from portal.webhooks.models import Delivery, Subscriber

TIMEOUT = httpx.Timeout(10.0)
USER_AGENT = "portal-mesas-webhooks/1"


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status: int | None
    error: str
    # The subscriber is gone or switched off: the event is not tried again.
    final: bool = False


def headers(subscriber: Subscriber, message: OutboxMessage) -> dict[str, str]:
    now = clock.now()
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(subscriber.secret).sign(message.message_id, now, message.text),
    }


def attempt(client: httpx.Client, message: OutboxMessage) -> Outcome:
    """Sends the event once and logs the attempt (the caller commits)."""
    subscriber = db.session.get(Subscriber, message.subscriber_id)
    if subscriber is None or not subscriber.active:
        return Outcome(False, None, "the subscriber is switched off", final=True)
    started = time.monotonic()
    status: int | None = None
    try:
        answer = client.post(
            message.to, content=message.text.encode(), headers=headers(subscriber, message)
        )
        status = answer.status_code
        error = "" if 200 <= status < 300 else f"HTTP {status} {answer.reason_phrase}"
    except httpx.HTTPError as problem:
        error = f"{type(problem).__name__}: {problem}"
    db.session.add(
        Delivery(
            message_id=message.id,
            subscriber_id=subscriber.id,
            attempt=message.attempts + 1,
            status=status,
            error=error[:500],
            milliseconds=round(1000 * (time.monotonic() - started)),
        )
    )
    return Outcome(not error, status, error)


def client() -> httpx.Client:
    """No redirects (a receiver answers where it was registered), a short timeout."""
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False)
