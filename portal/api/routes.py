"""The first resources of the API: the territories with their comunas (CUT codes), and a
territory's plan as the public reads it (the version in force, or the proposal)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from portal.api import bp
from portal.api import paging as args
from portal.api.responses import iso, respond
from portal.core import clock
from portal.places.models import Territory, TerritoryComuna
from portal.places.queries import territories_for_listing
from portal.plans import services as plans


def _territory(territory: Territory) -> dict[str, Any]:
    today = clock.today()
    return {
        "code": territory.slug,
        "name": territory.name,
        "region": {"code": territory.region.code, "name": territory.region.name},
        "phase": territory.phase.value,
        "status": territory.status.value,
        "comunas": [{"cut": c.code, "name": c.name} for c in territory.comunas_on(today)],
    }


@bp.route("/territories")
def territories():
    """Every territory, north to south, with its region and its comunas today: one query."""
    return respond({"data": [_territory(t) for t in territories_for_listing()]})


@args.listing("Territory")
def territory_list() -> args.Listing:
    """The territories for the data page's download, in the order of their ids."""
    query = sa.select(Territory).options(
        joinedload(Territory.region),
        selectinload(Territory.memberships).joinedload(TerritoryComuna.comuna),
    )
    return args.Listing(query, Territory.id, lambda rows: map(_territory, rows))


def _number(value: Any) -> str:
    return format(value.normalize(), "f")


@bp.route("/territories/<code>/plan")
def territory_plan(code: str):
    """The plan the public reads: the version in force (or the latest agreed, awaiting its
    sanction), else the working matrix as a proposal; each indicator with its baseline,
    targets and the measurements taken since."""
    territory = args.territory_or_404(code)
    shown = plans.standing(territory)
    plan, version = shown.plan, shown.version
    if version is not None:
        state = "in_force" if version.is_sanctioned else "awaiting_sanction"
    else:
        state = "proposal"
    return respond(
        {
            "territory": {"code": territory.slug, "name": territory.name},
            "state": state,
            "period": None
            if plan is None
            else {
                "kind": plan.kind.value,
                "first_year": plan.first_year,
                "last_year": plan.last_year,
            },
            "version": None
            if version is None
            else {
                "number": version.number,
                "reason": version.reason,
                "agreed_on": iso(version.agreement.meeting.day),
                "agreement": {
                    "mesa": version.agreement.mesa.slug,
                    "label": version.agreement.label,
                },
                "sanctioned_on": iso(version.sanctioned_on),
                "sanction_document": version.sanction_document or None,
            },
            "total": shown.total,
            "objectives": [
                {
                    "code": o.code,
                    "title": o.title,
                    "indicators": [
                        {
                            "code": i.code,
                            "name": i.name,
                            "kind": i.kind.value,
                            "unit": i.unit,
                            "direction": i.direction.value,
                            "source": i.source,
                            "baseline": {
                                "value": _number(i.baseline_value),
                                "date": iso(i.baseline_on),
                                "source": i.baseline_source,
                            },
                            "targets": [
                                {"year": t.year, "value": _number(t.value)} for t in i.targets
                            ],
                            "measurements": [
                                {
                                    "date": iso(m.measured_on),
                                    "value": _number(m.value),
                                    "source": m.source,
                                    "evidence": m.evidence_url or None,
                                }
                                for m in i.measurements
                            ],
                        }
                        for i in o.indicators
                    ],
                }
                for o in shown.objectives
            ],
        }
    )
