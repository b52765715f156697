"""Portfolios (carteras): what the mesa territorial agrees to put in the territory's plan,
in versions that never change once made. A change is a new version with its reason; each
version records its approval steps: agreed by the mesa territorial, reviewed by the mesa
técnica regional, and approved by whoever approves each source of money."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import UTCDateTime, enum_column, utcnow
from portal.extensions import db
from portal.initiatives.models import FundingSource, Initiative
from portal.meetings.models import Agreement
from portal.mesas.models import Mesa
from portal.places.models import Territory


class Phase(enum.StrEnum):
    ANNUAL = "annual"
    TRIENNIAL = "triennial"
    REVISION = "revision"


class Portfolio(db.Model):
    __tablename__ = "portfolios"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"), index=True)
    mesa_id: Mapped[int] = mapped_column(sa.ForeignKey("mesas.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    phase: Mapped[Phase] = mapped_column(enum_column(Phase, "portfolio_phase"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    territory: Mapped[Territory] = relationship()
    mesa: Mapped[Mesa] = relationship()
    versions: Mapped[list[PortfolioVersion]] = relationship(
        back_populates="portfolio", order_by="PortfolioVersion.number"
    )


class PortfolioVersion(db.Model):
    """One version of a portfolio. Its lines are written once, when it is made."""

    __tablename__ = "portfolio_versions"
    __table_args__ = (sa.UniqueConstraint("portfolio_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(sa.ForeignKey("portfolios.id"), index=True)
    number: Mapped[int]
    # Why this version replaces the previous one (empty for the first).
    reason: Mapped[str] = mapped_column(sa.String(1000), default="")
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rounds.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    portfolio: Mapped[Portfolio] = relationship(back_populates="versions")
    lines: Mapped[list[PortfolioLine]] = relationship(
        back_populates="version", order_by="PortfolioLine.position"
    )
    steps: Mapped[list[PortfolioStep]] = relationship(
        back_populates="version", order_by="PortfolioStep.id"
    )


class PortfolioLine(db.Model):
    __tablename__ = "portfolio_lines"
    __table_args__ = (sa.UniqueConstraint("version_id", "initiative_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("portfolio_versions.id"), index=True)
    position: Mapped[int]
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiatives.id"))

    version: Mapped[PortfolioVersion] = relationship(back_populates="lines")
    initiative: Mapped[Initiative] = relationship()
    funding: Mapped[list[LineFunding]] = relationship(
        back_populates="line", order_by="LineFunding.id"
    )

    @property
    def total(self) -> int:
        return sum(f.amount for f in self.funding)


class LineFunding(db.Model):
    """Money of one source for one line, and who approves it."""

    __tablename__ = "portfolio_line_funding"
    __table_args__ = (
        sa.UniqueConstraint("line_id", "source"),
        sa.CheckConstraint("amount >= 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(sa.ForeignKey("portfolio_lines.id"), index=True)
    source: Mapped[FundingSource] = mapped_column(enum_column(FundingSource, "funding_source"))
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    approver: Mapped[str] = mapped_column(sa.String(200))

    line: Mapped[PortfolioLine] = relationship(back_populates="funding")
    approval: Mapped[FundingApproval | None] = relationship(back_populates="funding")
    executions: Mapped[list[FundingExecution]] = relationship(
        back_populates="funding", order_by="(FundingExecution.year, FundingExecution.id)"
    )

    @property
    def approved(self) -> int | None:
        """What its approver approved (0 if rejected), or None while undecided."""
        return self.approval.amount if self.approval is not None else None

    @property
    def executed_by_year(self) -> dict[int, FundingExecution]:
        """The latest report of each year: a later report for a year corrects the earlier."""
        return {e.year: e for e in self.executions}

    @property
    def executed(self) -> int:
        return sum(e.amount for e in self.executed_by_year.values())


class Decision(enum.StrEnum):
    APPROVED = "approved"  # the whole amount asked for
    PARTIAL = "partial"  # less, with the reason
    REJECTED = "rejected"  # nothing, with the reason


class FundingApproval(db.Model):
    """What a source's approver decided on one line's money: the amount approved (all, part
    or none, with the reason), in money or in kind (then the amount is its valuation), the
    document and the budget year. Written once; a change is a new version of the portfolio."""

    __tablename__ = "portfolio_funding_approvals"
    __table_args__ = (
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
        sa.CheckConstraint("(decision = 'rejected') = (amount = 0)", name="rejected_means_nothing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    funding_id: Mapped[int] = mapped_column(sa.ForeignKey("portfolio_line_funding.id"), unique=True)
    decision: Mapped[Decision] = mapped_column(enum_column(Decision, "funding_decision"))
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    in_kind: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(sa.String(1000), default="")
    # "Acuerdo CORE N° 45/2027", "Oficio N° 1234 del Ministerio de Agricultura"…
    document: Mapped[str] = mapped_column(sa.String(300))
    budget_year: Mapped[int]
    decided_on: Mapped[dt.date] = mapped_column(sa.Date)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    funding: Mapped[LineFunding] = relationship(back_populates="approval")


class FundingExecution(db.Model):
    """What the responsible institution reports it executed of one line's approved money in
    a year. Reports are never changed: a later report for the same year corrects it."""

    __tablename__ = "portfolio_funding_executions"
    __table_args__ = (sa.CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    funding_id: Mapped[int] = mapped_column(sa.ForeignKey("portfolio_line_funding.id"), index=True)
    year: Mapped[int]
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    reported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    funding: Mapped[LineFunding] = relationship(back_populates="executions")


class StepKind(enum.StrEnum):
    AGREED = "agreed"  # by the mesa territorial, in an agreement
    REVIEWED = "reviewed"  # by the mesa técnica regional, with observations
    SOURCE_APPROVED = "source_approved"  # CORE, a ministry, a company…


class PortfolioStep(db.Model):
    __tablename__ = "portfolio_steps"
    __table_args__ = (sa.UniqueConstraint("version_id", "kind", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("portfolio_versions.id"), index=True)
    kind: Mapped[StepKind] = mapped_column(enum_column(StepKind, "portfolio_step_kind"))
    # For a source's approval.
    source: Mapped[FundingSource | None] = mapped_column(
        enum_column(FundingSource, "funding_source")
    )
    on: Mapped[dt.date] = mapped_column(sa.Date)
    agreement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agreements.id"))
    observations: Mapped[str] = mapped_column(sa.Text, default="")
    # "Acuerdo CORE N° 45/2027", "Oficio N° 1234 de la Subdere", or a web address.
    document: Mapped[str] = mapped_column(sa.String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[PortfolioVersion] = relationship(back_populates="steps")
    agreement: Mapped[Agreement | None] = relationship()
