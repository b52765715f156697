"""What the mesas work on: initiatives, prioritization rounds and their results (with the
Pabulib file of a closed round), convenios with what each party contributes, commitments with
their timelines, each institution's scorecard, and the coverage of the lag index's gap
dimensions that the index module reads. Lists are paged by cursor; every answer is read in a
fixed number of queries, however much data there is."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import abort, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from portal.api import bp
from portal.api import paging as args
from portal.api.records import organization_ref
from portal.api.responses import iso, respond
from portal.commitments import states
from portal.commitments.dashboards import Filters, count_if, narrowing, public_only
from portal.commitments.models import (
    Commitment,
    CommitmentStatus,
    DueDateChange,
    Evidence,
    EvidenceKind,
    ProgressUpdate,
    Validation,
    commitment_initiatives,
)
from portal.commitments.scorecards import Score, scorecard
from portal.commitments.states import State
from portal.convenios.models import Convenio, ConvenioParty
from portal.core import clock
from portal.extensions import db
from portal.initiatives.models import FundingLine, Initiative, Status, initiative_gaps
from portal.mesas.models import Mesa, Organization
from portal.places.models import Comuna, Territory
from portal.portfolios.models import (
    FundingApproval,
    FundingExecution,
    LineFunding,
    PortfolioLine,
)
from portal.portfolios.money import last_reports, latest_versions
from portal.reference.models import GapDimension
from portal.rounds import services as rounds
from portal.rounds.models import Round, RoundItem, RoundStatus

# -- Initiatives ----------------------------------------------------------------------------


def _initiative(i: Initiative) -> dict[str, Any]:
    return {
        "id": i.id,
        "title": i.title,
        "summary": i.summary,
        "kind": i.kind.value,
        "ownership": i.ownership.value,
        "status": i.status.value,
        "stage": i.stage.value,
        "territory": i.territory.slug,
        "mesa": i.mesa.slug,
        "gaps": [g.code for g in i.gaps],
        "objective": i.objective.code if i.objective is not None else None,
        "comunas": [c.code for c in i.comunas],
        "localities": i.localities or None,
        "beneficiaries": i.beneficiaries,
        "beneficiary_unit": i.beneficiary_unit.value if i.beneficiary_unit else None,
        "estimated_cost": i.estimated_cost,
        "funding": [
            {"source": f.source.value, "ministry": f.ministry or None, "amount": f.amount}
            for f in i.funding
        ],
        "responsible": organization_ref(i.responsible),
        "proposing_organization": organization_ref(i.proposing_organization),
        "bip_code": i.bip_code or None,
        "evaluation_method": i.evaluation_method.value if i.evaluation_method else None,
        "evaluation_result": i.evaluation_result.value,
        "created_at": iso(i.created_at),
        "updated_at": iso(i.updated_at),
        "url": url_for("initiatives.initiative", initiative_id=i.id),
    }


@args.listing("Initiative")
def initiative_list() -> args.Listing:
    """The initiatives anyone can read (drafts are their authors' own), with the filters of
    the territory's list: territory, mesa, status, gap dimension, comuna."""
    where = [Initiative.status != Status.DRAFT, *args.in_territory(Initiative.territory_id)]
    where += args.of_mesa(Initiative.mesa_id)
    status = args.choice("status", Status)
    if status == Status.DRAFT:
        abort(400, description=_("Drafts are their authors' own until proposed."))
    if status is not None:
        where.append(Initiative.status == status)
    gap = args.found("gap", GapDimension.id, GapDimension.code)
    if gap is not None:
        where.append(Initiative.gaps.any(GapDimension.id == gap))
    comuna = args.found("comuna", Comuna.id, Comuna.code)
    if comuna is not None:
        where.append(Initiative.comunas.any(Comuna.id == comuna))
    query = sa.select(Initiative).where(*where)
    query = query.options(
        joinedload(Initiative.territory),
        joinedload(Initiative.mesa),
        joinedload(Initiative.objective),
        joinedload(Initiative.responsible),
        joinedload(Initiative.proposing_organization),
        selectinload(Initiative.gaps),
        selectinload(Initiative.comunas),
        selectinload(Initiative.funding),
    )
    return args.Listing(query, Initiative.id, lambda rows: map(_initiative, rows))


@bp.route("/initiatives")
def initiatives():
    return args.page(initiative_list())


# -- Rounds ---------------------------------------------------------------------------------


def _round(found: Round) -> dict[str, Any]:
    closed = found.status == RoundStatus.CLOSED
    return {
        "id": found.id,
        "title": found.title,
        "mesa": found.mesa.slug,
        "method": found.method.value,
        "budget": found.budget,
        "status": found.status.value,
        "secret": found.secret,
        "by_tally": found.by_tally,
        "imported": found.imported,
        "opened_at": iso(found.created_at),
        "closed_at": iso(found.closed_at),
        "cancelled_at": iso(found.cancelled_at),
        "cancel_reason": found.cancel_reason or None,
        "agreement_id": found.agreement_id,
        "items": [
            {
                "initiative_id": item.initiative_id,
                "title": item.shown_title if closed else item.initiative.title,
                "cost": item.shown_cost if closed else item.initiative.estimated_cost,
                "rank": item.rank,
                "score": item.score,
                "selected_greedy": item.selected_greedy,
                "selected_equal_shares": item.selected_equal_shares,
            }
            for item in found.items
        ],
        "pabulib": url_for("rounds.export", round_id=found.id)
        if rounds.exportable(found)
        else None,
        "url": url_for("rounds.round_page", round_id=found.id),
    }


@args.listing("Round")
def round_list() -> args.Listing:
    """Prioritization rounds and their results (filters: territory, mesa, status); a closed
    round's ballots are in its Pabulib file, anonymous."""
    where = args.mesa_in_territory(Round.mesa_id)
    status = args.choice("status", RoundStatus)
    if status is not None:
        where.append(Round.status == status)
    query = sa.select(Round).where(*where)
    query = query.options(
        joinedload(Round.mesa),
        selectinload(Round.items).joinedload(RoundItem.initiative),
    )
    return args.Listing(query, Round.id, lambda rows: map(_round, rows))


@bp.route("/rounds")
def rounds_list():
    return args.page(round_list())


# -- Convenios ------------------------------------------------------------------------------


def _party(party: ConvenioParty) -> dict[str, Any]:
    return {
        "organization": organization_ref(party.organization),
        "signatory_role": party.signatory_role,
        "amount": party.amount,
        "in_kind": party.in_kind,
        "contribution": party.contribution or None,
    }


def _convenio(c: Convenio) -> dict[str, Any]:
    return {
        "id": c.id,
        "kind": c.kind.value,
        "title": c.title,
        "purpose": c.purpose or None,
        "territory": c.territory.slug,
        "signed_on": iso(c.signed_on),
        "starts_on": iso(c.starts_on),
        "ends_on": iso(c.ends_on),
        "renewal_on": iso(c.renewal_on),
        "document": c.document,
        "agreement_id": c.agreement_id,
        "parties": [_party(p) for p in c.parties],
        "initiative_ids": [i.id for i in c.initiatives],
        "url": url_for("convenios.convenio", convenio_id=c.id),
    }


@args.listing("Convenio")
def convenio_list() -> args.Listing:
    """Convenios and protocolos with what each party contributes (filter: territory)."""
    query = sa.select(Convenio).where(*args.in_territory(Convenio.territory_id))
    query = query.options(
        joinedload(Convenio.territory),
        selectinload(Convenio.parties).joinedload(ConvenioParty.organization),
        selectinload(Convenio.initiatives),
    )
    return args.Listing(query, Convenio.id, lambda rows: map(_convenio, rows))


@bp.route("/convenios")
def convenios():
    return args.page(convenio_list())


# -- Commitments ----------------------------------------------------------------------------


def _commitment(c: Commitment, history: _History) -> dict[str, Any]:
    today = clock.today()
    validation = history.validations.get(c.id)
    return {
        "id": c.id,
        "deliverable": c.deliverable,
        "institution": organization_ref(c.organization),
        "office": c.official or None,
        "territory": c.territory.slug if c.territory is not None else None,
        "mesa": c.mesa.slug,
        "session_id": c.meeting_id,
        "agreement_id": c.agreement_id,
        "amount": c.amount,
        "committed_on": iso(c.committed_on),
        "original_due_on": iso(c.original_due_on),
        "due_on": iso(c.due_on),
        "state": states.of(c, today).value,
        "status_reason": c.status_reason or None,
        "progress": c.progress,
        "reported_done_on": iso(c.reported_done_on),
        "done_on": iso(c.done_on),
        "initiative_ids": [i.id for i in c.initiatives],
        "comunas": [comuna.code for comuna in c.comunas],
        "milestones": [
            {"description": m.description, "due_on": iso(m.due_on), "reached_on": iso(m.reached_on)}
            for m in c.milestones
        ],
        "due_date_changes": [
            {
                "from": iso(change.previous_due_on),
                "to": iso(change.new_due_on),
                "reason": change.reason,
                "at": iso(change.changed_at),
            }
            for change in history.changes[c.id]
        ],
        "updates": [
            {
                "reported_on": iso(u.reported_on),
                "text": u.text,
                "percent": u.percent,
                "done_on": iso(u.done_on),
                "evidence": [
                    {
                        "kind": e.kind.value,
                        "title": e.title or None,
                        "url": e.url
                        if e.kind == EvidenceKind.LINK
                        else url_for("commitments.evidence", commitment_id=c.id, evidence_id=e.id),
                    }
                    for e in u.evidence
                ],
            }
            for u in history.updates[c.id]
        ],
        "validation": None
        if validation is None
        else {
            "outcome": validation.outcome.value,
            "done_on": iso(validation.done_on),
            "session_id": validation.meeting_id,
            "agreement_id": validation.agreement_id,
            "note": validation.note or None,
            "at": iso(validation.validated_at),
        },
        "url": url_for("commitments.commitment", commitment_id=c.id),
    }


class _History:
    """The timelines of a page of commitments, read in four queries whatever the page holds
    (the evidence is read even when no update has any, so the count never varies)."""

    def __init__(self, ids: list[int]) -> None:
        self.changes: dict[int, list[DueDateChange]] = defaultdict(list)
        self.updates: dict[int, list[ProgressUpdate]] = defaultdict(list)
        self.validations: dict[int, Validation] = {}
        if not ids:
            return
        for change in db.session.scalars(
            sa.select(DueDateChange)
            .where(DueDateChange.commitment_id.in_(ids))
            .order_by(DueDateChange.changed_at, DueDateChange.id)
        ):
            self.changes[change.commitment_id].append(change)
        updates = list(
            db.session.scalars(
                sa.select(ProgressUpdate)
                .where(ProgressUpdate.commitment_id.in_(ids))
                .order_by(ProgressUpdate.reported_on, ProgressUpdate.id)
            )
        )
        evidence: dict[int, list[Evidence]] = defaultdict(list)
        for item in db.session.scalars(
            sa.select(Evidence)
            .where(Evidence.update_id.in_([u.id for u in updates]))
            .order_by(Evidence.id)
        ):
            evidence[item.update_id].append(item)
        for update in updates:
            set_committed_value(update, "evidence", evidence[update.id])
            self.updates[update.commitment_id].append(update)
        for validation in db.session.scalars(
            sa.select(Validation).where(Validation.commitment_id.in_(ids))
        ):
            self.validations[validation.commitment_id] = validation


def _commitments(page: list[Commitment]) -> Iterator[dict[str, Any]]:
    history = _History([c.id for c in page])
    return (_commitment(c, history) for c in page)


@args.listing("Commitment")
def commitment_list() -> args.Listing:
    """Public commitments with their timelines, with the filters of the territory's
    dashboard: territory, mesa, institution, state, comuna, due dates."""
    filters = Filters(
        mesa_id=args.found("mesa", Mesa.id, Mesa.slug),
        organization_id=args.number("institution"),
        state=args.choice("state", State),
        comuna_id=args.found("comuna", Comuna.id, Comuna.code),
        due_from=args.day("due_from"),
        due_to=args.day("due_to"),
    )
    where = [*args.in_territory(Commitment.territory_id), *narrowing(filters)]
    if filters.state is not None:
        where.append(states.clause(filters.state, clock.today()))
    return args.Listing(_public_commitments().where(*where), Commitment.id, _commitments)


def _public_commitments() -> sa.Select:  # type: ignore[type-arg]
    return (
        sa.select(Commitment)
        .where(public_only())
        .options(
            joinedload(Commitment.organization),
            joinedload(Commitment.territory),
            joinedload(Commitment.mesa),
            selectinload(Commitment.initiatives),
            selectinload(Commitment.comunas),
            selectinload(Commitment.milestones),
        )
    )


@bp.route("/commitments")
def commitments():
    return args.page(commitment_list())


@bp.route("/commitments/<int:commitment_id>")
def commitment(commitment_id: int):
    """One public commitment with its timeline (where the events of a commitment point)."""
    found = db.session.scalar(_public_commitments().where(Commitment.id == commitment_id))
    if found is None:
        abort(404)
    return respond(next(_commitments([found])))


# -- Scorecards -----------------------------------------------------------------------------


def _score(score: Score) -> dict[str, Any]:
    average = score.average_delay
    return {
        "received": score.received,
        "fulfilled_on_time": score.on_time,
        "fulfilled_late": score.late,
        "overdue": score.overdue,
        "open_on_time": score.open_on_time,
        "partly_fulfilled": score.partly,
        "not_fulfilled": score.not_fulfilled,
        "cancelled": score.cancelled,
        "average_delay_days": round(average, 1) if average is not None else None,
        "with_update": score.with_update,
        "median_days_to_first_update": score.median_first_update,
    }


@bp.route("/organizations/<int:org_id>/scorecard")
def organization_scorecard(org_id: int):
    """How an institution keeps its public commitments, in all and per territory."""
    org = db.session.get(Organization, org_id)
    if org is None:
        abort(404)
    card = scorecard(org.id, clock.today())
    ids = [territory_id for territory_id, _name, _score in card.territories if territory_id]
    codes = dict(
        db.session.execute(
            sa.select(Territory.id, Territory.slug).where(Territory.id.in_(ids))
        ).all()
    )
    return respond(
        {
            "organization": organization_ref(org),
            "total": _score(card.total),
            "territories": [
                {"territory": codes.get(territory_id), **_score(score)}
                for territory_id, _name, score in card.territories
            ],
            "url": url_for("commitments.institution", org_id=org.id),
        }
    )


# -- Coverage of the gap dimensions ---------------------------------------------------------


@bp.route("/territories/<code>/gap-coverage")
def gap_coverage(code: str):
    """For the lag index module: per gap dimension, the territory's initiatives that address
    it (neither drafts nor withdrawn nor discarded), the money they plan, what the sources
    approved and executed on the lines of each portfolio's latest version, and their public
    commitments fulfilled and overdue. An initiative that addresses two dimensions counts in
    both, so the rows do not add up to the territory's totals. A fixed number of queries."""
    territory = args.territory_or_404(code)
    gap = initiative_gaps.c.gap_dimension_id
    alive = [
        Initiative.territory_id == territory.id,
        Initiative.status.not_in([Status.DRAFT, Status.WITHDRAWN, Status.DISCARDED]),
    ]
    tagged = sa.select(Initiative.id).where(*alive)
    counted = _sums(
        sa.select(gap, sa.func.count(sa.distinct(Initiative.id)))
        .join(Initiative, Initiative.id == initiative_gaps.c.initiative_id)
        .where(*alive)
    )
    planned = _sums(
        sa.select(gap, sa.func.sum(FundingLine.amount))
        .join(FundingLine, FundingLine.initiative_id == initiative_gaps.c.initiative_id)
        .where(initiative_gaps.c.initiative_id.in_(tagged))
    )
    lines = (
        sa.select(gap)
        .join(PortfolioLine, PortfolioLine.initiative_id == initiative_gaps.c.initiative_id)
        .join(LineFunding, LineFunding.line_id == PortfolioLine.id)
        .where(
            initiative_gaps.c.initiative_id.in_(tagged),
            PortfolioLine.version_id.in_(latest_versions()),
        )
    )
    approved = _sums(
        lines.add_columns(sa.func.sum(FundingApproval.amount)).join(
            FundingApproval, FundingApproval.funding_id == LineFunding.id
        )
    )
    executed = _sums(
        lines.add_columns(sa.func.sum(FundingExecution.amount)).join(
            FundingExecution,
            sa.and_(
                FundingExecution.funding_id == LineFunding.id,
                FundingExecution.id.in_(last_reports()),
            ),
        )
    )
    today = clock.today()
    fulfilled = Commitment.status == CommitmentStatus.FULFILLED
    kept = {
        row[0]: (int(row[1]), int(row[2]))
        for row in db.session.execute(
            sa.select(
                gap,
                count_if(fulfilled),
                count_if(states.clause(State.OVERDUE, today)),
            )
            .select_from(initiative_gaps)
            .join(
                commitment_initiatives,
                commitment_initiatives.c.initiative_id == initiative_gaps.c.initiative_id,
            )
            .join(Commitment, Commitment.id == commitment_initiatives.c.commitment_id)
            .where(initiative_gaps.c.initiative_id.in_(tagged), public_only())
            .group_by(gap)
        ).all()
    }
    dimensions = db.session.scalars(
        sa.select(GapDimension).order_by(GapDimension.position, GapDimension.code)
    ).all()
    rows = []
    for dimension in dimensions:
        if not dimension.active and dimension.id not in counted:
            continue
        done, overdue = kept.get(dimension.id, (0, 0))
        rows.append(
            {
                "code": dimension.code,
                "name": dimension.name,
                "active": dimension.active,
                "initiatives": counted.get(dimension.id, 0),
                "planned": planned.get(dimension.id, 0),
                "approved": approved.get(dimension.id, 0),
                "executed": executed.get(dimension.id, 0),
                "commitments_fulfilled": done,
                "commitments_overdue": overdue,
            }
        )
    return respond(
        {"territory": {"code": territory.slug, "name": territory.name}, "dimensions": rows}
    )


def _sums(query: sa.Select) -> dict[int, int]:  # type: ignore[type-arg]
    gap = initiative_gaps.c.gap_dimension_id
    return {
        gap_id: int(total or 0) for gap_id, total in db.session.execute(query.group_by(gap)).all()
    }
