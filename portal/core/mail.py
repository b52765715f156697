"""Outgoing mail as a format and a transport: to an SMTP server when one is configured,
otherwise into ``instance/mail/`` as ``.eml`` files (and a log line), so the portal works
offline and in a demo.

Nothing in a web request calls this module: messages are written to the outbox in the
action's transaction (``portal.notifications.outbox``), and ``portal worker`` hands them here.
"""

from __future__ import annotations

import email.policy
import logging
import secrets
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from types import TracebackType

from flask import current_app

from portal.core import clock

log = logging.getLogger("portal.mail")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "text/calendar; method=REQUEST"
    content: str


@dataclass(frozen=True)
class Letter:
    """What one message says, in the recipient's language, ready to send."""

    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = field(default=())
    message_id: str | None = None
    # RFC 8058 one-click unsubscribe: an https address that takes a POST.
    unsubscribe_url: str | None = None


def new_message_id() -> str:
    return make_msgid(domain=current_app.config["MAIL_FROM"].rpartition("@")[2] or None)


# Headers are folded only past 998 characters: Python's folding at 78 leaves a doubled space
# where it breaks a subject before a word with an accent ("Mesa de  Ganadería").
POLICY = email.policy.SMTP.clone(max_line_length=998)


def build_message(letter: Letter) -> EmailMessage:
    config = current_app.config
    message = EmailMessage(policy=POLICY)
    message["From"] = config["MAIL_FROM"]
    message["To"] = letter.to
    message["Subject"] = letter.subject
    message["Date"] = formatdate(clock.now().timestamp(), localtime=False)
    # Kept from the outbox row, so a message sent again after a lost answer is the same one.
    message["Message-ID"] = letter.message_id or new_message_id()
    message["Auto-Submitted"] = "auto-generated"
    if letter.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{letter.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(letter.text)
    if letter.html:
        message.add_alternative(letter.html, subtype="html")
    for attachment in letter.attachments:
        main, _, rest = attachment.content_type.partition("/")
        subtype, _, params = rest.partition(";")
        message.add_attachment(
            attachment.content.encode("utf-8"),
            maintype=main,
            subtype=subtype.strip(),
            filename=attachment.filename,
            params=dict(p.strip().split("=", 1) for p in params.split(";") if "=" in p),
        )
    return message


class Postbox:
    """One connection to the mail server for a batch of messages (or the mail folder when no
    server is configured). Errors are smtplib's and OSError: the caller decides what they mean.
    """

    def __init__(self) -> None:
        self.config = current_app.config
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Postbox:
        config = self.config
        if not config["MAIL_SERVER"]:
            return self
        security = config["MAIL_SECURITY"]
        context = ssl.create_default_context()
        if security == "ssl":
            self.smtp = smtplib.SMTP_SSL(
                config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20, context=context
            )
        else:
            self.smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20)
        try:
            if security == "starttls":
                self.smtp.starttls(context=context)
            if config["MAIL_USERNAME"]:
                self.smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except BaseException:
            self.smtp.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()

    def send(self, letter: Letter) -> None:
        message = build_message(letter)
        if self.smtp is None:
            _save(message, Path(self.config["MAIL_DIR"]))
            return
        self.smtp.send_message(message)
        log.info("Mail sent to %s: %s", letter.to, letter.subject)


def _save(message: EmailMessage, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{secrets.token_hex(4)}.eml"
    path.write_bytes(message.as_bytes())
    log.info("No SMTP server configured; mail to %s saved in %s", message["To"], path)
    return path
