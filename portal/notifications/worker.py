"""``portal worker``: sends what waits in the outbox.

Rows are claimed, not just read. A worker marks a batch as its own until a lease runs out, in
one short transaction; on PostgreSQL the rows are picked with ``FOR UPDATE SKIP LOCKED``, so
several workers take different rows without waiting for each other, and the claim's own token
makes the same true on SQLite, where writers take turns. Then each message is sent and marked
sent in its own commit: a worker that dies loses at most the message it was sending, which
another worker sends again when the lease runs out (delivery is at least once; the
Message-ID stays the same, so a mail program can tell).

Written with SQLAlchemy rather than a queue library: the outbox rows must be written in the
action's own transaction, on SQLite too, which no well-kept queue library for both engines
does; what a library would add here is a dozen lines of claiming.

Failures:
- the server cannot be reached or says "try later" for the whole connection: the message and
  the rest of the batch wait (growing pauses, at most an hour) and are never given up;
- the server refuses one message for now (4xx): it is tried again after a growing pause, and
  given up after MAX_ATTEMPTS;
- the server refuses one message for good (5xx: no such mailbox): it is given up at once.
A message given up keeps its error, for the console.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import smtplib
import socket
import threading
from dataclasses import dataclass

import sqlalchemy as sa

from portal.core import clock, mail
from portal.extensions import db
from portal.notifications import outbox, sms
from portal.notifications.models import WAITING, Channel, OutboxMessage
from portal.webhooks import delivery

log = logging.getLogger("portal.worker")

BATCH = 50
LEASE = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 10
FIRST_PAUSE = dt.timedelta(seconds=30)
LONGEST_PAUSE = dt.timedelta(hours=1)


def pause(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, 4 min… at most an hour."""
    return min(FIRST_PAUSE * 2 ** max(attempts - 1, 0), LONGEST_PAUSE)


@dataclass
class Tally:
    sent: int = 0
    postponed: int = 0
    given_up: int = 0

    def __iadd__(self, other: Tally) -> Tally:
        self.sent += other.sent
        self.postponed += other.postponed
        self.given_up += other.given_up
        return self


def claim(worker: str, now: dt.datetime, size: int = BATCH) -> list[OutboxMessage]:
    """Takes up to ``size`` messages that are due and not held by a live claim, and commits."""
    token = f"{worker}:{secrets.token_hex(6)}"
    free = sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)
    due = (
        sa.select(OutboxMessage.id)
        .where(WAITING, OutboxMessage.available_at <= now, free)
        .order_by(OutboxMessage.available_at, OutboxMessage.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    ids = list(db.session.scalars(due))
    if ids:
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), free)
            .values(claimed_by=token, claimed_until=now + LEASE)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.claimed_by == token)
            .order_by(OutboxMessage.available_at, OutboxMessage.id)
        )
    )


def _release(messages: list[OutboxMessage], now: dt.datetime, error: str) -> int:
    """The server could not be used: every message of the batch waits, none is given up."""
    for message in messages:
        message.attempts += 1
        message.last_error = error[:500]
        message.available_at = now + pause(message.attempts)
        message.claimed_by = message.claimed_until = None
    db.session.commit()
    return len(messages)


def _sent(message: OutboxMessage) -> None:
    message.sent_at = clock.now()
    message.claimed_by = message.claimed_until = None
    message.last_error = None
    db.session.commit()


def _refused(message: OutboxMessage, code: int, error: str, *, final: bool | None = None) -> bool:
    """Records a refusal of this one message; True when it is given up: when ``final`` (by
    default, a mail server's 5xx) or after MAX_ATTEMPTS."""
    now = clock.now()
    message.attempts += 1
    message.last_error = (f"{code} {error}" if code else error)[:500]
    message.claimed_by = message.claimed_until = None
    given_up = (code >= 500 if final is None else final) or message.attempts >= MAX_ATTEMPTS
    if given_up:
        message.failed_at = now
        log.warning(
            "Gave up %s %s to %s: %s", message.channel, message.id, message.to, message.last_error
        )
    else:
        message.available_at = now + pause(message.attempts)
    db.session.commit()
    return given_up


def _refusal(error: smtplib.SMTPException) -> tuple[int, str] | None:
    """(code, text) when the server refused this message; None when the connection failed."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
        return code, text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    if isinstance(error, smtplib.SMTPResponseException) and not isinstance(
        error, smtplib.SMTPServerDisconnected
    ):
        text = error.smtp_error
        return error.smtp_code, text.decode("utf-8", "replace") if isinstance(text, bytes) else str(
            text
        )
    return None


def send_batch(messages: list[OutboxMessage]) -> Tally:
    tally = _send_mail([m for m in messages if m.channel == Channel.EMAIL])
    tally += _send_texts([m for m in messages if m.channel == Channel.SMS])
    tally += _send_events([m for m in messages if m.channel == Channel.WEBHOOK])
    return tally


def _send_mail(pending: list[OutboxMessage]) -> Tally:
    tally = Tally()
    if not pending:
        return tally
    try:
        with mail.Postbox() as postbox:
            while pending:
                message = pending[0]
                try:
                    postbox.send(outbox.letter_of(message))
                except smtplib.SMTPServerDisconnected:
                    raise
                except smtplib.SMTPException as error:
                    refusal = _refusal(error)
                    if refusal is None or refusal[0] in (421,):
                        raise
                    pending.pop(0)
                    if _refused(message, *refusal):
                        tally.given_up += 1
                    else:
                        tally.postponed += 1
                    continue
                pending.pop(0)
                _sent(message)
                tally.sent += 1
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        db.session.rollback()
        log.warning("Mail server unavailable (%s); %d messages wait", error, len(pending))
        tally.postponed += _release(pending, clock.now(), f"{type(error).__name__}: {error}")
    return tally


def _send_texts(pending: list[OutboxMessage]) -> Tally:
    """Text messages, through the provider of ``sms.sender()``; without one they wait."""
    tally = Tally()
    if not pending:
        return tally
    provider = sms.sender()
    if provider is None:
        tally.postponed += _release(pending, clock.now(), "no text-message provider configured")
        return tally
    while pending:
        message = pending[0]
        try:
            provider.send(message.to, message.text)
        except sms.Refusal as refusal:
            pending.pop(0)
            code = 550 if refusal.permanent else 450
            if _refused(message, code, str(refusal)):
                tally.given_up += 1
            else:
                tally.postponed += 1
            continue
        except OSError as error:
            db.session.rollback()
            tally.postponed += _release(pending, clock.now(), f"{type(error).__name__}: {error}")
            break
        pending.pop(0)
        _sent(message)
        tally.sent += 1
    return tally


def _send_events(pending: list[OutboxMessage]) -> Tally:
    """Events for other systems, each to its own receiver: one that fails does not hold up
    the others; it is tried again after a growing pause, and given up after MAX_ATTEMPTS."""
    tally = Tally()
    if not pending:
        return tally
    with delivery.client() as client:
        for message in pending:
            outcome = delivery.attempt(client, message)
            if outcome.delivered:
                _sent(message)
                tally.sent += 1
            elif _refused(message, 0, outcome.error, final=outcome.final):
                tally.given_up += 1
            else:
                tally.postponed += 1
    return tally


def run_once(worker: str | None = None, limit: int | None = None) -> Tally:
    """Sends every message that is due now, batch after batch, and returns what happened.
    Stops at the first batch the server could not take (it is no use hammering it)."""
    worker = worker or f"{socket.gethostname()}:{threading.get_ident()}"
    tally = Tally()
    while limit is None or tally.sent + tally.postponed + tally.given_up < limit:
        size = BATCH if limit is None else min(BATCH, limit - tally.sent - tally.postponed)
        batch = claim(worker, clock.now(), max(size, 1))
        if not batch:
            break
        done = send_batch(batch)
        tally += done
        if done.sent == 0 and done.postponed:
            break
    return tally


def run(stop: threading.Event, interval: float = 2.0, worker: str | None = None) -> None:
    """Sends what is due every ``interval`` seconds until ``stop`` is set."""
    while not stop.is_set():
        try:
            tally = run_once(worker)
            db.session.remove()
            if tally.sent or tally.given_up:
                log.info(
                    "Outbox: %d sent, %d waiting again, %d given up",
                    tally.sent,
                    tally.postponed,
                    tally.given_up,
                )
        except sa.exc.OperationalError as error:  # the database went away for a moment
            log.warning("Outbox not reachable: %s", error)
            db.session.remove()
        except Exception:  # a fault in one message must not stop the sending of the others
            log.exception("The worker failed; it goes on at its next look")
            db.session.rollback()
            db.session.remove()
        stop.wait(interval)
