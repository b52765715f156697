"""The write API as the plan module uses it: it reads the portfolio and checks it against the
published JSON Schema, writes the plan's matrix back with its key, records a measurement and
reports execution; each write is one transaction in the change log with the key's name; a key
of another territory or kind is refused (403), a revoked one too (401), and a refused write
keeps nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator, FormatChecker

from portal.accounts.models import User
from portal.api import tokens
from portal.api.models import ApiToken, ApiWrite
from portal.audit.models import AuditEntry
from portal.extensions import db as _db
from portal.initiatives.models import Initiative, Revision, Stage, Status
from portal.places.models import Territory
from portal.plans import importing
from portal.plans.models import Measurement
from portal.portfolios.models import FundingExecution, LineFunding
from tests.conftest import savepoint

LIMARI = "limari-choapa"


@pytest.fixture(scope="module")
def seeded(demo):  # type: ignore[no-untyped-def]
    return demo


@pytest.fixture
def api(app: Flask, seeded) -> Iterator[FlaskClient]:  # type: ignore[no-untyped-def]
    with savepoint(app, seeded):
        yield app.test_client()


def key(*scopes: str, territory: str = LIMARI) -> tuple[ApiToken, dict[str, str]]:
    admin = _db.session.scalars(sa.select(User).where(User.is_admin.is_(True))).first()
    place = _db.session.scalars(sa.select(Territory).where(Territory.slug == territory)).one()
    found, token = tokens.create(
        "Módulo del plan, GORE Coquimbo", place, list(scopes), "Convenio", admin
    )
    _db.session.commit()
    return found, {"Authorization": f"Bearer {token}"}


def test_the_plan_module_reads_the_portfolio_and_writes_the_plan_back(api):
    schema = api.get("/api/v1/schemas/portfolio.json").json
    portfolio = api.get(f"/api/v1/territories/{LIMARI}/portfolio").json
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(portfolio)

    found, headers = key("plan")
    territory = _db.session.scalars(sa.select(Territory).where(Territory.slug == LIMARI)).one()
    matrix = json.loads(importing.example(territory))
    matrix["objectives"][0]["title"] = "Agua segura para las familias crianceras"
    answer = api.post(f"/api/v1/territories/{LIMARI}/plan", json=matrix, headers=headers)
    assert answer.status_code == 200, answer.json
    assert answer.json["objectives"]["updated"] + answer.json["objectives"]["added"] >= 1
    written = _db.session.scalars(sa.select(ApiWrite)).one()
    assert (written.token_name, written.action) == ("Módulo del plan, GORE Coquimbo", "plan.import")
    logged = _db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.table_name == "api_writes")
    ).one()
    assert json.loads(logged.data)["token_name"] == "Módulo del plan, GORE Coquimbo"
    # Only its fingerprint is kept.
    assert _db.session.scalar(sa.select(ApiToken.token_hash)) == found.token_hash
    assert headers["Authorization"].split()[1] not in found.token_hash

    # The admin revokes the key: it no longer writes.
    tokens.revoke(found, "El convenio terminó", written and found.created_by)
    _db.session.commit()
    refused = api.post(f"/api/v1/territories/{LIMARI}/plan", json=matrix, headers=headers)
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "unauthorized"
    assert "Una clave revocada ya no sirve." in refused.json["error"]["message"]


def test_a_key_writes_only_for_its_territory_and_what_it_may(api):
    _found, headers = key("measurements")
    body = {
        "objective": "OE1",
        "indicator": "I1.1",
        "date": "2026-11-30",
        "value": "52.5",
        "source": "INE",
    }
    plan = api.post(f"/api/v1/territories/{LIMARI}/plan", json={}, headers=headers)
    assert plan.status_code == 403
    assert plan.json["error"]["message"] == "Esta clave no puede hacer este tipo de escritura."
    elsewhere = api.post("/api/v1/territories/arauco/plan/measurements", json=body, headers=headers)
    assert elsewhere.status_code == 403
    assert elsewhere.json["error"]["message"] == "Esta clave escribe para otro territorio."
    nobody = api.post(f"/api/v1/territories/{LIMARI}/plan/measurements", json=body)
    assert nobody.status_code == 401
    forged = api.post(
        f"/api/v1/territories/{LIMARI}/plan/measurements",
        json=body,
        headers={"Authorization": "Bearer pmt_inventada"},
    )
    assert forged.status_code == 401


def test_a_measurement_is_recorded_and_a_bad_one_says_what_to_fix(api):
    _found, headers = key("measurements")
    url = f"/api/v1/territories/{LIMARI}/plan/measurements"
    before = _db.session.scalar(sa.select(sa.func.count(Measurement.id)))
    bad = api.post(
        url,
        json={
            "objective": "OE1",
            "indicator": "I1.1",
            "date": "30-11-2026",
            "value": "52,5",
            "source": "INE",
        },
        headers=headers,
    )
    assert bad.status_code == 422
    assert bad.json["error"]["code"] == "refused"
    assert "fecha" in bad.json["error"]["message"]
    unknown = api.post(
        url,
        json={
            "objective": "OE1",
            "indicator": "I9.9",
            "date": "2026-11-30",
            "value": 1,
            "source": "INE",
        },
        headers=headers,
    )
    assert unknown.status_code == 422
    assert "no tiene el indicador «I9.9» en el objetivo «OE1»" in unknown.json["error"]["message"]
    not_json = api.post(url, data="{nada", headers={**headers, "Content-Type": "application/json"})
    assert not_json.status_code == 400
    assert _db.session.scalar(sa.select(sa.func.count(Measurement.id))) == before
    assert _db.session.scalar(sa.select(sa.func.count(ApiWrite.id))) == 0
    good = api.post(
        url,
        json={
            "objective": "OE1",
            "indicator": "I1.1",
            "date": "2026-11-30",
            "value": "52.5",
            "source": "INE, Censo",
        },
        headers=headers,
    )
    assert good.status_code == 201, good.json
    assert good.json["value"] == "52.5" and good.json["indicator"] == "I1.1"
    plan = api.get(f"/api/v1/territories/{LIMARI}/plan").json
    indicator = next(i for o in plan["objectives"] for i in o["indicators"] if i["code"] == "I1.1")
    assert {
        "date": "2026-11-30",
        "value": "52.5",
        "source": "INE, Censo",
        "evidence": None,
    } in indicator["measurements"]


def _approved_line() -> tuple[Initiative, LineFunding]:
    funding = _db.session.scalars(
        sa.select(LineFunding).where(LineFunding.approval.has()).order_by(LineFunding.id)
    ).first()
    assert funding is not None, "the demo approves some money"
    return funding.line.initiative, funding


def test_execution_is_reported_and_never_above_what_was_approved(api, clock_at):
    _found, headers = key("execution")
    initiative, funding = _approved_line()
    year = funding.approval.budget_year
    clock_at(
        dt.datetime(year, 6, 1, 15, tzinfo=dt.UTC)
    )  # execution is reported for a year under way
    url = f"/api/v1/initiatives/{initiative.id}/execution"
    too_much = {
        "stage": "execution",
        "executed": [
            {"source": funding.source.value, "year": year, "amount": funding.approval.amount + 1}
        ],
    }
    refused = api.post(url, json=too_much, headers=headers)
    assert refused.status_code == 422
    assert "Lo ejecutado no puede pasar el monto aprobado" in refused.json["error"]["message"]
    _db.session.refresh(initiative)
    assert initiative.stage != Stage.EXECUTION  # nothing of the refused write is kept
    missing = api.post(
        url, json={"executed": [{"source": funding.source.value, "year": year}]}, headers=headers
    )
    assert missing.status_code == 422 and missing.json["error"]["message"] == "Falta «amount»."
    good = {
        "stage": "execution",
        "executed": [{"source": funding.source.value, "year": year, "amount": 1_000_000}],
    }
    answer = api.post(url, json=good, headers=headers)
    assert answer.status_code == 200, answer.json
    assert answer.json == {
        "initiative": initiative.id,
        "stage": "execution",
        "executed": [{"source": funding.source.value, "year": year, "amount": 1_000_000}],
    }
    executed = _db.session.scalars(
        sa.select(FundingExecution).where(FundingExecution.funding_id == funding.id)
    ).all()
    assert [e.amount for e in executed][-1] == 1_000_000
    revision = _db.session.scalars(
        sa.select(Revision)
        .where(Revision.initiative_id == initiative.id)
        .order_by(Revision.id.desc())
    ).first()
    assert revision.reason == "Informado por Módulo del plan, GORE Coquimbo"


def test_writes_are_limited_per_key(api):
    _found, headers = key("measurements")
    url = f"/api/v1/territories/{LIMARI}/plan/measurements"
    statuses = [api.post(url, data="x", headers=headers).status_code for _ in range(61)]
    assert statuses[:60] == [400] * 60 and statuses[60] == 429


def test_an_ended_initiative_no_longer_changes_its_stage(api):
    _found, headers = key("execution")
    initiative, _funding = _approved_line()
    initiative.status = Status.WITHDRAWN
    _db.session.commit()
    refused = api.post(
        f"/api/v1/initiatives/{initiative.id}/execution",
        json={"stage": "finished"},
        headers=headers,
    )
    assert refused.status_code == 409 and refused.json["error"]["code"] == "conflict"
    assert refused.json["error"]["message"] == ("Esta iniciativa terminó; ya no se puede cambiar.")
