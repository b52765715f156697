"""The rules of initiatives: proposing, editing, moving along the lifecycle with a recorded
reason, and finding similar ones so that old ideas are not proposed again as new. No request
here; the caller commits."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.core.refusals import INVALID
from portal.extensions import db
from portal.initiatives.models import (
    PATH,
    BeneficiaryUnit,
    EvaluationMethod,
    EvaluationResult,
    FundingLine,
    FundingSource,
    Initiative,
    InitiativeKind,
    Ownership,
    Revision,
    Stage,
    Status,
    StatusChange,
)
from portal.mesas.models import Mesa, Organization
from portal.mesas.services import Refused
from portal.notifications import events
from portal.places.models import Comuna
from portal.portfolios.models import PortfolioLine
from portal.reference.models import GapDimension, StrategicObjective
from portal.rounds.models import Round, RoundItem, RoundStatus

__all__ = ["Refused"]


@dataclass
class Details:
    """Everything a proposer fills in."""

    title: str
    summary: str
    description: str
    kind: InitiativeKind
    ownership: Ownership
    stage: Stage
    gaps: list[GapDimension] = field(default_factory=list)
    objective: StrategicObjective | None = None
    comunas: list[Comuna] = field(default_factory=list)
    localities: str = ""
    beneficiaries: int | None = None
    beneficiary_unit: BeneficiaryUnit | None = None
    estimated_cost: int | None = None
    # {source: amount in pesos}; zero or missing means none from that source.
    funding: dict[FundingSource, int] = field(default_factory=dict)
    ministry: str = ""
    responsible: Organization | None = None
    proposing_organization: Organization | None = None
    bip_code: str = ""
    evaluation_method: EvaluationMethod | None = None
    evaluation_result: EvaluationResult = EvaluationResult.PENDING


def _check(mesa: Mesa, details: Details) -> None:
    if details.objective is not None and details.objective.territory_id != mesa.territory_id:
        raise Refused(_l("Choose an objective of this territory's plan."), status=INVALID)
    if (details.beneficiaries is None) != (details.beneficiary_unit is None):
        raise Refused(
            _l("Give both the number of beneficiaries and what they are, or neither."),
            status=INVALID,
        )
    if details.funding.get(FundingSource.SECTORAL) and not details.ministry:
        raise Refused(_l("Say which ministry or service puts the sectoral money."), INVALID)


# What a revision records, in this order. Once an initiative was weighed in a closed round or
# entered a portfolio, a change of the fields in DECIDED needs a reason.
TRACKED = (
    "title",
    "summary",
    "description",
    "kind",
    "ownership",
    "stage",
    "gaps",
    "objective",
    "comunas",
    "localities",
    "beneficiaries",
    "beneficiary_unit",
    "estimated_cost",
    "funding",
    "responsible",
    "proposing_organization",
    "bip_code",
    "evaluation_method",
    "evaluation_result",
)
DECIDED = frozenset({"title", "estimated_cost", "funding"})


def _apply(initiative: Initiative, details: Details) -> None:
    for name in TRACKED:
        if name == "funding":
            continue
        setattr(initiative, name, getattr(details, name))
    lines = {line.source: line for line in initiative.funding}
    for source in FundingSource:
        amount = details.funding.get(source) or 0
        ministry = details.ministry if source == FundingSource.SECTORAL else ""
        if amount and source in lines:
            lines[source].amount, lines[source].ministry = amount, ministry
        elif amount:
            initiative.funding.append(FundingLine(source=source, amount=amount, ministry=ministry))
        elif source in lines:
            initiative.funding.remove(lines[source])


def _record(initiative: Initiative, previous: Status | None, reason: str, by: User) -> None:
    db.session.add(
        StatusChange(
            initiative=initiative,
            previous_status=previous,
            status=initiative.status,
            reason=reason,
            changed_by_id=by.id,
        )
    )
    if previous is not None and previous != initiative.status:
        db.session.flush()
        events.initiative_status(initiative, previous, reason, by)


def propose(mesa: Mesa, details: Details, by: User, as_draft: bool) -> Initiative:
    """A new initiative of ``mesa``: a draft only its proposer (and the mesa's managers) see,
    or proposed to the mesa at once."""
    if mesa.territory_id is None:
        raise Refused(_l("Initiatives are proposed at the mesas of a territory."))
    _check(mesa, details)
    initiative = Initiative(
        mesa=mesa,
        territory_id=mesa.territory_id,
        proposer=by,
        status=Status.DRAFT if as_draft else Status.PROPOSED,
    )
    _apply(initiative, details)
    db.session.add(initiative)
    db.session.flush()
    _record(initiative, None, "", by)
    return initiative


def snapshot(initiative: Initiative) -> dict[str, Any]:
    """The tracked fields as plain JSON values: enums by value, organizations, objectives,
    gaps and comunas by name, money in pesos, funding as {source: pesos}."""

    def named(obj) -> str | None:  # type: ignore[no-untyped-def]
        return None if obj is None else getattr(obj, "name", None) or obj.title

    return {
        "title": initiative.title,
        "summary": initiative.summary,
        "description": initiative.description,
        "kind": initiative.kind.value if initiative.kind else None,
        "ownership": initiative.ownership.value if initiative.ownership else None,
        "stage": initiative.stage.value if initiative.stage else None,
        "gaps": [g.code for g in initiative.gaps],
        "objective": named(initiative.objective),
        "comunas": [c.name for c in initiative.comunas],
        "localities": initiative.localities,
        "beneficiaries": initiative.beneficiaries,
        "beneficiary_unit": initiative.beneficiary_unit.value
        if initiative.beneficiary_unit
        else None,
        "estimated_cost": initiative.estimated_cost,
        "funding": {line.source.value: line.amount for line in initiative.funding},
        "responsible": named(initiative.responsible),
        "proposing_organization": named(initiative.proposing_organization),
        "bip_code": initiative.bip_code,
        "evaluation_method": initiative.evaluation_method.value
        if initiative.evaluation_method
        else None,
        "evaluation_result": initiative.evaluation_result.value
        if initiative.evaluation_result
        else None,
    }


def decided_on(initiative: Initiative) -> bool:
    """Whether a mesa already decided on it: it was weighed in a closed round, or it is in a
    portfolio."""
    in_round = sa.exists().where(
        RoundItem.initiative_id == initiative.id,
        RoundItem.round_id == Round.id,
        Round.status == RoundStatus.CLOSED,
    )
    in_portfolio = sa.exists().where(PortfolioLine.initiative_id == initiative.id)
    return bool(db.session.scalar(sa.select(sa.or_(in_round, in_portfolio))))


def update(initiative: Initiative, details: Details, by: User, reason: str = "") -> None:
    """Saves the proposer's or the mesa's changes. After the draft every change is kept as a
    revision (who, when, each field before and after, why) on the public timeline; once a
    mesa decided on it, a change of its title, cost or funding needs a reason."""
    if initiative.has_ended:
        raise Refused(_l("This initiative has ended; it can no longer be changed."))
    _check(initiative.mesa, details)
    before = snapshot(initiative)
    _apply(initiative, details)
    after = snapshot(initiative)
    changed = [name for name in TRACKED if before[name] != after[name]]
    if not changed or initiative.is_draft:
        return
    if DECIDED & set(changed) and not reason.strip() and decided_on(initiative):
        raise Refused(
            _l(
                "A mesa already decided on this initiative (in a round or a portfolio): say "
                "why its name, cost or funding changes. The reason is shown on its timeline."
            ),
            INVALID,
        )
    _revise(initiative, [(name, before[name], after[name]) for name in changed], reason, by)


def _revise(
    initiative: Initiative, changes: list[tuple[str, Any, Any]], reason: str, by: User | None
) -> None:
    """A revision on the initiative's public timeline: each field before and after, who (None
    for another system, which names itself in ``reason``), why."""
    db.session.add(
        Revision(
            initiative=initiative,
            made_by_id=by.id if by is not None else None,
            changes=json.dumps([list(c) for c in changes], ensure_ascii=False),
            reason=reason.strip(),
        )
    )


def set_stage(initiative: Initiative, stage: Stage, reason: str, by: User | None) -> None:
    """The stage as its executor reports it (the plan module, through the write API): a
    revision like any other change after the draft; an ended initiative no longer changes."""
    if initiative.has_ended:
        raise Refused(_l("This initiative has ended; it can no longer be changed."))
    if stage == initiative.stage:
        return
    before = initiative.stage.value
    initiative.stage = stage
    _revise(initiative, [("stage", before, stage.value)], reason, by)


def next_status(initiative: Initiative) -> Status | None:
    if initiative.status not in PATH or initiative.status == PATH[-1]:
        return None
    return PATH[PATH.index(initiative.status) + 1]


def change_status(initiative: Initiative, to: Status, reason: str, by: User) -> None:
    """One step forward on the path, or withdrawn / discarded (with a reason). Each change is
    kept with who made it, when and why; the public reads them as the timeline."""
    if initiative.has_ended:
        raise Refused(_l("This initiative has ended; its status can no longer change."))
    if to in (Status.WITHDRAWN, Status.DISCARDED):
        if not reason:
            raise Refused(_l("Say why; the reason is shown on the initiative's page."), INVALID)
    elif to != next_status(initiative):
        raise Refused(_l("An initiative moves one step at a time along its path."), INVALID)
    previous = initiative.status
    initiative.status = to
    _record(initiative, previous, reason, by)


@dataclass
class Event:
    """One entry of the public timeline: a change of status, or a revision of the text."""

    at: Any
    by: User | None
    reason: str
    status: Status | None = None
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)


def timeline(initiative: Initiative) -> list[Event]:
    """Changes of status and revisions, oldest first (two queries)."""
    events = [
        Event(change.created_at, change.changed_by, change.reason, status=change.status)
        for change in db.session.scalars(
            sa.select(StatusChange)
            .where(StatusChange.initiative_id == initiative.id)
            .options(sa.orm.joinedload(StatusChange.changed_by))
            .order_by(StatusChange.created_at, StatusChange.id)
        )
    ]
    events += [
        Event(
            revision.created_at,
            revision.made_by,
            revision.reason,
            changes=[tuple(change) for change in json.loads(revision.changes)],
        )
        for revision in db.session.scalars(
            sa.select(Revision)
            .where(Revision.initiative_id == initiative.id)
            .options(sa.orm.joinedload(Revision.made_by))
            .order_by(Revision.created_at, Revision.id)
        )
    ]
    return sorted(events, key=lambda event: event.at)


# Similar initiatives -----------------------------------------------------------------------

STOPWORDS = frozenset(
    [
        "para",
        "como",
        "sobre",
        "entre",
        "desde",
        "hasta",
        "donde",
        "cuando",
        "porque",
        "sector",
        "comuna",
        "comunas",
        "mejorar",
        "mejoramiento",
        "proyecto",
        "programa",
        "apoyo",
        "the",
        "and",
        "with",
        "from",
    ]
)


def words(text: str) -> set[str]:
    """Accent-free lower-case word stems of four letters or more ("Caminos" → "camino")."""
    folded = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    stems = set()
    for word in re.findall(r"[a-zñ0-9]{4,}", plain):
        if word in STOPWORDS:
            continue
        stems.add(re.sub(r"(es|s)$", "", word) if len(word) > 5 else word)
    return stems


def similar(
    territory_id: int, text: str, exclude: int | None = None, limit: int = 5
) -> list[Initiative]:
    """Initiatives of the territory, past ones included, that share words with ``text``: best
    first. Drafts are nobody else's business and are left out."""
    wanted = words(text)
    if not wanted:
        return []
    rows = db.session.execute(
        sa.select(Initiative.id, Initiative.title, Initiative.summary).where(
            Initiative.territory_id == territory_id,
            Initiative.status != Status.DRAFT,
            Initiative.id != (exclude or 0),
        )
    ).all()
    scored = []
    for id_, title, summary in rows:
        theirs = words(f"{title} {summary}")
        shared = len(wanted & theirs)
        if shared:
            scored.append((shared / len(wanted | theirs) + shared, id_))
    best = [id_ for _, id_ in sorted(scored, reverse=True)[:limit]]
    if not best:
        return []
    found = {
        i.id: i for i in db.session.scalars(sa.select(Initiative).where(Initiative.id.in_(best)))
    }
    return [found[id_] for id_ in best]
