"""The read API's first resources: territories and a territory's plan, as JSON with an ETag
(304 when unchanged), readable from any origin, and errors as JSON with a code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from jsonschema import Draft202012Validator, FormatChecker

from portal.demo import load_demo_data
from portal.initiatives.models import FundingSource
from portal.mesas.models import MesaKind
from portal.plans import services
from portal.plans.demo import load_demo_plans
from portal.plans.models import PeriodKind
from portal.portfolios.models import LineFunding, PortfolioLine, PortfolioVersion
from portal.reference.services import load_demo_objectives
from tests import factories


def test_the_territories_with_their_comunas(db, client):
    factories.demo_data(db)
    db.commit()
    answer = client.get("/api/v1/territories")
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    limari = next(t for t in answer.json["data"] if t["code"] == "limari-choapa")
    assert limari["region"] == {"code": "04", "name": "Coquimbo"}
    assert {"cut": "04302", "name": "Combarbalá"} in limari["comunas"]
    # Unchanged data: the client's copy is still good.
    again = client.get("/api/v1/territories", headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_a_territory_plan_as_the_public_reads_it(app, db, client, make_user, clock_at):
    clock_at(dt.datetime(2026, 12, 4, 15, tzinfo=dt.UTC))
    admin = make_user(is_admin=True)
    factories.demo_data(db)
    load_demo_objectives()
    load_demo_plans()
    territory = factories.demo_mesa(db, factories.GOAT_MESA).territory
    proposal = client.get("/api/v1/territories/limari-choapa/plan").json
    assert proposal["state"] == "proposal" and proposal["version"] is None
    mesa = factories.demo_mesa(db, "mesa-territorial-limari-choapa")
    assert mesa.kind == MesaKind.TERRITORIAL
    agreement = factories.agreement(db, factories.meeting(db, mesa))
    with app.test_request_context():
        plan = services.open_plan(territory, PeriodKind.TRIENNIAL, 2025, admin, 174_990_649_000)
        services.agree(plan, agreement, "", admin)
        services.sanction(plan, dt.date(2026, 3, 20), "Acta N° 4", admin)
    db.commit()
    answer = client.get("/api/v1/territories/limari-choapa/plan").json
    assert answer["state"] == "in_force"
    assert answer["period"] == {"kind": "triennial", "first_year": 2025, "last_year": 2027}
    assert answer["version"]["number"] == 1 and answer["version"]["sanctioned_on"] == "2026-03-20"
    assert answer["total"] == 174_990_649_000
    water = answer["objectives"][0]["indicators"][0]
    assert water["code"] == "I1.1" and water["baseline"]["value"] == "62"
    assert {"year": 2027, "value": "85"} in water["targets"]
    assert water["measurements"][-1]["date"] == "2025-06-30"
    assert Decimal(water["measurements"][-1]["value"]) == Decimal("71")


def test_errors_are_json_with_a_code(db, client):
    missing = client.get("/api/v1/territories/ninguno/plan")
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "not_found"
    assert missing.json["error"]["message"]
    assert client.get("/api/v1/nada").json["error"]["code"] == "not_found"
    refused = client.post("/api/v1/territories")
    assert refused.status_code in (400, 405)
    assert refused.is_json


# The portfolio contract -----------------------------------------------------------------------


def test_the_portfolio_contract_holds_its_schema_and_its_hash(db, client, count_queries):
    """The demo's portfolio, as the plan module reads it."""
    load_demo_data()
    db.commit()
    schema = client.get("/api/v1/schemas/portfolio.json").json
    answer = client.get("/api/v1/territories/limari-choapa/portfolio")
    assert answer.status_code == 200
    body = answer.json
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(body)
    assert body["portfolio"]["territory"] == "limari-choapa"
    first = body["lines"][0]
    fndr = next(f for f in first["funding"] if f["source"] == "fndr")
    assert fndr["approver"] == "Consejo Regional (CORE)"
    assert fndr["approval"]["decision"] == "approved"
    assert fndr["approval"]["document"] == "Acuerdo CORE N° 45"
    assert [s["kind"] for s in body["steps"]] == ["agreed", "reviewed"]
    # The same version hashes the same, by its current address or its own.
    again = client.get(f"/api/v1/portfolios/{body['portfolio']['id']}/versions/1").json
    assert again["hash"] == body["hash"]
    # More lines, the same queries.
    version = db.scalar(sa.select(PortfolioVersion).where(PortfolioVersion.number == 1))
    url = f"/api/v1/portfolios/{version.portfolio_id}/versions/1"
    with count_queries() as before:
        client.get(url)
    mesa = factories.demo_mesa(db, "mesa-territorial-limari-choapa")
    for n in range(5):
        initiative = factories.initiative(db, mesa, f"Más {n}", cost=10)
        line = PortfolioLine(version=version, position=10 + n, initiative=initiative)
        db.add(LineFunding(line=line, source=FundingSource.FNDR, amount=10, approver="CORE"))
    db.commit()
    with count_queries() as after:
        grown = client.get(url).json
    assert len(grown["lines"]) == len(body["lines"]) + 5
    assert after.count == before.count
    assert client.get("/api/v1/territories/arauco/portfolio").json["error"]["message"] == (
        "Este territorio aún no tiene cartera."
    )
    assert client.get("/api/v1/portfolios/999999/versions/1").status_code == 404
