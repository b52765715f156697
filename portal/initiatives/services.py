"""The rules of initiatives: proposing, editing, moving along the lifecycle with a recorded
reason, and finding similar ones so that old ideas are not proposed again as new. No request
here; the caller commits."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.core.refusals import INVALID
from portal.extensions import db
from portal.initiatives.models import (
    ENDED,
    PATH,
    BeneficiaryUnit,
    EvaluationMethod,
    EvaluationResult,
    FundingLine,
    FundingSource,
    GapDimension,
    Initiative,
    InitiativeKind,
    Ownership,
    Stage,
    Status,
    StatusChange,
    StrategicObjective,
)
from portal.mesas.models import Mesa, Organization
from portal.mesas.services import Refused
from portal.places.models import Comuna

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


def _apply(initiative: Initiative, details: Details) -> None:
    for name in (
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
        "responsible",
        "proposing_organization",
        "bip_code",
        "evaluation_method",
        "evaluation_result",
    ):
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


def update(initiative: Initiative, details: Details) -> None:
    if initiative.status in ENDED:
        raise Refused(_l("This initiative has ended; it can no longer be changed."))
    _check(initiative.mesa, details)
    _apply(initiative, details)


def next_status(initiative: Initiative) -> Status | None:
    if initiative.status not in PATH or initiative.status == PATH[-1]:
        return None
    return PATH[PATH.index(initiative.status) + 1]


def change_status(initiative: Initiative, to: Status, reason: str, by: User) -> None:
    """One step forward on the path, or withdrawn / discarded (with a reason). Each change is
    kept with who made it, when and why; the public reads them as the timeline."""
    if initiative.status in ENDED:
        raise Refused(_l("This initiative has ended; its status can no longer change."))
    if to in (Status.WITHDRAWN, Status.DISCARDED):
        if not reason:
            raise Refused(_l("Say why; the reason is shown on the initiative's page."), INVALID)
    elif to != next_status(initiative):
        raise Refused(_l("An initiative moves one step at a time along its path."), INVALID)
    previous = initiative.status
    initiative.status = to
    _record(initiative, previous, reason, by)


def timeline(initiative: Initiative) -> list[StatusChange]:
    return list(
        db.session.scalars(
            sa.select(StatusChange)
            .where(StatusChange.initiative_id == initiative.id)
            .options(sa.orm.joinedload(StatusChange.changed_by))
            .order_by(StatusChange.created_at, StatusChange.id)
        )
    )


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
