"""Money line by line: each line's funding is approved (or not) by its own approver, a named
ministry or service, the regional council, a company or an organization, with the amount, the
document and the budget year; the responsible institution reports what it executed each year.
No request here; the caller commits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.core import clock
from portal.core.formatting import thousands_clp
from portal.core.refusals import INVALID, Refused
from portal.extensions import db
from portal.initiatives.models import Initiative
from portal.notifications import events
from portal.portfolios.models import (
    Decision,
    FundingApproval,
    FundingExecution,
    LineFunding,
    Portfolio,
    PortfolioLine,
    PortfolioVersion,
    StepKind,
)

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _version(funding: LineFunding) -> PortfolioVersion:
    return funding.line.version


def is_latest(version: PortfolioVersion) -> bool:
    return version.number == version.portfolio.versions[-1].number


@dataclass(frozen=True)
class Approval:
    decision: Decision
    # None for a full approval: the amount asked for.
    amount: int | None
    in_kind: bool
    reason: str
    document: str
    budget_year: int | None
    on: dt.date | None


def approve(funding: LineFunding, data: Approval, by: User) -> FundingApproval:
    """Records what the approver of ``funding`` decided. Only on the portfolio's latest
    version, once the mesa técnica regional reviewed it, and once per line and source."""
    version = _version(funding)
    if not is_latest(version):
        raise Refused(_l("Only the latest version of the portfolio moves forward."))
    if StepKind.REVIEWED not in {s.kind for s in version.steps}:
        raise Refused(_l("The mesa técnica regional reviews it before the sources approve."))
    if funding.approval is not None:
        raise Refused(
            _l(
                "This money already has its approver's decision; a change is a new version of"
                " the portfolio."
            )
        )
    asked = funding.amount
    amount = data.amount
    reason = data.reason.strip()
    if data.decision == Decision.APPROVED:
        if amount is not None and amount != asked:
            raise Refused(
                _l(
                    "A full approval is of the amount asked for (%(asked)s); for less, record a"
                    " partial approval with its reason.",
                    asked=thousands_clp(asked),
                ),
                INVALID,
            )
        amount = asked
    elif data.decision == Decision.PARTIAL:
        if amount is None or amount <= 0:
            raise Refused(_l("Write the amount approved, in whole pesos."), INVALID)
        if amount >= asked:
            raise Refused(
                _l(
                    "An approval cannot be for more than was asked for (%(asked)s); a partial"
                    " approval is for less.",
                    asked=thousands_clp(asked),
                ),
                INVALID,
            )
        if not reason:
            raise Refused(_l("Say why only part was approved."), INVALID)
    else:
        if not reason:
            raise Refused(_l("Say why it was rejected."), INVALID)
        amount = 0
    if not data.document.strip():
        raise Refused(
            _l("Name the document of the decision (for example, Acuerdo CORE N° 45)."), INVALID
        )
    if data.budget_year is None or not FIRST_YEAR <= data.budget_year <= LAST_YEAR:
        raise Refused(_l("Write the budget year the money is for, for example 2027."), INVALID)
    if data.on is None:
        raise Refused(_l("Enter the date of the decision."), INVALID)
    if data.on > clock.today():
        raise Refused(_l("The date cannot be in the future."), INVALID)
    approval = FundingApproval(
        funding=funding,
        decision=data.decision,
        amount=amount,
        in_kind=data.in_kind,
        reason=reason,
        document=data.document.strip(),
        budget_year=data.budget_year,
        decided_on=data.on,
        recorded_by_id=by.id,
    )
    db.session.add(approval)
    db.session.flush()
    events.funding_decided(approval, by)
    return approval


def report_execution(
    funding: LineFunding, year: int | None, amount: int | None, note: str, by: User | None
) -> FundingExecution:
    """What was executed of the approved money in ``year``; a new report for a year corrects
    the earlier one. The years' total never passes what was approved."""
    approval = funding.approval
    if approval is None or approval.amount == 0:
        raise Refused(
            _l("Only approved money is executed: its approver has not approved any of it.")
        )
    if year is None or not approval.budget_year <= year <= clock.today().year:
        raise Refused(
            _l(
                "Write a year from the budget year (%(first)d) to this one: execution is"
                " reported for years already under way.",
                first=approval.budget_year,
            ),
            INVALID,
        )
    if amount is None:
        raise Refused(_l("Write the amount executed, in whole pesos."), INVALID)
    others = sum(e.amount for y, e in funding.executed_by_year.items() if y != year)
    if others + amount > approval.amount:
        raise Refused(
            _l(
                "Executed money cannot pass the approved amount (%(approved)s): with this"
                " report it would be %(total)s. If more was approved, that is a new version of"
                " the portfolio.",
                approved=thousands_clp(approval.amount),
                total=thousands_clp(others + amount),
            ),
            INVALID,
        )
    execution = FundingExecution(
        funding=funding,
        year=year,
        amount=amount,
        note=note.strip(),
        reported_by_id=by.id if by else None,
    )
    db.session.add(execution)
    db.session.flush()
    return execution


@dataclass(frozen=True)
class Totals:
    asked: int
    approved: int
    executed: int
    undecided: int  # lines' money without a decision yet


def totals(version: PortfolioVersion) -> Totals:
    """The version's money: asked for, approved, executed (from what is loaded)."""
    funding = [f for line in version.lines for f in line.funding]
    return Totals(
        asked=sum(f.amount for f in funding),
        approved=sum(f.approved or 0 for f in funding),
        executed=sum(f.executed for f in funding),
        undecided=sum(f.amount for f in funding if f.approval is None),
    )


@dataclass(frozen=True)
class LineMoney:
    """A line of a portfolio's latest version: its money approved and executed."""

    portfolio: str
    version: int
    initiative: str
    asked: int
    approved: int
    executed: int

    @property
    def share_executed(self) -> int | None:
        return round(100 * self.executed / self.approved) if self.approved else None


def latest_versions() -> sa.Select:  # type: ignore[type-arg]
    """The ids of each portfolio's latest version, as SQL."""
    latest = (
        sa.select(PortfolioVersion.portfolio_id, sa.func.max(PortfolioVersion.number).label("n"))
        .group_by(PortfolioVersion.portfolio_id)
        .subquery()
    )
    return sa.select(PortfolioVersion.id).join(
        latest,
        sa.and_(
            latest.c.portfolio_id == PortfolioVersion.portfolio_id,
            latest.c.n == PortfolioVersion.number,
        ),
    )


def last_reports(until_year: int | None = None) -> sa.Select:  # type: ignore[type-arg]
    """The ids of the execution reports that count, as SQL: the latest of each year (a later
    report for a year corrects the earlier), up to ``until_year`` when given."""
    reports = sa.select(sa.func.max(FundingExecution.id))
    if until_year is not None:
        reports = reports.where(FundingExecution.year <= until_year)
    return reports.group_by(FundingExecution.funding_id, FundingExecution.year)


def lines_of(territory_id: int, until_year: int) -> list[LineMoney]:
    """Each line of the latest version of each of the territory's portfolios, with its money
    asked for, approved, and executed up to ``until_year`` (the latest report of each year):
    two queries however many lines there are."""
    rows = db.session.execute(
        sa.select(
            PortfolioLine.id,
            Portfolio.title,
            PortfolioVersion.number,
            Initiative.title,
            sa.func.sum(LineFunding.amount),
            sa.func.sum(sa.func.coalesce(FundingApproval.amount, 0)),
        )
        .join(PortfolioVersion, PortfolioVersion.id == PortfolioLine.version_id)
        .join(Portfolio, Portfolio.id == PortfolioVersion.portfolio_id)
        .join(Initiative, Initiative.id == PortfolioLine.initiative_id)
        .join(LineFunding, LineFunding.line_id == PortfolioLine.id)
        .outerjoin(FundingApproval, FundingApproval.funding_id == LineFunding.id)
        .where(Portfolio.territory_id == territory_id, PortfolioVersion.id.in_(latest_versions()))
        .group_by(PortfolioLine.id, Portfolio.title, PortfolioVersion.number, Initiative.title)
        .order_by(Portfolio.title, PortfolioVersion.number, PortfolioLine.position)
    ).all()
    if not rows:
        return []
    executed = dict(
        db.session.execute(
            sa.select(LineFunding.line_id, sa.func.sum(FundingExecution.amount))
            .join(FundingExecution, FundingExecution.funding_id == LineFunding.id)
            .where(
                LineFunding.line_id.in_([row[0] for row in rows]),
                FundingExecution.id.in_(last_reports(until_year)),
            )
            .group_by(LineFunding.line_id)
        ).all()
    )
    return [
        LineMoney(title, number, initiative, int(asked), int(approved), int(executed.get(line, 0)))
        for line, title, number, initiative, asked, approved in rows
    ]
