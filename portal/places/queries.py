"""Read queries on places; each page's query count stays the same whatever the data size."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from portal.extensions import db
from portal.places.models import (
    Comuna,
    Province,
    Region,
    Territory,
    TerritoryComuna,
)


def comuna_choices() -> list[SelectChoice]:
    """Comunas grouped by region, north to south, for a select with option groups."""
    rows = db.session.execute(
        sa.select(Region.name, Comuna.id, Comuna.name)
        .join(Province, Province.region_id == Region.id)
        .join(Comuna, Comuna.province_id == Province.id)
        .order_by(Region.position, Comuna.name)
    ).all()
    return [SelectChoice(value=id_, label=name, optgroup=region) for region, id_, name in rows]


def territories_for_listing() -> list[Territory]:
    """Every territory with its region and comunas, north to south, in one query (a selectin
    load would split into batches of 500 and so grow with the data)."""
    return list(
        db.session.scalars(
            sa.select(Territory)
            .join(Territory.region)
            .options(
                contains_eager(Territory.region),
                joinedload(Territory.memberships).joinedload(TerritoryComuna.comuna),
            )
            .order_by(Region.position, Territory.name)
        ).unique()
    )


def territory_by_slug(slug: str) -> Territory | None:
    return (
        db.session.scalars(
            sa.select(Territory)
            .where(Territory.slug == slug)
            .options(
                joinedload(Territory.region),
                joinedload(Territory.memberships)
                .joinedload(TerritoryComuna.comuna)
                .joinedload(Comuna.province),
                selectinload(Territory.stages),
            )
        )
        .unique()
        .one_or_none()
    )
