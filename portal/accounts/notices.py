"""Telling a person that something happened: a notice in the portal, and an email too.

Both are written in the person's own language when they are created. A person without an
account (a member the secretary keeps on record) is never written to.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale

from portal.accounts.models import Notice, User
from portal.core import clock, mail
from portal.core.links import site_url
from portal.extensions import db


def locale_of(user: User) -> str:
    return "es_CL" if user.locale == "es" else user.locale


def notify(user: User, template: str, link: str = "", **context: object) -> Notice:
    """``template`` names ``notices/<template>.txt``; its first line is the subject. ``link``
    is a path in the portal. The notice is added to the session (the caller commits); the
    email goes out at once."""
    with force_locale(locale_of(user)):
        text = render_template(f"notices/{template}.txt", user=user, link=link, **context)
    subject, _, body = text.strip().partition("\n")
    notice = Notice(user=user, subject=subject.strip(), body=body.strip(), link=link)
    db.session.add(notice)
    if user.active:
        footer = f"\n\n{site_url(link)}\n" if link else "\n"
        mail.send(user.email, subject.strip(), body.strip() + footer)
    return notice


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
