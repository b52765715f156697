"""Reading initiatives: the lists of a mesa and of a territory."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from portal import permissions
from portal.extensions import db
from portal.initiatives.models import Initiative, Status
from portal.meetings.models import Agreement, Meeting, agreement_initiatives
from portal.mesas.models import Membership, Mesa, Person
from portal.places.models import Territory
from portal.places.queries import territory_by_slug

__all__ = ["territory_by_slug"]

PAGE = 50


def _listing():  # type: ignore[no-untyped-def]
    return sa.select(Initiative).options(
        joinedload(Initiative.mesa), selectinload(Initiative.funding)
    )


def of_mesa(mesa: Mesa, user) -> list[Initiative]:  # type: ignore[no-untyped-def]
    """Newest first; drafts only for their proposer and the mesa's managers."""
    visible = Initiative.status != Status.DRAFT
    if permissions.can(user, "mesa.manage", mesa):
        visible = sa.true()
    elif user.is_authenticated:
        visible = sa.or_(visible, Initiative.proposer_id == user.id)
    return list(
        db.session.scalars(
            _listing()
            .where(Initiative.mesa_id == mesa.id, visible)
            .order_by(Initiative.created_at.desc(), Initiative.id.desc())
        )
    )


def of_territory(
    territory: Territory, status: Status | None, page: int
) -> tuple[list[Initiative], int]:
    """One page of the territory's public initiatives, newest first, and how many in all."""
    where = [Initiative.territory_id == territory.id, Initiative.status != Status.DRAFT]
    if status is not None:
        where.append(Initiative.status == status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Initiative).where(*where))
    rows = db.session.scalars(
        _listing()
        .where(*where)
        .order_by(Initiative.created_at.desc(), Initiative.id.desc())
        .limit(PAGE)
        .offset((page - 1) * PAGE)
    )
    return list(rows), total or 0


def counts_by_status(territory: Territory) -> dict[Status, int]:
    rows = db.session.execute(
        sa.select(Initiative.status, sa.func.count())
        .where(Initiative.territory_id == territory.id, Initiative.status != Status.DRAFT)
        .group_by(Initiative.status)
    ).all()
    found = dict(rows)
    return {status: found[status] for status in Status if status in found}


def organization_of(user, mesa: Mesa) -> int | None:  # type: ignore[no-untyped-def]
    """The organization the person represents at the mesa, to prefill a proposal."""
    return db.session.scalar(
        sa.select(Membership.organization_id)
        .join(Person, Person.id == Membership.person_id)
        .where(
            Person.user_id == user.id,
            Membership.mesa_id == mesa.id,
            Membership.ended_on.is_(None),
        )
        .limit(1)
    )


def linkable(mesa: Mesa) -> list[Initiative]:
    """Initiatives a session of ``mesa`` can review or decide on: the public ones of its
    territory that have not ended, by title."""
    if mesa.territory_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Initiative)
            .where(
                Initiative.territory_id == mesa.territory_id,
                Initiative.status.not_in(
                    (Status.DRAFT, Status.COMPLETED, Status.WITHDRAWN, Status.DISCARDED)
                ),
            )
            .order_by(Initiative.title)
            .limit(300)
        )
    )


def agreements_about(initiative: Initiative) -> list:  # type: ignore[type-arg]
    """The agreements that concern the initiative, oldest first, with their sessions."""

    return list(
        db.session.scalars(
            sa.select(Agreement)
            .join(agreement_initiatives, agreement_initiatives.c.agreement_id == Agreement.id)
            .where(agreement_initiatives.c.initiative_id == initiative.id)
            .options(
                sa.orm.joinedload(Agreement.meeting).joinedload(Meeting.minutes),
                sa.orm.joinedload(Agreement.mesa),
            )
            .order_by(Agreement.created_at, Agreement.id)
        )
    )
