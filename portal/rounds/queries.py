"""Reading rounds for the pages that show them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from portal.extensions import db
from portal.rounds.models import Round, RoundItem


def round_or_404(round_id: int) -> Round:
    found = db.session.scalar(
        sa.select(Round)
        .where(Round.id == round_id)
        .options(
            sa.orm.selectinload(Round.items).joinedload(RoundItem.initiative),
            sa.orm.selectinload(Round.criteria),
        )
    )
    if found is None:
        abort(404)
    return found
