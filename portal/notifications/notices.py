"""Telling a person that something happened: a notice in the portal, and a mail in the outbox
when the person wants one for that kind of event, at once or in a digest.

Both are written in the person's own language when they are created. A person without an
account (a member the secretary keeps on record) gets no mail: their notices are on the sheet
the secretary prints for the next session (``notifications/sheets.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale

from portal.accounts.models import Notice, User
from portal.core import clock
from portal.core.links import external_url, site_url
from portal.core.mail import Attachment
from portal.extensions import db
from portal.notifications import outbox, preferences
from portal.notifications.models import Cadence
from portal.notifications.outbox import locale_of

# Set while history is written that is nobody's news (the demo's sessions, rounds and
# commitments, bench data): nothing is notified or mailed.
_quiet: ContextVar[bool] = ContextVar("quiet_notices", default=False)


@contextmanager
def quiet() -> Iterator[None]:
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def is_quiet() -> bool:
    return _quiet.get()


def render_notice(user: User | None, kind: str, **context: object) -> tuple[str, str]:
    """(subject, body) of ``notices/<kind>.txt`` in the person's language: its first line is
    the subject."""
    with force_locale(locale_of(user)):
        text = render_template(f"notices/{kind}.txt", user=user, **context)
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip()


def mail_text(user: User, kind: str, body: str, link: str) -> str:
    """The notice's text as mailed: the body, the page where it is done, and how to stop."""
    with force_locale(locale_of(user)):
        footer = render_template(
            "notifications/footer.txt",
            link=site_url(link) if link else "",
            label=preferences.kind_label(kind),
            stop=preferences.unsubscribe_url(user, kind),
            settings=external_url("notifications.settings"),
        )
    return f"{body}\n\n{footer.strip()}\n"


def notify(
    user: User,
    kind: str,
    link: str = "",
    *,
    template: str | None = None,
    key: str | None = None,
    attachment: Callable[[], Attachment] | None = None,
    **context: object,
) -> Notice | None:
    """``kind`` is the kind of event (``notices/<kind>.txt``, unless ``template`` names
    another); ``link`` is a path in the portal; ``attachment`` makes the mail's attachment in
    the person's language. The notice and its mail are added to the session (the caller
    commits). With ``key`` (a reminder's identity), a notice already given under that key is
    not given again: None."""
    if is_quiet() or (key is not None and _given(key)):
        return None
    subject, body = render_notice(user, template or kind, link=link, **context)
    notice = Notice(user=user, kind=kind, key=key, subject=subject, body=body, link=link)
    db.session.add(notice)
    if not user.active:
        return notice
    cadence = preferences.cadence(user, kind)
    if cadence == Cadence.NOW:
        with force_locale(locale_of(user)):
            made = attachment() if attachment is not None else None
        outbox.enqueue(
            user.email,
            subject,
            mail_text(user, kind, body, link),
            kind=kind,
            user=user,
            attachment=made,
            unsubscribe_url=preferences.unsubscribe_url(user, kind),
        )
    elif cadence in (Cadence.DAILY, Cadence.WEEKLY):
        notice.digest = cadence.value
    return notice


def _given(key: str) -> bool:
    return db.session.scalar(sa.select(Notice.id).where(Notice.key == key)) is not None


def unread_count(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notice)
        .where(Notice.user_id == user.id, Notice.read_at.is_(None))
    )


def latest(user: User, limit: int = 50) -> list[Notice]:
    return list(
        db.session.scalars(
            sa.select(Notice)
            .where(Notice.user_id == user.id)
            .order_by(Notice.created_at.desc(), Notice.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(user: User) -> None:
    """In the database only: notices already loaded keep their unread state for this page."""
    db.session.execute(
        sa.update(Notice)
        .where(Notice.user_id == user.id, Notice.read_at.is_(None))
        .values(read_at=clock.now())
        .execution_options(synchronize_session=False)
    )
