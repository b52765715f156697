"""Read queries on mesas; a fixed number of queries per page, whatever the data size."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.mesas.models import Mesa, MesaKind
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
