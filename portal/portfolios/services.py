"""The rules of portfolios: the first version from a closed round, later versions with a
reason and a diff, and the approval steps in their order. No request here; the caller commits."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.core import clock
from portal.core.refusals import INVALID
from portal.extensions import db
from portal.initiatives import services as initiative_services
from portal.initiatives.models import FundingSource, Initiative, Status
from portal.meetings.models import Agreement, AgreementStatus, agreement_initiatives
from portal.mesas.models import MesaKind
from portal.mesas.services import Refused
from portal.notifications import events
from portal.portfolios.models import (
    LineFunding,
    Phase,
    Portfolio,
    PortfolioLine,
    PortfolioStep,
    PortfolioVersion,
    StepKind,
)
from portal.rounds.models import Round, RoundItem, RoundStatus

# Who approves each source of money, unless the line says otherwise.
DEFAULT_APPROVER = {
    FundingSource.FNDR: "Consejo Regional (CORE)",
    FundingSource.CONVERGENCE: "Consejo Regional (CORE)",
    FundingSource.MUNICIPAL: "Concejo Municipal",
}

Amounts = dict[FundingSource, int]


def _funding_of(initiative: Initiative) -> list[tuple[FundingSource, int, str]]:
    """The initiative's planned funding as portfolio money, with each source's approver; an
    initiative without a plan goes whole to the FNDR."""
    rows = []
    for line in initiative.funding:
        approver = DEFAULT_APPROVER.get(line.source, "")
        if line.source == FundingSource.SECTORAL:
            approver = line.ministry
        elif line.source in (FundingSource.PRIVATE, FundingSource.COMMUNITY):
            organization = initiative.proposing_organization
            approver = organization.name if organization else ""
        rows.append((line.source, line.amount, approver or str(_l("To be defined"))))
    if not rows and initiative.estimated_cost:
        rows.append(
            (FundingSource.FNDR, initiative.estimated_cost, DEFAULT_APPROVER[FundingSource.FNDR])
        )
    return rows


def _enters(initiative: Initiative, title: str, by: User) -> None:
    """A prioritized or presented initiative moves on to "in the portfolio", with the reason."""
    while initiative.status in (Status.PRIORITIZED, Status.PRESENTED):
        following = initiative_services.next_status(initiative)
        assert following is not None
        initiative_services.change_status(
            initiative,
            following,
            str(_l("Included in the portfolio “%(title)s”.", title=title)),
            by,
        )


def _add_line(version: PortfolioVersion, position: int, initiative_id: int, money) -> None:  # type: ignore[no-untyped-def]
    line = PortfolioLine(version=version, position=position, initiative_id=initiative_id)
    db.session.add(line)
    for source, amount, approver in money:
        db.session.add(LineFunding(line=line, source=source, amount=amount, approver=approver))


def from_round(found: Round, rule: str, title: str, phase: Phase, by: User) -> Portfolio:
    """A portfolio whose first version holds what the closed round selected with ``rule``
    ("equal_shares" or "greedy"), in that order. Its initiatives enter the portfolio."""
    mesa = found.mesa
    if mesa.kind != MesaKind.TERRITORIAL:
        raise Refused(_l("Portfolios are made by the mesa territorial."))
    if not found.is_closed:
        raise Refused(_l("Close the round before making a portfolio from it."))
    chosen = json.loads(found.selection or "{}").get(rule)
    if not chosen or not chosen["selected"]:
        raise Refused(_l("This round has no selection with that rule."), INVALID)
    items = {item.id: item for item in found.items}
    portfolio = Portfolio(
        territory_id=mesa.territory_id, mesa=mesa, title=title, phase=phase, created_by_id=by.id
    )
    version = PortfolioVersion(
        portfolio=portfolio, number=1, round_id=found.id, created_by_id=by.id
    )
    db.session.add_all([portfolio, version])
    for position, item_id in enumerate(chosen["selected"], 1):
        initiative = items[item_id].initiative
        _add_line(version, position, initiative.id, _funding_of(initiative))
        _enters(initiative, title, by)
    db.session.flush()
    return portfolio


def latest(portfolio: Portfolio) -> PortfolioVersion:
    return portfolio.versions[-1]


@dataclass
class Change:
    """What a new version changes: for each line kept, its new amounts; lines not in
    ``amounts`` are dropped."""

    reason: str
    amounts: dict[int, Amounts] = field(default_factory=dict)  # initiative id -> amounts
    # Initiatives that enter the portfolio in this version (see ``addable``).
    added: list[int] = field(default_factory=list)


def addable(portfolio: Portfolio) -> list[Initiative]:
    """What a new version may add: initiatives the mesa territorial prioritized (in one of its
    closed rounds) or named in one of its agreements in force, still running, and not in the
    portfolio's latest version. One query."""
    in_version = [line.initiative_id for line in latest(portfolio).lines]
    ranked = (
        sa.select(RoundItem.initiative_id)
        .join(Round, Round.id == RoundItem.round_id)
        .where(Round.mesa_id == portfolio.mesa_id, Round.status == RoundStatus.CLOSED)
    )
    agreed = (
        sa.select(agreement_initiatives.c.initiative_id)
        .join(Agreement, Agreement.id == agreement_initiatives.c.agreement_id)
        .where(Agreement.mesa_id == portfolio.mesa_id, Agreement.status == AgreementStatus.IN_FORCE)
    )
    return list(
        db.session.scalars(
            sa.select(Initiative)
            .where(
                Initiative.id.in_(sa.union(ranked, agreed)),
                Initiative.id.not_in(in_version),
                Initiative.status.not_in([Status.WITHDRAWN, Status.DISCARDED]),
            )
            .order_by(Initiative.title, Initiative.id)
        )
    )


def new_version(portfolio: Portfolio, change: Change, by: User) -> PortfolioVersion:
    if not change.reason:
        raise Refused(
            _l("Say why the portfolio changes; the reason is shown with the version."), INVALID
        )
    previous = latest(portfolio)
    version = PortfolioVersion(
        portfolio=portfolio, number=previous.number + 1, reason=change.reason, created_by_id=by.id
    )
    db.session.add(version)
    position = 0
    for line in previous.lines:
        amounts = change.amounts.get(line.initiative_id)
        if amounts is None:
            continue
        approvers = {f.source: f.approver for f in line.funding}
        money = [
            (s, a, approvers.get(s, str(_l("To be defined")))) for s, a in amounts.items() if a
        ]
        if not money:
            continue
        position += 1
        _add_line(version, position, line.initiative_id, money)
    if change.added:
        allowed = {initiative.id: initiative for initiative in addable(portfolio)}
        for initiative_id in change.added:
            initiative = allowed.get(initiative_id)
            if initiative is None:
                raise Refused(
                    _l(
                        "Only an initiative the mesa territorial prioritized in a closed round, or"
                        " named in one of its agreements in force, can enter the portfolio."
                    ),
                    INVALID,
                )
            position += 1
            _add_line(version, position, initiative.id, _funding_of(initiative))
            _enters(initiative, portfolio.title, by)
    if position == 0:
        raise Refused(_l("A portfolio keeps at least one initiative."), INVALID)
    db.session.flush()
    return version


@dataclass
class LineDiff:
    title: str
    kind: str  # "added" | "removed" | "changed" | "same"
    before: Amounts
    after: Amounts


def diff(before: PortfolioVersion | None, after: PortfolioVersion) -> list[LineDiff]:
    def money(version: PortfolioVersion | None) -> dict[int, tuple[str, Amounts]]:
        if version is None:
            return {}
        return {
            line.initiative_id: (line.initiative.title, {f.source: f.amount for f in line.funding})
            for line in version.lines
        }

    old, new = money(before), money(after)
    rows = []
    for initiative_id, (title, amounts) in new.items():
        if initiative_id not in old:
            rows.append(LineDiff(title, "added", {}, amounts))
        else:
            kind = "same" if old[initiative_id][1] == amounts else "changed"
            rows.append(LineDiff(title, kind, old[initiative_id][1], amounts))
    for initiative_id, (title, amounts) in old.items():
        if initiative_id not in new:
            rows.append(LineDiff(title, "removed", amounts, {}))
    return rows


def sources_of(version: PortfolioVersion) -> list[FundingSource]:
    present = {f.source for line in version.lines for f in line.funding}
    return [s for s in FundingSource if s in present]


def record_step(
    version: PortfolioVersion,
    kind: StepKind,
    on: dt.date,
    by: User,
    *,
    agreement: Agreement | None = None,
    observations: str = "",
) -> PortfolioStep:
    """Agreed (with the mesa territorial's agreement) → reviewed by the mesa técnica regional
    (with its observations); then each source approves its money line by line
    (``money.approve``). Only the latest version moves; a review that asks for changes is
    answered with a new version. Steps of a source's approval recorded before approvals went
    line by line stay as they were."""
    if version.id != latest(version.portfolio).id:
        raise Refused(_l("Only the latest version of the portfolio moves forward."))
    if on > clock.today():
        raise Refused(_l("The date cannot be in the future."), INVALID)
    done = {(s.kind, s.source) for s in version.steps}
    if (kind, None) in done:
        raise Refused(_l("This step was already recorded for this version."))
    if kind == StepKind.AGREED:
        if (
            agreement is None
            or agreement.mesa_id != version.portfolio.mesa_id
            or not agreement.in_force
        ):
            raise Refused(
                _l("Choose the agreement of the mesa territorial that agreed it."), INVALID
            )
    elif kind == StepKind.REVIEWED:
        if (StepKind.AGREED, None) not in done:
            raise Refused(_l("The mesa territorial agrees the portfolio before it is reviewed."))
        if not observations:
            raise Refused(_l("Write the review's observations (or “no observations”)."), INVALID)
    else:
        # Each source approves its money line by line (``money.approve``).
        raise Refused(_l("Record each source's approval on the money of each line."), INVALID)
    step = PortfolioStep(
        version=version,
        kind=kind,
        on=on,
        agreement_id=agreement.id if agreement is not None else None,
        observations=observations,
        created_by_id=by.id,
    )
    db.session.add(step)
    db.session.flush()
    events.portfolio_step(step, by)
    return step


def _with_lines():  # type: ignore[no-untyped-def]
    """Portfolios with their versions, lines, money and steps in a fixed number of queries,
    however many lines they hold."""
    versions = sa.orm.selectinload(Portfolio.versions)
    return sa.select(Portfolio).options(
        sa.orm.joinedload(Portfolio.mesa),
        sa.orm.joinedload(Portfolio.territory),
        versions.selectinload(PortfolioVersion.lines).joinedload(PortfolioLine.initiative),
        versions.selectinload(PortfolioVersion.lines)
        .selectinload(PortfolioLine.funding)
        .options(
            sa.orm.joinedload(LineFunding.approval), sa.orm.selectinload(LineFunding.executions)
        ),
        versions.selectinload(PortfolioVersion.steps).joinedload(PortfolioStep.agreement),
    )


def by_id(portfolio_id: int) -> Portfolio | None:
    return db.session.scalar(_with_lines().where(Portfolio.id == portfolio_id))


def of_territory(territory_id: int) -> list[Portfolio]:
    return list(
        db.session.scalars(
            _with_lines()
            .where(Portfolio.territory_id == territory_id)
            .order_by(Portfolio.created_at.desc(), Portfolio.id.desc())
        ).unique()
    )
