"""The write API, for the territory's plan module: with a key (``Authorization: Bearer
pmt_…``) scoped to one territory and some kinds of writes, it sends the plan's matrix in the
shape of ``portal reference import-plan``, records measurements, and reports an initiative's
stage and the money executed each year (``writing``). Each write is one transaction, in the
change log with the key's name; a refusal says what to fix and keeps nothing.

The matrix it sends is the working matrix: the mesa territorial agrees it as a version and
the mesa técnica regional sanctions it, in their sessions, as with any other change to the
plan. A system cannot agree for a mesa."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, jsonify, request
from flask_babel import gettext as _

from portal.api import bp, tokens, writing
from portal.api import paging as args
from portal.api.models import ApiToken
from portal.api.responses import iso
from portal.core.actions import carried_out
from portal.extensions import csrf, db, limiter
from portal.initiatives.models import Initiative
from portal.places.models import Territory
from portal.plans import importing

BODY_MAX = importing.FILE_MAX_BYTES
WRITES_PER_MINUTE = "60 per minute"


def _key() -> str:
    """Limits count per key (per address without one)."""
    header = request.headers.get("Authorization", "")
    return "key:" + tokens.digest(header) if header else "address:" + (request.remote_addr or "")


def _holder(territory: Territory, scope: str) -> ApiToken:
    kind, _sep, token = request.headers.get("Authorization", "").partition(" ")
    found = tokens.holder(token.strip()) if kind.lower() == "bearer" else None
    if found is None:
        abort(
            401,
            description=_(
                "Send a valid write key: Authorization: Bearer pmt_…. A revoked key no longer"
                " works."
            ),
        )
    if found.territory_id != territory.id:
        abort(403, description=_("This key writes for another territory."))
    if scope not in found.scope_list:
        abort(403, description=_("This key may not do this kind of write."))
    return found


def _body() -> object:
    if request.content_length is not None and request.content_length > BODY_MAX:
        abort(413)
    raw = request.get_data(cache=False)
    if len(raw) > BODY_MAX:
        abort(413)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        abort(
            400,
            description=_(
                "The body must be JSON, such as the file of portal reference import-plan."
            ),
        )


def _answer(payload: dict[str, Any], status: int = 200) -> Response:
    response = jsonify(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/territories/<code>/plan", methods=["POST"])
@csrf.exempt  # a key in a header, not a browser's cookie, is the authority here
@limiter.limit(WRITES_PER_MINUTE, key_func=_key)
def write_plan(code: str):
    territory = args.territory_or_404(code)
    token = _holder(territory, "plan")
    data = _body()
    with carried_out():
        result = writing.import_plan(territory, data, token)
    return _answer(
        {
            "objectives": {"added": result.objectives_added, "updated": result.objectives_updated},
            "indicators": {"added": result.indicators_added, "updated": result.indicators_updated},
            "targets_set": result.targets_set,
            "measurements": {
                "added": result.measurements_added,
                "known": result.measurements_known,
            },
            "summary": result.summary(),
        }
    )


@bp.route("/territories/<code>/plan/measurements", methods=["POST"])
@csrf.exempt
@limiter.limit(WRITES_PER_MINUTE, key_func=_key)
def write_measurement(code: str):
    territory = args.territory_or_404(code)
    token = _holder(territory, "measurements")
    data = _body()
    with carried_out():
        measurement = writing.record_measurement(territory, data, token)
    return _answer(
        {
            "id": measurement.id,
            "objective": measurement.indicator.objective.code,
            "indicator": measurement.indicator.code,
            "date": iso(measurement.measured_on),
            "value": format(measurement.value.normalize(), "f"),
            "source": measurement.source,
            "evidence": measurement.evidence_url or None,
        },
        201,
    )


@bp.route("/initiatives/<int:initiative_id>/execution", methods=["POST"])
@csrf.exempt
@limiter.limit(WRITES_PER_MINUTE, key_func=_key)
def write_execution(initiative_id: int):
    initiative = db.session.get(Initiative, initiative_id)
    if initiative is None or initiative.is_draft:
        abort(404)
    token = _holder(initiative.territory, "execution")
    data = _body()
    with carried_out():
        reported = writing.report_execution(initiative, data, token)
    return _answer(reported)
