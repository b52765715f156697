"""Read queries on mesas; a fixed number of queries per page, whatever the data size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.mesas.models import (
    NAMED_ROLES,
    Invitation,
    JoinRequest,
    Membership,
    Mesa,
    MesaKind,
    MesaStatusChange,
    Organization,
    Person,
    RequestStatus,
    Role,
)
from portal.places.models import Territory

KIND_ORDER = sa.case(
    {MesaKind.TERRITORIAL.value: 0, MesaKind.THEMATIC.value: 1, MesaKind.REGIONAL.value: 2},
    value=Mesa.kind,
)


def mesa_by_slug(slug: str) -> Mesa | None:
    return db.session.scalar(
        sa.select(Mesa)
        .where(Mesa.slug == slug)
        .options(joinedload(Mesa.territory).joinedload(Territory.region), joinedload(Mesa.region))
    )


def mesas_of_territory(territory: Territory) -> list[Mesa]:
    """Its territorial and thematic mesas, and the regional technical mesa of its region."""
    return list(
        db.session.scalars(
            sa.select(Mesa)
            .where(
                sa.or_(
                    Mesa.territory_id == territory.id,
                    sa.and_(Mesa.kind == MesaKind.REGIONAL, Mesa.region_id == territory.region_id),
                )
            )
            .order_by(KIND_ORDER, Mesa.name)
        )
    )


def related_mesas(mesa: Mesa) -> list[Mesa]:
    """A territorial's thematic mesas; a thematic's territorial mesa."""
    if mesa.kind == MesaKind.REGIONAL:
        return []
    wanted = MesaKind.THEMATIC if mesa.kind == MesaKind.TERRITORIAL else MesaKind.TERRITORIAL
    return list(
        db.session.scalars(
            sa.select(Mesa)
            .where(Mesa.territory_id == mesa.territory_id, Mesa.kind == wanted)
            .order_by(Mesa.name)
        )
    )


def territories_of_region(mesa: Mesa) -> list[Territory]:
    """The territories whose plans a regional technical mesa reviews."""
    if mesa.kind != MesaKind.REGIONAL:
        return []
    return list(
        db.session.scalars(
            sa.select(Territory)
            .where(Territory.region_id == mesa.region_id)
            .order_by(Territory.name)
        )
    )


def memberships_of(mesa: Mesa) -> list[Membership]:
    """Every membership, current and past, with its person and organization: one query."""
    return list(
        db.session.scalars(
            sa.select(Membership)
            .where(Membership.mesa_id == mesa.id)
            .options(
                joinedload(Membership.person).joinedload(Person.user),
                joinedload(Membership.organization),
            )
            .order_by(Membership.started_on, Membership.id)
        )
    )


def status_history(mesa: Mesa) -> list[MesaStatusChange]:
    return list(
        db.session.scalars(
            sa.select(MesaStatusChange)
            .where(MesaStatusChange.mesa_id == mesa.id)
            .order_by(MesaStatusChange.since.desc(), MesaStatusChange.id.desc())
        )
    )


def pending_requests(mesa: Mesa) -> list[JoinRequest]:
    return list(
        db.session.scalars(
            sa.select(JoinRequest)
            .where(JoinRequest.mesa_id == mesa.id, JoinRequest.status == RequestStatus.PENDING)
            .options(joinedload(JoinRequest.user), joinedload(JoinRequest.organization))
            .order_by(JoinRequest.created_at)
        )
    )


def open_invitations(mesa: Mesa, now: dt.datetime) -> list[Invitation]:
    return list(
        db.session.scalars(
            sa.select(Invitation)
            .where(
                Invitation.mesa_id == mesa.id,
                Invitation.used_at.is_(None),
                Invitation.cancelled_at.is_(None),
                Invitation.expires_at > now,
            )
            .options(joinedload(Invitation.organization))
            .order_by(Invitation.created_at)
        )
    )


@dataclass
class OrganizationSeats:
    """The current members of a mesa for one organization, as the public sees them."""

    organization: Organization | None
    named: list[Membership] = field(default_factory=list)  # chair, secretary, service reps
    counts: dict[Role, int] = field(default_factory=dict)  # everybody else, without names
    delegates: int = 0


def public_roster(memberships: list[Membership]) -> list[OrganizationSeats]:
    """Current members grouped by organization (organizations by name, people on their own
    behalf last). Names only for the roles the public may know."""
    groups: dict[int | None, OrganizationSeats] = {}
    for m in memberships:
        if not m.is_current:
            continue
        group = groups.setdefault(m.organization_id, OrganizationSeats(m.organization))
        if m.role in NAMED_ROLES:
            group.named.append(m)
        else:
            group.counts[m.role] = group.counts.get(m.role, 0) + 1
        group.delegates += m.is_delegate
    return sorted(
        groups.values(),
        key=lambda g: (g.organization is None, g.organization.name if g.organization else ""),
    )


def memberships_of_user(user) -> list[Membership]:  # type: ignore[no-untyped-def]
    """Every mesa the person sits or sat at, current first."""
    return list(
        db.session.scalars(
            sa.select(Membership)
            .join(Person, Person.id == Membership.person_id)
            .where(Person.user_id == user.id)
            .options(joinedload(Membership.mesa), joinedload(Membership.organization))
            .order_by(Membership.ended_on.is_not(None), Membership.started_on.desc())
        )
    )


def requests_of_user(user) -> list[JoinRequest]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            sa.select(JoinRequest)
            .where(JoinRequest.user_id == user.id)
            .options(joinedload(JoinRequest.mesa), joinedload(JoinRequest.organization))
            .order_by(JoinRequest.created_at.desc())
            .limit(50)
        )
    )
