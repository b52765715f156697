"""Writing messages to the outbox, in the caller's transaction.

A message is a row until ``portal worker`` sends it: if the action's transaction rolls back,
the message was never written; if the mail server is down, the action still succeeds and the
message waits. Nothing here opens a connection to anything.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from markupsafe import Markup, escape

from portal.accounts.models import User
from portal.core import mail
from portal.core.mail import Attachment
from portal.extensions import db
from portal.notifications import sms
from portal.notifications.models import WAITING, Channel, OutboxMessage

URL = re.compile(r"https?://[^\s<>\"]+")


def locale_of(user: User | None) -> str:
    """The Babel locale a person reads in; Spanish (Chile) for whoever has no account."""
    if user is None or user.locale == "es":
        return "es_CL"
    return user.locale


def as_html(text: str, locale: str) -> str:
    """The plain text as simple HTML for a phone: paragraphs, and addresses as links."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = []
        for line in block.splitlines():
            parts, last = [], 0
            for found in URL.finditer(line):
                parts.append(escape(line[last : found.start()]))
                address = found.group(0)
                parts.append(Markup('<a href="{0}">{0}</a>').format(address))
                last = found.end()
            parts.append(escape(line[last:]))
            lines.append(Markup("").join(parts))
        paragraphs.append(Markup("<br>\n").join(lines))
    with force_locale(locale):
        return render_template(
            "notifications/email.html", paragraphs=paragraphs, lang=locale.split("_")[0]
        )


def queued(key: str) -> bool:
    return (
        db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None
    )


def enqueue(
    to: str,
    subject: str,
    text: str,
    *,
    kind: str,
    user: User | None = None,
    attachment: Attachment | None = None,
    unsubscribe_url: str | None = None,
    key: str | None = None,
) -> OutboxMessage | None:
    """Queues one mail (the caller commits). With ``key``, a message already queued under the
    same key is not queued again, and None is returned."""
    if key is not None and queued(key):
        return None
    message = OutboxMessage(
        channel=Channel.EMAIL,
        kind=kind,
        to=to,
        user=user,
        subject=subject[:300],
        text=text,
        html=as_html(text, locale_of(user)),
        attachment_name=attachment.filename if attachment else None,
        attachment_type=attachment.content_type if attachment else None,
        attachment=attachment.content if attachment else None,
        unsubscribe_url=unsubscribe_url,
        message_id=mail.new_message_id(),
        key=key,
    )
    db.session.add(message)
    return message


def enqueue_sms(to: str, text: str, *, kind: str, key: str | None = None) -> OutboxMessage | None:
    """Queues one text message (the caller commits), cut to one segment."""
    if key is not None and queued(key):
        return None
    message = OutboxMessage(
        channel=Channel.SMS,
        kind=kind,
        to=to,
        subject="",
        text=sms.shortened(text),
        message_id=mail.new_message_id(),
        key=key,
    )
    db.session.add(message)
    return message


def letter_of(message: OutboxMessage) -> mail.Letter:
    attachments = ()
    if message.attachment is not None:
        attachments = (
            Attachment(
                message.attachment_name or "adjunto",
                message.attachment_type or "application/octet-stream",
                message.attachment,
            ),
        )
    return mail.Letter(
        to=message.to,
        subject=message.subject,
        text=message.text,
        html=message.html,
        attachments=attachments,
        message_id=message.message_id,
        unsubscribe_url=message.unsubscribe_url,
    )


def waiting_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(WAITING))
