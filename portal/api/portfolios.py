"""The portfolio contract: a portfolio version as the plan and index modules read it, line by
line with its money per source and what each approver decided, and a content hash of the
version. Its shape is ``schemas/portfolio.json`` (JSON Schema), published at
``/api/v1/schemas/portfolio.json``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from portal.api import bp
from portal.api import paging as args
from portal.api.responses import iso, respond
from portal.extensions import db
from portal.initiatives.models import Initiative
from portal.portfolios.models import (
    LineFunding,
    Portfolio,
    PortfolioLine,
    PortfolioStep,
    PortfolioVersion,
)

SCHEMA = Path(__file__).parent / "schemas" / "portfolio.json"


def _version(portfolio_id: int, number: int | None) -> PortfolioVersion | None:
    """The version (the latest when ``number`` is None) with everything its lines say, in a
    fixed number of queries however many lines it has."""
    lines = selectinload(PortfolioVersion.lines)
    initiative = lines.joinedload(PortfolioLine.initiative)
    query = (
        sa.select(PortfolioVersion)
        .where(PortfolioVersion.portfolio_id == portfolio_id)
        .options(
            joinedload(PortfolioVersion.portfolio).joinedload(Portfolio.territory),
            joinedload(PortfolioVersion.portfolio).joinedload(Portfolio.mesa),
            lines.selectinload(PortfolioLine.funding).options(
                joinedload(LineFunding.approval), selectinload(LineFunding.executions)
            ),
            initiative.selectinload(Initiative.gaps),
            initiative.selectinload(Initiative.comunas),
            initiative.joinedload(Initiative.objective),
            initiative.joinedload(Initiative.responsible),
            selectinload(PortfolioVersion.steps).joinedload(PortfolioStep.agreement),
        )
    )
    if number is None:
        query = query.order_by(PortfolioVersion.number.desc()).limit(1)
    else:
        query = query.where(PortfolioVersion.number == number)
    return db.session.scalar(query)


def _funding(funding: LineFunding) -> dict[str, Any]:
    approval = funding.approval
    return {
        "source": funding.source.value,
        "approver": funding.approver,
        "amount": funding.amount,
        "approval": None
        if approval is None
        else {
            "decision": approval.decision.value,
            "amount": approval.amount,
            "in_kind": approval.in_kind,
            "reason": approval.reason or None,
            "document": approval.document,
            "budget_year": approval.budget_year,
            "decided_on": iso(approval.decided_on),
        },
        "executed": [
            {"year": year, "amount": e.amount}
            for year, e in sorted(funding.executed_by_year.items())
        ],
    }


def _line(line: PortfolioLine) -> dict[str, Any]:
    i = line.initiative
    return {
        "rank": line.position,
        "initiative": {
            "id": i.id,
            "title": i.title,
            "kind": i.kind.value,
            "ownership": i.ownership.value,
            "gaps": [g.code for g in i.gaps],
            "objective": i.objective.code if i.objective is not None else None,
            "comunas": [c.code for c in i.comunas],
            "beneficiaries": i.beneficiaries,
            "beneficiary_unit": i.beneficiary_unit.value if i.beneficiary_unit else None,
            "bip_code": i.bip_code or None,
            "evaluation_result": i.evaluation_result.value,
            "responsible": None
            if i.responsible is None
            else {"id": i.responsible.id, "name": i.responsible.name},
        },
        "funding": [_funding(f) for f in line.funding],
    }


def contract(version: PortfolioVersion) -> dict[str, Any]:
    """The version as the contract says, with the SHA-256 of its canonical JSON (the content
    without the hash): the same version always hashes the same."""
    portfolio = version.portfolio
    content = {
        "portfolio": {
            "id": portfolio.id,
            "title": portfolio.title,
            "phase": portfolio.phase.value,
            "territory": portfolio.territory.slug,
            "mesa": portfolio.mesa.slug,
        },
        "version": {
            "number": version.number,
            "reason": version.reason or None,
            "created_at": iso(version.created_at),
        },
        "steps": [
            {
                "kind": s.kind.value,
                "on": iso(s.on),
                "agreement": s.agreement.label if s.agreement is not None else None,
                "observations": s.observations or None,
                "document": s.document or None,
            }
            for s in version.steps
        ],
        "lines": [_line(line) for line in version.lines],
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return {**content, "hash": "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()}


@bp.route("/territories/<code>/portfolio")
def territory_portfolio(code: str):
    """The territory's current portfolio: the latest version of its newest portfolio."""
    territory = args.territory_or_404(code)
    newest = db.session.scalar(
        sa.select(Portfolio.id)
        .where(Portfolio.territory_id == territory.id)
        .order_by(Portfolio.created_at.desc(), Portfolio.id.desc())
        .limit(1)
    )
    version = _version(newest, None) if newest is not None else None
    if version is None:
        abort(404, description=_("This territory has no portfolio yet."))
    return respond(contract(version))


@bp.route("/portfolios/<int:portfolio_id>/versions/<int:number>")
def portfolio_version(portfolio_id: int, number: int):
    version = _version(portfolio_id, number)
    if version is None:
        abort(404)
    return respond(contract(version))


@bp.route("/schemas/portfolio.json")
def portfolio_schema():
    return respond(json.loads(SCHEMA.read_text(encoding="utf-8")))
