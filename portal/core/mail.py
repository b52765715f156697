"""Outgoing mail: to an SMTP server when one is configured, otherwise into ``instance/mail/``
as ``.eml`` files (and a log line), so the portal works offline and in a demo."""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

from portal.core import clock

log = logging.getLogger("portal.mail")


def build_message(to: str, subject: str, text: str) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    return message


def send(to: str, subject: str, text: str) -> None:
    message = build_message(to, subject, text)
    config = current_app.config
    if not config["MAIL_SERVER"]:
        _save(message, Path(config["MAIL_DIR"]))
        return
    security = config["MAIL_SECURITY"]
    context = ssl.create_default_context()
    smtp_class = smtplib.SMTP_SSL if security == "ssl" else smtplib.SMTP
    kwargs = {"context": context} if security == "ssl" else {}
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20, **kwargs) as smtp:
        if security == "starttls":
            smtp.starttls(context=context)
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
    log.info("Mail sent to %s: %s", to, message["Subject"])


def _save(message: EmailMessage, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{secrets.token_hex(4)}.eml"
    path.write_bytes(message.as_bytes())
    log.info("No SMTP server configured; mail to %s saved in %s", message["To"], path)
    return path
