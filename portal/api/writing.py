"""What the write API does, as services: each write checked and carried out in the caller's
transaction, with its line in the change log carrying the key's name (``tokens.record``). A
refusal says what to fix; the route rolls everything back then."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from portal.api import tokens
from portal.api.models import ApiToken
from portal.core.refusals import INVALID, Refused
from portal.extensions import db
from portal.initiatives import services as initiatives
from portal.initiatives.models import FundingSource, Initiative, Stage
from portal.places.models import Territory
from portal.plans import importing
from portal.plans.models import Measurement
from portal.portfolios import money
from portal.portfolios.models import LineFunding, PortfolioLine

EXECUTION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "An initiative's stage and the money executed each year, by source",
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        "stage": {"enum": [s.value for s in Stage]},
        "reason": {"type": "string", "maxLength": 500},
        "executed": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["source", "year", "amount"],
                "properties": {
                    "source": {"enum": [s.value for s in FundingSource]},
                    "year": {"type": "integer", "minimum": 1900, "maximum": 2100},
                    "amount": {"type": "integer", "minimum": 0, "maximum": 10**15},
                    "note": {"type": "string", "maxLength": 500},
                },
            },
        },
    },
}
_EXECUTION = Draft202012Validator(EXECUTION_SCHEMA)


def import_plan(territory: Territory, data: object, token: ApiToken) -> importing.Imported:
    result = importing.import_plan(territory, data, None)
    tokens.record(token, "plan.import", territory, summary=result.summary())
    return result


def record_measurement(territory: Territory, data: object, token: ApiToken) -> Measurement:
    measurement = importing.record_measurement(territory, data, None)
    tokens.record(
        token,
        "measurement.record",
        measurement,
        indicator=measurement.indicator.code,
        date=measurement.measured_on.isoformat(),
        value=str(measurement.value),
    )
    return measurement


def _explain(error: ValidationError) -> str:
    path = [str(p) for p in error.absolute_path if not isinstance(p, int)]
    field = path[-1] if path else ""
    if error.validator == "required":
        missing = next((n for n in error.validator_value if n not in error.instance), "")
        return _("“%(name)s” is missing.", name=missing)
    if error.validator == "additionalProperties":
        return _("Only stage, reason and executed (source, year, amount, note) are read.")
    if error.validator == "minProperties":
        return _("Send the stage, the money executed, or both.")
    if error.validator == "enum":
        options = ", ".join(str(o) for o in error.validator_value)
        return _("“%(name)s” must be one of: %(options)s.", name=field, options=options)
    if field == "year":
        return _("“year” is a year, written as a number, such as 2026.")
    if field == "amount":
        return _("“amount” is the money executed, in whole pesos, as a number without points.")
    return _("“%(name)s” is not written as expected.", name=field or "executed")


def _funding(initiative: Initiative, source: str) -> LineFunding | None:
    """The initiative's money from ``source`` in the latest version of a portfolio."""
    return db.session.scalar(
        sa.select(LineFunding)
        .join(PortfolioLine, PortfolioLine.id == LineFunding.line_id)
        .where(
            PortfolioLine.initiative_id == initiative.id,
            PortfolioLine.version_id.in_(money.latest_versions()),
            LineFunding.source == FundingSource(source),
        )
        .order_by(LineFunding.id.desc())
        .limit(1)
    )


def report_execution(initiative: Initiative, data: object, token: ApiToken) -> dict[str, Any]:
    """An initiative's stage (a change kept as a revision on its timeline, with the key's
    name as its reason unless one is sent), and the money executed each year from each source
    on its line of the portfolio (a later report for a year corrects the earlier)."""
    errors = sorted(_EXECUTION.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise Refused(_explain(errors[0]), INVALID)
    assert isinstance(data, dict)
    if "stage" in data:
        reason = (data.get("reason") or "").strip() or _("Reported by %(name)s", name=token.name)
        initiatives.set_stage(initiative, Stage(data["stage"]), reason, None)
    reported = []
    for item in data.get("executed", []):
        funding = _funding(initiative, item["source"])
        if funding is None:
            raise Refused(
                _(
                    "The initiative has no money from “%(source)s” in a portfolio: only money"
                    " approved on its line is executed.",
                    source=item["source"],
                ),
                INVALID,
            )
        execution = money.report_execution(
            funding, item["year"], item["amount"], item.get("note", ""), None
        )
        reported.append(
            {"source": item["source"], "year": execution.year, "amount": execution.amount}
        )
    tokens.record(
        token, "execution.report", initiative, stage=initiative.stage.value, executed=reported
    )
    return {"initiative": initiative.id, "stage": initiative.stage.value, "executed": reported}
