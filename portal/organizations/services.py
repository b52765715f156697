"""The rules of the registry: a name and a RUT belong to one organization only.

No request object in here. Functions change the session and leave the commit to the caller,
so one action is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.core.refusals import Refused
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


def _references() -> list[tuple[type, str]]:
    """(model, attribute) of every column that points at an organization, read from the
    mapped tables, so a table added later is merged too."""
    found = []
    for mapper in db.Model.registry.mappers:
        for column in mapper.local_table.columns:
            if any(fk.column.table.name == "organizations" for fk in column.foreign_keys):
                found.append((mapper.class_, mapper.get_property_by_column(column).key))
    return sorted(found, key=lambda pair: (pair[0].__name__, pair[1]))


def merge(keep: Organization, duplicate: Organization) -> dict[str, int]:
    """Moves everything that names ``duplicate`` (memberships, commitments, initiatives,
    requests, invitations) to ``keep``, which takes the details it lacked, and removes the
    duplicate. Rows are changed one by one, so the change log records each. Returns how many
    rows of each kind moved."""
    if keep.id == duplicate.id:
        raise Refused(_l("Choose another organization: an organization is not its own duplicate."))
    moved: dict[str, int] = {}
    for model, attribute in _references():
        rows = db.session.scalars(
            sa.select(model).where(getattr(model, attribute) == duplicate.id)
        ).all()
        for row in rows:
            setattr(row, attribute, keep.id)
        if rows:
            key = model.__tablename__
            moved[key] = moved.get(key, 0) + len(rows)
    lacking = {
        field: getattr(duplicate, field)
        for field in ("short_name", "comuna_id", "rut", "website")
        if not getattr(keep, field) and getattr(duplicate, field)
    }
    duplicate.rut = None  # a RUT belongs to one organization at a time
    db.session.flush()
    for field, value in lacking.items():
        setattr(keep, field, value)
    db.session.delete(duplicate)
    db.session.flush()
    return moved
