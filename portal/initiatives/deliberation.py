"""Deliberation on an initiative: comments with a stance, the proposer's answers, supports,
and hiding an abusive comment with a visible reason. No request here; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.core import clock
from portal.core.refusals import INVALID
from portal.extensions import db
from portal.initiatives.models import Comment, Initiative, Stance, Support
from portal.mesas.models import Membership, Person
from portal.mesas.services import Refused
from portal.notifications.notices import notify

BODY_MAX = 2000


@dataclass
class Thread:
    comment: Comment
    answers: list[Comment] = field(default_factory=list)


def threads(initiative: Initiative) -> list[Thread]:
    """Comments oldest first, each with its answers."""
    rows = db.session.scalars(
        sa.select(Comment)
        .where(Comment.initiative_id == initiative.id)
        .options(sa.orm.joinedload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    found = {c.id: Thread(c) for c in rows if c.parent_id is None}
    for c in rows:
        if c.parent_id is not None and c.parent_id in found:
            found[c.parent_id].answers.append(c)
    return list(found.values())


def seats(initiative: Initiative) -> dict[int, Membership]:
    """{user id: their current membership at the initiative's mesa}, to say who spoke."""
    rows = db.session.execute(
        sa.select(Person.user_id, Membership)
        .join(Membership, Membership.person_id == Person.id)
        .where(
            Membership.mesa_id == initiative.mesa_id,
            Membership.ended_on.is_(None),
            Person.user_id.is_not(None),
        )
        .options(sa.orm.joinedload(Membership.organization))
    ).all()
    return {user_id: membership for user_id, membership in rows}


def counts(initiative: Initiative) -> dict[str, int]:
    supports = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Support)
        .where(Support.initiative_id == initiative.id)
    )
    stances = dict(
        db.session.execute(
            sa.select(Comment.stance, sa.func.count())
            .where(
                Comment.initiative_id == initiative.id,
                Comment.stance.is_not(None),
                Comment.hidden_at.is_(None),
            )
            .group_by(Comment.stance)
        ).all()
    )
    return {"supports": supports or 0, **{s.value: stances.get(s, 0) for s in Stance}}


def supports(initiative: Initiative, user: User) -> bool:
    return (
        db.session.scalar(
            sa.select(Support.id).where(
                Support.initiative_id == initiative.id, Support.user_id == user.id
            )
        )
        is not None
    )


def toggle_support(initiative: Initiative, user: User) -> bool:
    """Supports the initiative, or takes the support back. Returns whether it is supported."""
    existing = db.session.scalar(
        sa.select(Support).where(Support.initiative_id == initiative.id, Support.user_id == user.id)
    )
    if existing is not None:
        db.session.delete(existing)
        return False
    db.session.add(Support(initiative_id=initiative.id, user_id=user.id))
    return True


def comment(initiative: Initiative, author: User, stance: Stance, body: str) -> Comment:
    made = Comment(initiative=initiative, author=author, stance=stance, body=body)
    db.session.add(made)
    db.session.flush()
    proposer = initiative.proposer
    if proposer is not None and proposer.id != author.id:
        link = url_for("initiatives.initiative", initiative_id=initiative.id) + f"#c{made.id}"
        notify(proposer, "initiative_comment", link, initiative=initiative, comment=made)
    return made


def answer(parent: Comment, author: User, body: str) -> Comment:
    if parent.parent_id is not None:
        raise Refused(_l("Answer the comment itself, not another answer."), INVALID)
    made = Comment(initiative=parent.initiative, author=author, parent_id=parent.id, body=body)
    db.session.add(made)
    db.session.flush()
    return made


def hide(found: Comment, reason: str, by: User) -> None:
    if found.is_hidden:
        raise Refused(_l("This comment is already hidden."))
    found.hidden_at = clock.now()
    found.hidden_by_id = by.id
    found.hidden_reason = reason
