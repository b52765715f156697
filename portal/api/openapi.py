"""The API's OpenAPI 3.1 document, served at ``/api/v1/openapi.json`` and drawn on by the
``/datos`` page. Enumerations come from the models' own enums, and the portfolio's shape from
``schemas/portfolio.json``, so the document cannot drift from what the code decides; the tests
check every answer against it (schemathesis)."""

from __future__ import annotations

import enum
import json
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.api import bp, writing
from portal.api.paging import LIMIT, LIMIT_MAX
from portal.api.portfolios import SCHEMA as PORTFOLIO_SCHEMA
from portal.api.responses import respond
from portal.commitments.models import CommitmentStatus, EvidenceKind
from portal.commitments.states import State
from portal.convenios.models import ConvenioKind
from portal.initiatives.models import (
    BeneficiaryUnit,
    EvaluationMethod,
    EvaluationResult,
    FundingSource,
    InitiativeKind,
    Ownership,
    Stage,
    Status,
)
from portal.meetings.models import AgreementStatus, DecisionMode, MeetingKind, Modality
from portal.mesas.models import (
    ActorType,
    MesaKind,
    MesaStatus,
    OrganizationKind,
    QuorumRule,
    Role,
)
from portal.places.models import TerritoryPhase, TerritoryStatus
from portal.plans import importing
from portal.plans.models import Direction, IndicatorKind, PeriodKind
from portal.rounds.models import Method, RoundStatus

VERSION = "1.0.0"
LICENCE = {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/deed.es"}

# -- Schema shorthand -----------------------------------------------------------------------

Schema = dict[str, Any]


def _maybe(schema: Schema) -> Schema:
    """The schema, or null."""
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    return {**schema, "type": [schema["type"], "null"]}


STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
NUMBER: Schema = {"type": "number"}
BOOLEAN: Schema = {"type": "boolean"}
DATE: Schema = {"type": "string", "format": "date"}
TIME: Schema = {"type": "string", "format": "date-time"}
PATH: Schema = {"type": "string", "description": _l("A path on this portal (a web page or file).")}
PESOS: Schema = {"type": "integer", "minimum": 0, "description": _l("Whole Chilean pesos.")}


def one_of(kind: type[enum.Enum]) -> Schema:
    return {"enum": [member.value for member in kind]}


def obj(properties: dict[str, Schema], description: str = "") -> Schema:
    """An object with exactly these properties, all present (absent values are null)."""
    schema: Schema = {
        "type": "object",
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
    }
    if description:
        schema["description"] = description
    return schema


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


# -- The resources --------------------------------------------------------------------------

ORG_REF = obj({"id": INTEGER, "name": STRING, "actor_type": one_of(ActorType)})

SCORE = obj(
    {
        "received": INTEGER,
        "fulfilled_on_time": INTEGER,
        "fulfilled_late": INTEGER,
        "overdue": INTEGER,
        "open_on_time": INTEGER,
        "partly_fulfilled": INTEGER,
        "not_fulfilled": INTEGER,
        "cancelled": INTEGER,
        "average_delay_days": _maybe(NUMBER),
        "with_update": INTEGER,
        "median_days_to_first_update": _maybe(NUMBER),
    }
)


def _portfolio() -> Schema:
    schema = json.loads(PORTFOLIO_SCHEMA.read_text(encoding="utf-8"))
    schema.pop("$schema", None)
    schema.pop("$id", None)
    return schema


def _schemas() -> dict[str, Schema]:
    measurement = obj({"date": DATE, "value": STRING, "source": STRING, "evidence": _maybe(STRING)})
    indicator = obj(
        {
            "code": STRING,
            "name": STRING,
            "kind": one_of(IndicatorKind),
            "unit": STRING,
            "direction": one_of(Direction),
            "source": STRING,
            "baseline": obj({"value": STRING, "date": DATE, "source": STRING}),
            "targets": array(obj({"year": INTEGER, "value": STRING})),
            "measurements": array(measurement),
        },
        _l("Numbers are decimal strings, exact as recorded."),
    )
    return {
        "Error": obj(
            {
                "error": obj(
                    {
                        "status": INTEGER,
                        "code": STRING,
                        "message": {"type": "string", "description": _l("A sentence for people.")},
                    }
                )
            }
        ),
        "OrganizationRef": ORG_REF,
        "Territory": obj(
            {
                "code": STRING,
                "name": STRING,
                "region": obj({"code": STRING, "name": STRING}),
                "phase": one_of(TerritoryPhase),
                "status": one_of(TerritoryStatus),
                "comunas": array(obj({"cut": STRING, "name": STRING})),
            }
        ),
        "Plan": obj(
            {
                "territory": obj({"code": STRING, "name": STRING}),
                "state": {"enum": ["in_force", "awaiting_sanction", "proposal"]},
                "period": _maybe(
                    obj(
                        {
                            "kind": one_of(PeriodKind),
                            "first_year": INTEGER,
                            "last_year": INTEGER,
                        }
                    )
                ),
                "version": _maybe(
                    obj(
                        {
                            "number": INTEGER,
                            "reason": STRING,
                            "agreed_on": DATE,
                            "agreement": obj({"mesa": STRING, "label": STRING}),
                            "sanctioned_on": _maybe(DATE),
                            "sanction_document": _maybe(STRING),
                        }
                    )
                ),
                "total": _maybe(PESOS),
                "objectives": array(
                    obj({"code": STRING, "title": STRING, "indicators": array(indicator)})
                ),
            }
        ),
        "Portfolio": _portfolio(),
        "Mesa": obj(
            {
                "id": {"type": "string", "description": _l("The mesa's code (as in its address).")},
                "name": STRING,
                "classification": one_of(MesaKind),
                "theme": _maybe(STRING),
                "area_id": _maybe(STRING),
                "region": _maybe(STRING),
                "status": one_of(MesaStatus),
                "status_since": DATE,
                "founding_date": _maybe(DATE),
                "pre_existing": BOOLEAN,
                "quorum_rule": one_of(QuorumRule),
                "url": PATH,
            },
            _l("A mesa as a Popolo organization; area_id is its territory's code."),
        ),
        "Organization": obj(
            {
                "id": INTEGER,
                "name": STRING,
                "short_name": _maybe(STRING),
                "classification": one_of(OrganizationKind),
                "actor_type": one_of(ActorType),
                "comuna": _maybe(STRING),
                "website": _maybe(STRING),
            },
            _l("An institution or organization (Popolo organization); comuna is a CUT code."),
        ),
        "Membership": obj(
            {
                "id": INTEGER,
                "organization_id": STRING,
                "on_behalf_of": _maybe(ref("OrganizationRef")),
                "actor_type": one_of(ActorType),
                "role": one_of(Role),
                "is_delegate": BOOLEAN,
                "start_date": DATE,
                "end_date": _maybe(DATE),
                "person": _maybe(obj({"name": STRING})),
            },
            _l(
                "A seat at a mesa (Popolo membership). The person is named only for the roles the "
                "public pages name: chair, secretary and a public service's representative."
            ),
        ),
        "Session": obj(
            {
                "id": INTEGER,
                "name": STRING,
                "mesa": STRING,
                "number": INTEGER,
                "classification": one_of(MeetingKind),
                "start_time": TIME,
                "end_time": TIME,
                "timezone": STRING,
                "status": {"enum": ["confirmed", "passed", "cancelled"]},
                "cancellation_reason": _maybe(STRING),
                "modality": one_of(Modality),
                "location": _maybe(obj({"name": STRING})),
                "agenda": array(
                    obj(
                        {
                            "order": INTEGER,
                            "description": STRING,
                            "initiative_id": _maybe(INTEGER),
                        }
                    )
                ),
                "record": _maybe(
                    obj({"published_at": _maybe(TIME), "approved_on": _maybe(DATE), "url": PATH})
                ),
                "url": PATH,
            },
            _l("A session as an Open Civic Data event; record is its published acta."),
        ),
        "Agreement": obj(
            {
                "id": INTEGER,
                "identifier": STRING,
                "organization_id": STRING,
                "session_id": INTEGER,
                "date": DATE,
                "text": STRING,
                "decision_mode": one_of(DecisionMode),
                "dissent": _maybe(STRING),
                "status": one_of(AgreementStatus),
                "status_reason": _maybe(STRING),
                "replaced_by": _maybe(INTEGER),
                "review_on": _maybe(DATE),
                "initiative_ids": array(INTEGER),
                "vote_event": _maybe(
                    obj(
                        {
                            "start_date": DATE,
                            "result": {"enum": ["pass"]},
                            "counts": array(
                                obj(
                                    {
                                        "option": {"enum": ["yes", "no", "abstain"]},
                                        "value": INTEGER,
                                    }
                                )
                            ),
                        }
                    )
                ),
                "url": PATH,
            },
            _l("An agreement of a published acta, as a Popolo motion with its vote event."),
        ),
        "Initiative": obj(
            {
                "id": INTEGER,
                "title": STRING,
                "summary": STRING,
                "kind": one_of(InitiativeKind),
                "ownership": one_of(Ownership),
                "status": one_of(Status),
                "stage": one_of(Stage),
                "territory": STRING,
                "mesa": STRING,
                "gaps": array(STRING),
                "objective": _maybe(STRING),
                "comunas": array(STRING),
                "localities": _maybe(STRING),
                "beneficiaries": _maybe(INTEGER),
                "beneficiary_unit": _maybe(one_of(BeneficiaryUnit)),
                "estimated_cost": _maybe(PESOS),
                "funding": array(
                    obj(
                        {
                            "source": one_of(FundingSource),
                            "ministry": _maybe(STRING),
                            "amount": PESOS,
                        }
                    )
                ),
                "responsible": _maybe(ref("OrganizationRef")),
                "proposing_organization": _maybe(ref("OrganizationRef")),
                "bip_code": _maybe(STRING),
                "evaluation_method": _maybe(one_of(EvaluationMethod)),
                "evaluation_result": one_of(EvaluationResult),
                "created_at": TIME,
                "updated_at": TIME,
                "url": PATH,
            }
        ),
        "Round": obj(
            {
                "id": INTEGER,
                "title": STRING,
                "mesa": STRING,
                "method": one_of(Method),
                "budget": _maybe(PESOS),
                "status": one_of(RoundStatus),
                "secret": BOOLEAN,
                "by_tally": BOOLEAN,
                "imported": BOOLEAN,
                "opened_at": TIME,
                "closed_at": _maybe(TIME),
                "cancelled_at": _maybe(TIME),
                "cancel_reason": _maybe(STRING),
                "agreement_id": _maybe(INTEGER),
                "items": array(
                    obj(
                        {
                            "initiative_id": INTEGER,
                            "title": STRING,
                            "cost": _maybe(PESOS),
                            "rank": _maybe(INTEGER),
                            "score": _maybe(
                                {"type": "string", "description": _l("Exact: an integer or n/d.")}
                            ),
                            "selected_greedy": _maybe(BOOLEAN),
                            "selected_equal_shares": _maybe(BOOLEAN),
                        }
                    )
                ),
                "pabulib": _maybe(PATH),
                "url": PATH,
            },
            _l(
                "A prioritization round; a closed one has its ranking and selections, and its "
                "ballots as a Pabulib file."
            ),
        ),
        "Convenio": obj(
            {
                "id": INTEGER,
                "kind": one_of(ConvenioKind),
                "title": STRING,
                "purpose": _maybe(STRING),
                "territory": STRING,
                "signed_on": DATE,
                "starts_on": DATE,
                "ends_on": _maybe(DATE),
                "renewal_on": _maybe(DATE),
                "document": STRING,
                "agreement_id": _maybe(INTEGER),
                "parties": array(
                    obj(
                        {
                            "organization": ref("OrganizationRef"),
                            "signatory_role": STRING,
                            "amount": _maybe(PESOS),
                            "in_kind": BOOLEAN,
                            "contribution": _maybe(STRING),
                        }
                    )
                ),
                "initiative_ids": array(INTEGER),
                "url": PATH,
            }
        ),
        "Commitment": obj(
            {
                "id": INTEGER,
                "deliverable": STRING,
                "institution": ref("OrganizationRef"),
                "office": _maybe(STRING),
                "territory": _maybe(STRING),
                "mesa": STRING,
                "session_id": INTEGER,
                "agreement_id": _maybe(INTEGER),
                "amount": _maybe(PESOS),
                "committed_on": DATE,
                "original_due_on": DATE,
                "due_on": DATE,
                "state": one_of(State),
                "status_reason": _maybe(STRING),
                "progress": _maybe(INTEGER),
                "reported_done_on": _maybe(DATE),
                "done_on": _maybe(DATE),
                "initiative_ids": array(INTEGER),
                "comunas": array(STRING),
                "milestones": array(
                    obj({"description": STRING, "due_on": DATE, "reached_on": _maybe(DATE)})
                ),
                "due_date_changes": array(
                    obj({"from": DATE, "to": DATE, "reason": STRING, "at": TIME})
                ),
                "updates": array(
                    obj(
                        {
                            "reported_on": DATE,
                            "text": STRING,
                            "percent": _maybe(INTEGER),
                            "done_on": _maybe(DATE),
                            "evidence": array(
                                obj(
                                    {
                                        "kind": one_of(EvidenceKind),
                                        "title": _maybe(STRING),
                                        "url": STRING,
                                    }
                                )
                            ),
                        }
                    )
                ),
                "validation": _maybe(
                    obj(
                        {
                            "outcome": one_of(CommitmentStatus),
                            "done_on": _maybe(DATE),
                            "session_id": _maybe(INTEGER),
                            "agreement_id": _maybe(INTEGER),
                            "note": _maybe(STRING),
                            "at": TIME,
                        }
                    )
                ),
                "url": PATH,
            },
            _l(
                "A public commitment with its timeline. Its state is read on today's date in Chile."
            ),
        ),
        "Scorecard": obj(
            {
                "organization": ref("OrganizationRef"),
                "total": SCORE,
                "territories": array(
                    {
                        **SCORE,
                        "properties": {"territory": _maybe(STRING), **SCORE["properties"]},
                        "required": ["territory", *SCORE["required"]],
                    }
                ),
                "url": PATH,
            }
        ),
        "Measurement": obj(
            {
                "id": INTEGER,
                "objective": STRING,
                "indicator": STRING,
                "date": DATE,
                "value": STRING,
                "source": STRING,
                "evidence": _maybe(STRING),
            }
        ),
        "ExecutionReport": obj(
            {
                "initiative": INTEGER,
                "stage": one_of(Stage),
                "executed": array(
                    obj({"source": one_of(FundingSource), "year": INTEGER, "amount": PESOS})
                ),
            }
        ),
        "PlanImport": obj(
            {
                "objectives": obj({"added": INTEGER, "updated": INTEGER}),
                "indicators": obj({"added": INTEGER, "updated": INTEGER}),
                "targets_set": INTEGER,
                "measurements": obj({"added": INTEGER, "known": INTEGER}),
                "summary": STRING,
            },
            _l(
                "What the matrix sent changed. The mesa territorial agrees it as a version of the"
                " plan in a session; a system cannot agree for a mesa."
            ),
        ),
        "GapCoverage": obj(
            {
                "territory": obj({"code": STRING, "name": STRING}),
                "dimensions": array(
                    obj(
                        {
                            "code": STRING,
                            "name": STRING,
                            "active": BOOLEAN,
                            "initiatives": INTEGER,
                            "planned": PESOS,
                            "approved": PESOS,
                            "executed": PESOS,
                            "commitments_fulfilled": INTEGER,
                            "commitments_overdue": INTEGER,
                        }
                    )
                ),
            },
            _l(
                "Per gap dimension of the lag index: the territory's initiatives that address it "
                "(neither drafts nor withdrawn nor discarded), the money they plan, what sources "
                "approved and executed on the lines of each portfolio's latest version, and their "
                "public commitments fulfilled and overdue. An initiative with two dimensions "
                "counts in both."
            ),
        ),
    }


# -- The operations -------------------------------------------------------------------------


def _parameter(name: str, schema: Schema, description: str, where: str = "query") -> Schema:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema,
    }


PAGING = [
    _parameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX, "default": LIMIT},
        _l("How many items a page holds."),
    ),
    _parameter("cursor", STRING, _l("Where the page starts: the cursor of the previous `next`.")),
]
TERRITORY = _parameter("territory", STRING, _l("A territory's code (see /territories)."))
MESA = _parameter("mesa", STRING, _l("A mesa's code (see /mesas)."))
CODE = _parameter("code", STRING, _l("The territory's code."), "path")


def _answer(description: str, schema: Schema) -> Schema:
    return {
        "description": description,
        "headers": {
            "ETag": {"schema": STRING},
            "Last-Modified": {"schema": STRING},
        },
        "content": {"application/json": {"schema": schema}},
    }


ERROR = {"content": {"application/json": {"schema": ref("Error")}}}
NOT_MODIFIED = {"description": _l("The copy the client holds (If-None-Match) is still good.")}


def _get(
    summary: str,
    schema: Schema,
    parameters: list[Schema] | None = None,
    *,
    errors: tuple[int, ...] = (),
    tag: str,
) -> Schema:
    responses: dict[str, Schema] = {
        "200": _answer(summary, schema),
        "304": NOT_MODIFIED,
    }
    for status in errors:
        text = {400: _l("A parameter is wrong; the message says which."), 404: _l("Not found.")}
        responses[str(status)] = {"description": text[status], **ERROR}
    return {
        "get": {
            "summary": summary,
            "tags": [tag],
            "parameters": parameters or [],
            "responses": responses,
        }
    }


WRITE_ERRORS = {
    "400": _l("The body is not JSON."),
    "401": _l("No key, or a key that is unknown or revoked."),
    "403": _l("The key writes for another territory, or may not do this kind of write."),
    "404": _l("Not found."),
    "409": _l("A rule of the record stands in the way; the message says which."),
    "413": _l("The body is too large."),
    "422": _l("The body breaks the format or a rule; the message says where and what to fix."),
    "429": _l("Too many writes in a minute with this key."),
}


def _post(
    summary: str, body: Schema, answer: Schema, parameters: list[Schema], *, created: bool = False
) -> Schema:
    """A write: with a key (Authorization: Bearer), a JSON body, one transaction."""
    responses: dict[str, Schema] = {
        "201" if created else "200": {
            "description": summary,
            "content": {"application/json": {"schema": answer}},
        }
    }
    for status, text in WRITE_ERRORS.items():
        responses[status] = {"description": text, **ERROR}
    return {
        "summary": summary,
        "tags": ["writes"],
        "security": [{"writeKey": []}],
        "parameters": parameters,
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
        "responses": responses,
    }


def _body(schema: Schema) -> Schema:
    """A JSON Schema of the portal's, as a request body (without its own dialect line)."""
    return {k: v for k, v in schema.items() if k != "$schema"}


def _list(name: str) -> Schema:
    return obj(
        {
            "data": array(ref(name)),
            "next": _maybe(
                {"type": "string", "description": _l("The next page, or null on the last.")}
            ),
        }
    )


def _paths() -> dict[str, Schema]:
    listing: dict[str, Any] = {"errors": (400,)}
    paths = {
        "/api/v1/territories": _get(
            _l("Every territory with its region and comunas (CUT codes)"),
            obj({"data": array(ref("Territory"))}),
            tag="territories",
        ),
        "/api/v1/territories/{code}/plan": _get(
            _l("The territory's plan as the public reads it"),
            ref("Plan"),
            [CODE],
            errors=(404,),
            tag="plan",
        ),
        "/api/v1/territories/{code}/portfolio": _get(
            _l("The territory's current portfolio (latest version of its newest portfolio)"),
            ref("Portfolio"),
            [CODE],
            errors=(404,),
            tag="portfolios",
        ),
        "/api/v1/portfolios/{portfolio_id}/versions/{number}": _get(
            _l("A version of a portfolio"),
            ref("Portfolio"),
            [
                _parameter("portfolio_id", INTEGER, _l("The portfolio's id."), "path"),
                _parameter("number", INTEGER, _l("The version's number, from 1."), "path"),
            ],
            errors=(404,),
            tag="portfolios",
        ),
        "/api/v1/territories/{code}/gap-coverage": _get(
            _l("How the territory's work covers each gap dimension of the lag index"),
            ref("GapCoverage"),
            [CODE],
            errors=(404,),
            tag="index",
        ),
        "/api/v1/mesas": _get(
            _l("The mesas"),
            _list("Mesa"),
            [
                TERRITORY,
                _parameter("kind", one_of(MesaKind), _l("The kind of mesa.")),
                _parameter("status", one_of(MesaStatus), _l("Its status.")),
                *PAGING,
            ],
            **listing,
            tag="mesas",
        ),
        "/api/v1/organizations": _get(
            _l("Institutions and organizations"),
            _list("Organization"),
            [
                _parameter("kind", one_of(OrganizationKind), _l("The kind of organization.")),
                _parameter("actor_type", one_of(ActorType), _l("Public, private, social...")),
                *PAGING,
            ],
            **listing,
            tag="mesas",
        ),
        "/api/v1/organizations/{org_id}/scorecard": _get(
            _l("How an institution keeps its public commitments"),
            ref("Scorecard"),
            [_parameter("org_id", INTEGER, _l("The organization's id."), "path")],
            errors=(404,),
            tag="commitments",
        ),
        "/api/v1/memberships": _get(
            _l("Seats at the mesas, by organization"),
            _list("Membership"),
            [
                MESA,
                _parameter("organization", INTEGER, _l("An organization's id.")),
                _parameter(
                    "current", {"enum": ["true", "false"]}, _l("Only current or past seats.")
                ),
                *PAGING,
            ],
            **listing,
            tag="mesas",
        ),
        "/api/v1/sessions": _get(
            _l("Sessions of the mesas"),
            _list("Session"),
            [
                TERRITORY,
                MESA,
                _parameter("since", DATE, _l("Sessions on or after this date.")),
                _parameter("until", DATE, _l("Sessions on or before this date.")),
                *PAGING,
            ],
            **listing,
            tag="mesas",
        ),
        "/api/v1/agreements": _get(
            _l("Agreements of published actas"),
            _list("Agreement"),
            [TERRITORY, MESA, *PAGING],
            **listing,
            tag="mesas",
        ),
        "/api/v1/initiatives": _get(
            _l("Initiatives (not drafts)"),
            _list("Initiative"),
            [
                TERRITORY,
                MESA,
                _parameter(
                    "status",
                    {"enum": [s.value for s in Status if s != Status.DRAFT]},
                    "Its status.",
                ),
                _parameter("gap", STRING, _l("A gap dimension's code.")),
                _parameter("comuna", STRING, _l("A comuna's CUT code.")),
                *PAGING,
            ],
            **listing,
            tag="initiatives",
        ),
        "/api/v1/rounds": _get(
            _l("Prioritization rounds and their results"),
            _list("Round"),
            [
                TERRITORY,
                MESA,
                _parameter("status", one_of(RoundStatus), _l("Its status.")),
                *PAGING,
            ],
            **listing,
            tag="initiatives",
        ),
        "/api/v1/convenios": _get(
            _l("Convenios and protocolos with each party's contribution"),
            _list("Convenio"),
            [TERRITORY, *PAGING],
            **listing,
            tag="portfolios",
        ),
        "/api/v1/commitments": _get(
            _l("Public commitments with their timelines"),
            _list("Commitment"),
            [
                TERRITORY,
                MESA,
                _parameter("institution", INTEGER, _l("The committed institution's id.")),
                _parameter("state", one_of(State), _l("Its state today.")),
                _parameter("comuna", STRING, _l("A comuna's CUT code.")),
                _parameter("due_from", DATE, _l("Due on or after this date.")),
                _parameter("due_to", DATE, _l("Due on or before this date.")),
                *PAGING,
            ],
            **listing,
            tag="commitments",
        ),
        "/api/v1/commitments/{commitment_id}": _get(
            _l("A public commitment with its timeline"),
            ref("Commitment"),
            [_parameter("commitment_id", INTEGER, _l("The commitment's id."), "path")],
            errors=(404,),
            tag="commitments",
        ),
        "/api/v1/schemas/portfolio.json": _get(
            _l("The JSON Schema of the portfolio contract"), {"type": "object"}, tag="portfolios"
        ),
        "/api/v1/openapi.json": _get(_l("This document"), {"type": "object"}, tag="meta"),
        "/api/v1/territories/{code}/plan/measurements": {
            "post": _post(
                _l("Record a measurement of an indicator of the plan"),
                _body(importing.MEASUREMENT_SCHEMA),
                ref("Measurement"),
                [CODE],
                created=True,
            )
        },
        "/api/v1/initiatives/{initiative_id}/execution": {
            "post": _post(
                _l("Report an initiative's stage and the money executed each year"),
                _body(writing.EXECUTION_SCHEMA),
                ref("ExecutionReport"),
                [_parameter("initiative_id", INTEGER, _l("The initiative's id."), "path")],
            )
        },
    }
    paths["/api/v1/territories/{code}/plan"]["post"] = _post(
        _l("Send the plan's working matrix, in the shape of portal reference import-plan"),
        _body(importing.PLAN_SCHEMA),
        ref("PlanImport"),
        [CODE],
    )
    return paths


def _said(value: Any) -> Any:
    """The document with its texts in the reader's language (they are written lazily)."""
    if isinstance(value, dict):
        return {key: _said(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_said(item) for item in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def document() -> Schema:
    """The OpenAPI document, its descriptions in the reader's language."""
    return _said(_document())


def _document() -> Schema:
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "Mesa portal API",
            "version": VERSION,
            "summary": _l("The public data of the mesas of Chile's lagging territories."),
            "description": _l(
                "Reading is open: no account is needed. Every answer is JSON with an ETag "
                "and a Last-Modified date (send If-None-Match to get a 304 while nothing "
                "changed), readable from any origin. Lists come a page at a time: follow "
                "`next` (also in the Link header). Ids are stable; times are ISO 8601 with "
                "their offset, dates are dates in Chile. Errors are JSON with a status, a "
                "code and a message. Writing (the plan module's matrix, measurements and"
                " execution) needs a write key for one territory, which the portal's"
                " administration creates."
            ),
            "license": {"name": LICENCE["name"], "url": LICENCE["url"]},
        },
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "writeKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": _l(
                        "A write key (pmt_…) the portal's administration creates for one"
                        " territory and some kinds of writes."
                    ),
                }
            },
        },
    }


@bp.route("/openapi.json")
def openapi():
    return respond(document())
