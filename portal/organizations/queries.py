"""Read queries on organizations; a fixed number of queries per page, whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.core.text import LIKE_ESCAPE, contains_pattern
from portal.extensions import db
from portal.mesas.models import ActorType, Membership, Mesa, Organization, OrganizationKind, Role

PER_PAGE = 50


@dataclass
class Listing:
    organizations: list[Organization]
    total: int
    page: int
    pages: int


def _filtered(
    statement: sa.Select,
    kind: OrganizationKind | None,
    actor_type: ActorType | None,
    name: str = "",
) -> sa.Select:
    if name:
        like = contains_pattern(name)
        statement = statement.where(
            sa.or_(
                Organization.name.ilike(like, escape=LIKE_ESCAPE),
                Organization.short_name.ilike(like, escape=LIKE_ESCAPE),
            )
        )
    if kind is not None:
        statement = statement.where(Organization.kind == kind)
    if actor_type is not None:
        statement = statement.where(Organization.actor_type == actor_type)
    return statement


def count_organizations(
    kind: OrganizationKind | None, actor_type: ActorType | None, name: str = ""
) -> int:
    statement = _filtered(sa.select(sa.func.count(Organization.id)), kind, actor_type, name)
    return db.session.scalar(statement) or 0


def organizations_page(
    kind: OrganizationKind | None,
    actor_type: ActorType | None,
    page: int,
    total: int,
    name: str = "",
) -> Listing:
    """One page of the registry by name, with each comuna loaded in the same query. ``page``
    must exist (see ``pages_for``)."""
    statement = (
        _filtered(sa.select(Organization), kind, actor_type, name)
        .options(joinedload(Organization.comuna))
        .order_by(Organization.name, Organization.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    return Listing(
        organizations=list(db.session.scalars(statement)),
        total=total,
        page=page,
        pages=pages_for(total),
    )


def pages_for(total: int) -> int:
    """How many pages a listing has; an empty one still has its first page."""
    return max(1, -(-total // PER_PAGE))


def organization_by_id(org_id: int) -> Organization | None:
    return db.session.scalar(
        sa.select(Organization)
        .where(Organization.id == org_id)
        .options(joinedload(Organization.comuna))
    )


@dataclass
class Seats:
    """Where an organization sits today: one mesa and how many people it has there by role."""

    slug: str
    name: str
    people: dict[Role, int] = field(default_factory=dict)


def current_seats(org: Organization) -> list[Seats]:
    """Its current memberships, counted by mesa and role, in one query. Names of people are
    not read: the public page does not show them."""
    rows = db.session.execute(
        sa.select(Mesa.id, Mesa.slug, Mesa.name, Membership.role, sa.func.count(Membership.id))
        .join(Membership, Membership.mesa_id == Mesa.id)
        .where(Membership.organization_id == org.id, Membership.ended_on.is_(None))
        .group_by(Mesa.id, Mesa.slug, Mesa.name, Membership.role)
        .order_by(Mesa.name, Mesa.id)
    ).all()
    by_mesa: dict[int, Seats] = {}
    for mesa_id, slug, name, role, n in rows:
        by_mesa.setdefault(mesa_id, Seats(slug, name)).people[role] = n
    order = list(Role)
    for seats in by_mesa.values():
        seats.people = dict(sorted(seats.people.items(), key=lambda item: order.index(item[0])))
    return list(by_mesa.values())
