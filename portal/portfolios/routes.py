"""Portfolio pages: making one from a closed round, the territory's portfolio and its
versions with their differences, a new version, and the approval steps."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal import permissions
from portal.core import clock
from portal.core.actions import carried_out
from portal.core.guards import read_pesos
from portal.core.refusals import INVALID
from portal.extensions import db
from portal.initiatives import queries
from portal.initiatives.models import FundingSource
from portal.meetings.models import Agreement, AgreementStatus
from portal.plans import progress
from portal.portfolios import bp, labels, money
from portal.portfolios import services as portfolios
from portal.portfolios.forms import (
    ApprovalForm,
    ExecutionForm,
    NewVersionForm,
    PortfolioForm,
    StepForm,
)
from portal.portfolios.models import (
    Decision,
    LineFunding,
    Phase,
    Portfolio,
    PortfolioVersion,
    StepKind,
)
from portal.rounds.queries import round_or_404


def _portfolio(portfolio_id: int) -> Portfolio:
    found = portfolios.by_id(portfolio_id)
    if found is None:
        abort(404)
    return found


def _page(template: str, status: int = 200, **context):  # type: ignore[no-untyped-def]
    return render_template(template, labels=labels, **context), status


@bp.route("/rondas/<int:round_id>/cartera", methods=["GET", "POST"])
def make_portfolio(round_id: int):
    found = round_or_404(round_id)
    permissions.require("mesa.manage", found.mesa)
    form = PortfolioForm()
    if not form.is_submitted():
        form.title.data = _("Portfolio of %(territory)s", territory=found.mesa.territory.name)
    if form.validate_on_submit():
        with carried_out(
            form=form,
            page=lambda status: _page(
                "portfolios/make_portfolio.html", status, round=found, form=form
            ),
        ):
            made = portfolios.from_round(
                found, form.rule.data, form.title.data, Phase(form.phase.data), current_user
            )
        flash(_("The portfolio is made: version 1."), "success")
        return redirect(url_for("portfolios.version", portfolio_id=made.id, number=1))
    status = INVALID if form.is_submitted() else 200
    return _page("portfolios/make_portfolio.html", status, round=found, form=form)


@bp.route("/territorios/<slug>/cartera")
def territory_portfolio(slug: str):
    territory = queries.territory_by_slug(slug)
    if territory is None:
        abort(404)
    found = portfolios.of_territory(territory.id)
    return _page(
        "portfolios/territory_portfolio.html",
        territory=territory,
        portfolios=found,
        latest={p.id: portfolios.latest(p) for p in found if p.versions},
        sources_of=portfolios.sources_of,
    )


def _version(portfolio: Portfolio, number: int) -> PortfolioVersion:
    found = next((v for v in portfolio.versions if v.number == number), None)
    if found is None:
        abort(404)
    return found


@bp.route("/carteras/<int:portfolio_id>/versiones/<int:number>")
def version(portfolio_id: int, number: int):
    portfolio = _portfolio(portfolio_id)
    found = _version(portfolio, number)
    previous = next((v for v in portfolio.versions if v.number == number - 1), None)
    return _page(
        "portfolios/version.html",
        portfolio=portfolio,
        version=found,
        previous=previous,
        changes=portfolios.diff(previous, found) if previous else [],
        sources=portfolios.sources_of(found),
        totals=money.totals(found),
        **_progress_of(found),
        is_latest=found.id == portfolios.latest(portfolio).id,
    )


def _progress_of(version: PortfolioVersion) -> dict:  # type: ignore[type-arg]
    """Each line's progress, rolled up from its initiative's commitments: one query."""
    commitments = progress.commitments_of([line.initiative_id for line in version.lines])
    return {
        "line_progress": {
            line.id: progress.of_initiative(line.initiative, commitments[line.initiative_id])
            for line in version.lines
        },
        "progress_words": progress.in_words,
    }


def _amounts(version: PortfolioVersion) -> dict[int, dict[FundingSource, int]]:
    """The new version's amounts as sent: ``keep-<initiative>`` and ``a-<initiative>-<source>``
    (pesos as people write them); a line not kept is dropped."""
    kept: dict[int, dict[FundingSource, int]] = {}
    for line in version.lines:
        if not request.form.get(f"keep-{line.initiative_id}"):
            continue
        money = {}
        for funding in line.funding:
            raw = request.form.get(f"a-{line.initiative_id}-{funding.source.value}", "")
            amount = read_pesos(raw)
            if amount is None:
                raise portfolios.Refused(
                    _("Write the amounts in whole pesos, for example 12.345.678."), INVALID
                )
            money[funding.source] = amount
        kept[line.initiative_id] = money
    return kept


@bp.route("/carteras/<int:portfolio_id>/nueva-version", methods=["GET", "POST"])
def new_version(portfolio_id: int):
    portfolio = _portfolio(portfolio_id)
    permissions.require("portfolio.manage", portfolio)
    current = portfolios.latest(portfolio)
    form = NewVersionForm()
    form.add.choices = [(i.id, i.title) for i in portfolios.addable(portfolio)]
    context = {"portfolio": portfolio, "version": current, "form": form}
    if form.validate_on_submit():
        with carried_out(
            form=form, page=lambda status: _page("portfolios/new_version.html", status, **context)
        ):
            change = portfolios.Change(
                reason=form.reason.data, amounts=_amounts(current), added=form.add.data or []
            )
            made = portfolios.new_version(portfolio, change, current_user)
        flash(_("Version %(number)d is made.", number=made.number), "success")
        return redirect(
            url_for("portfolios.version", portfolio_id=portfolio.id, number=made.number)
        )
    return _page("portfolios/new_version.html", INVALID if form.is_submitted() else 200, **context)


@bp.route("/carteras/<int:portfolio_id>/pasos", methods=["GET", "POST"])
def record_step(portfolio_id: int):
    portfolio = _portfolio(portfolio_id)
    manages = permissions.can(current_user, "portfolio.manage", portfolio)
    reviews = permissions.can(current_user, "portfolio.review", portfolio)
    if not (manages or reviews):
        permissions.require("portfolio.manage", portfolio)
    current = portfolios.latest(portfolio)
    form = StepForm()
    form.kind.choices = [
        SelectChoice(kind.value, labels.STEP_KIND[kind])
        for kind in (StepKind.AGREED, StepKind.REVIEWED)
        if (reviews if kind == StepKind.REVIEWED else manages)
    ]
    agreements = db.session.scalars(
        sa.select(Agreement)
        .where(Agreement.mesa_id == portfolio.mesa_id, Agreement.status == AgreementStatus.IN_FORCE)
        .order_by(Agreement.year.desc(), Agreement.number.desc())
    ).all()
    form.agreement.choices = [SelectChoice("", _("Choose"))] + [
        SelectChoice(str(a.id), _("Agreement %(label)s", label=a.label)) for a in agreements
    ]
    if not form.is_submitted():
        form.on.data = clock.today()
    context = {"portfolio": portfolio, "version": current, "form": form}
    if form.validate_on_submit():
        kind = StepKind(form.kind.data)
        with carried_out(
            form=form, page=lambda status: _page("portfolios/step.html", status, **context)
        ):
            portfolios.record_step(
                current,
                kind,
                form.on.data,
                current_user,
                agreement=next((a for a in agreements if a.id == form.agreement.data), None),
                observations=form.observations.data or "",
            )
        flash(_("Recorded: %(step)s.", step=labels.STEP_KIND[kind]), "success")
        return redirect(
            url_for("portfolios.version", portfolio_id=portfolio.id, number=current.number)
        )
    return _page("portfolios/step.html", INVALID if form.is_submitted() else 200, **context)


def _funding(portfolio: Portfolio, funding_id: int) -> LineFunding:
    """One line's money of the portfolio's latest version (money of older versions is read,
    never decided on)."""
    current = portfolios.latest(portfolio)
    found = next((f for line in current.lines for f in line.funding if f.id == funding_id), None)
    if found is None:
        abort(404)
    return found


MONEY = "/carteras/<int:portfolio_id>/dinero/<int:funding_id>"


def _back_to_line(portfolio: Portfolio, funding: LineFunding):  # type: ignore[no-untyped-def]
    number = funding.line.version.number
    return redirect(
        url_for("portfolios.version", portfolio_id=portfolio.id, number=number)
        + f"#dinero-{funding.line.id}"
    )


@bp.route(f"{MONEY}/aprobacion", methods=["GET", "POST"])
def approve_funding(portfolio_id: int, funding_id: int):
    """What the approver of one line's money decided: all of it, part (with the reason) or
    nothing (with the reason), with its document and budget year."""
    portfolio = _portfolio(portfolio_id)
    permissions.require("portfolio.approve_funding", portfolio)
    funding = _funding(portfolio, funding_id)
    form = ApprovalForm()
    if not form.is_submitted():
        form.on.data = clock.today()
        form.budget_year.data = clock.today().year
    context = {"portfolio": portfolio, "funding": funding, "form": form}
    if form.validate_on_submit():
        with carried_out(
            form=form, page=lambda status: _page("portfolios/approve.html", status, **context)
        ):
            money.approve(
                funding,
                money.Approval(
                    decision=Decision(form.decision.data),
                    amount=form.amount.data,
                    in_kind=form.in_kind.data,
                    reason=form.reason.data or "",
                    document=form.document.data,
                    budget_year=form.budget_year.data,
                    on=form.on.data,
                ),
                current_user,
            )
        decision = labels.DECISION[Decision(form.decision.data)]
        flash(_("Recorded: %(decision)s.", decision=decision), "success")
        return _back_to_line(portfolio, funding)
    return _page("portfolios/approve.html", INVALID if form.is_submitted() else 200, **context)


@bp.route(f"{MONEY}/ejecucion", methods=["GET", "POST"])
def report_execution(portfolio_id: int, funding_id: int):
    """What the responsible institution executed of a line's approved money in a year."""
    portfolio = _portfolio(portfolio_id)
    funding = _funding(portfolio, funding_id)
    permissions.require("funding.report_execution", funding)
    form = ExecutionForm()
    if not form.is_submitted():
        form.year.data = clock.today().year
    context = {"portfolio": portfolio, "funding": funding, "form": form}
    if form.validate_on_submit():
        with carried_out(
            form=form, page=lambda status: _page("portfolios/execution.html", status, **context)
        ):
            money.report_execution(
                funding, form.year.data, form.amount.data, form.note.data or "", current_user
            )
        flash(_("The execution of %(year)d is recorded.", year=form.year.data), "success")
        return _back_to_line(portfolio, funding)
    return _page("portfolios/execution.html", INVALID if form.is_submitted() else 200, **context)
