"""The rules of territories: admitted by decree with their comunas, comunas that join or leave
on a date, and the stages of the territory's path (phase and status), each from a date with
its decree and reason. No request object in here; the caller commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.core.formatting import date as format_day
from portal.core.refusals import INVALID, Refused
from portal.core.text import numbered, slugify
from portal.extensions import db
from portal.places.models import (
    Comuna,
    Province,
    Region,
    Territory,
    TerritoryComuna,
    TerritoryPhase,
    TerritoryStage,
    TerritoryStatus,
)


@dataclass
class Stage:
    phase: TerritoryPhase
    status: TerritoryStatus
    since: dt.date
    decree: str = ""
    decree_on: dt.date | None = None
    reason: str = ""

    def facts(self) -> dict[str, object]:
        """What the stage sets, for the change log (the reason is logged on its own)."""
        return {k: v for k, v in asdict(self).items() if k != "reason"}


def free_slug(name: str) -> str:
    """A slug for a new territory's address, numbered when another already has it."""
    base = slugify(name) or "territorio"
    like = sa.select(Territory.slug).where(Territory.slug.like(f"{base}%"))
    return numbered(base, set(db.session.scalars(like)))


def _of_region(region: Region, comunas: Sequence[Comuna]) -> None:
    region_of = dict(
        db.session.execute(
            sa.select(Comuna.id, Province.region_id)
            .join(Province, Province.id == Comuna.province_id)
            .where(Comuna.id.in_([c.id for c in comunas]))
        ).all()
    )
    if any(region_of.get(c.id) != region.id for c in comunas):
        raise Refused(_l("Choose comunas of the territory's region."), status=INVALID)


def create_territory(
    name: str,
    region: Region,
    comunas: Sequence[Comuna],
    stage: Stage,
    by_id: int | None = None,
    slug: str | None = None,
) -> Territory:
    """A territory admitted by decree, made of ``comunas`` from the stage's date."""
    if not comunas:
        raise Refused(_l("Choose the comunas that make up the territory."), status=INVALID)
    _of_region(region, comunas)
    territory = Territory(
        name=name,
        slug=slug or free_slug(name),
        region=region,
        phase=stage.phase,
        status=stage.status,
        decree=stage.decree,
        decree_on=stage.decree_on,
    )
    territory.memberships = [TerritoryComuna(comuna=c, valid_from=stage.since) for c in comunas]
    db.session.add(territory)
    record_stage(territory, stage, by_id, first=True)
    return territory


def record_stage(
    territory: Territory, stage: Stage, by_id: int | None = None, first: bool = False
) -> TerritoryStage:
    """The territory's next stage; it becomes the territory's phase and status."""
    latest = territory.stages[-1] if territory.stages and not first else None
    if latest is not None:
        if stage.since < latest.since:
            raise Refused(
                _l(
                    "The stage cannot start before the current one (%(date)s).",
                    date=format_day(latest.since),
                ),
                status=INVALID,
            )
        if (stage.phase, stage.status) == (latest.phase, latest.status):
            raise Refused(_l("The territory is already at this stage."), status=INVALID)
        if latest.status == TerritoryStatus.EXITED:
            raise Refused(_l("The territory already exited the program."))
    recorded = TerritoryStage(
        territory=territory,
        phase=stage.phase,
        status=stage.status,
        since=stage.since,
        decree=stage.decree,
        decree_on=stage.decree_on,
        reason=stage.reason,
        recorded_by_id=by_id,
    )
    db.session.add(recorded)
    territory.phase, territory.status = stage.phase, stage.status
    return recorded


def add_comuna(territory: Territory, comuna: Comuna, since: dt.date, note: str = "") -> None:
    _of_region(territory.region, [comuna])
    current = [m for m in territory.memberships if m.comuna_id == comuna.id and m.valid_to is None]
    if current:
        raise Refused(
            _l("%(comuna)s is already part of the territory.", comuna=comuna.name),
            status=INVALID,
        )
    earlier = [m for m in territory.memberships if m.comuna_id == comuna.id]
    if earlier and since < max(m.valid_to for m in earlier if m.valid_to):
        raise Refused(
            _l("%(comuna)s left the territory after that date.", comuna=comuna.name),
            status=INVALID,
        )
    territory.memberships.append(TerritoryComuna(comuna=comuna, valid_from=since, note=note))


def remove_comuna(membership: TerritoryComuna, until: dt.date, note: str = "") -> None:
    """The comuna is no longer part of the territory from ``until`` on; its history stays."""
    if membership.valid_to is not None:
        raise Refused(_l("That comuna already left the territory."))
    if until <= membership.valid_from:
        raise Refused(
            _l(
                "The comuna joined on %(date)s; it can leave only after that day.",
                date=format_day(membership.valid_from),
            ),
            status=INVALID,
        )
    others = [
        m for m in membership.territory.memberships if m is not membership and m.valid_to is None
    ]
    if not others:
        raise Refused(
            _l("A territory keeps at least one comuna. Record its exit as a stage instead."),
            status=INVALID,
        )
    membership.valid_to = until
    if note:
        membership.note = note
