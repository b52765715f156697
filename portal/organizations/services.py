"""The rules of the registry: a name and a RUT belong to one organization only.

No request object in here. Functions change the session and leave the commit to the caller,
so one action is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from portal.extensions import db
from portal.mesas.models import ActorType, Organization, OrganizationKind


@dataclass
class OrganizationData:
    """What the form gives: already stripped, checked and formatted."""

    name: str
    short_name: str
    kind: OrganizationKind
    actor_type: ActorType
    comuna_id: int | None
    rut: str | None
    website: str | None


def _others(exclude: Organization | None) -> sa.ColumnElement[bool]:
    return Organization.id != exclude.id if exclude is not None else sa.true()


def name_taken(name: str, exclude: Organization | None = None) -> bool:
    """Another organization already has this name, in capitals or not."""
    found = db.session.scalar(
        sa.select(Organization.id)
        .where(sa.func.lower(Organization.name) == sa.func.lower(name), _others(exclude))
        .limit(1)
    )
    return found is not None


def rut_holder(rut: str, exclude: Organization | None = None) -> Organization | None:
    """The other organization that already has this RUT (formatted), if any."""
    return db.session.scalar(
        sa.select(Organization).where(Organization.rut == rut, _others(exclude)).limit(1)
    )


def save(data: OrganizationData, org: Organization | None = None) -> Organization:
    """Add a new organization, or change ``org``. The caller commits."""
    if org is None:
        org = Organization()
        db.session.add(org)
    org.name = data.name
    org.short_name = data.short_name
    org.kind = data.kind
    org.actor_type = data.actor_type
    org.comuna_id = data.comuna_id
    org.rut = data.rut
    org.website = data.website
    return org
