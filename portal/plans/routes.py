"""The plan's pages: the public plan of a territory and each of its versions; the regional
team's page where the plan is prepared (its period, objectives, indicators, targets and
measurements), agreed and sanctioned."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal import permissions
from portal.core import clock
from portal.core.actions import carried_out
from portal.core.formatting import date as format_day
from portal.core.forms import status_for
from portal.extensions import db
from portal.places.models import Territory
from portal.places.queries import territory_by_slug
from portal.plans import bp, labels, progress, services
from portal.plans.charts import in_words, indicator_chart
from portal.plans.forms import (
    AgreeForm,
    IndicatorForm,
    MeasurementForm,
    ObjectiveForm,
    PlanForm,
    SanctionForm,
    TargetForm,
    TotalForm,
)
from portal.plans.models import Indicator, PeriodKind, Plan
from portal.reference.models import StrategicObjective


def _territory(slug: str) -> Territory:
    territory = territory_by_slug(slug)
    if territory is None:
        abort(404)
    return territory


def _render(template: str, status: int = 200, **context: Any):  # type: ignore[no-untyped-def]
    return (
        render_template(
            template,
            chart=indicator_chart,
            in_words=in_words,
            progress_words=progress.in_words,
            labels=labels,
            today=clock.today(),
            **context,
        ),
        status,
    )


@bp.route("/territorios/<slug>/plan")
def plan(slug: str):
    """The plan in force: each objective with its indicators (baseline, targets and
    measurements, as a chart and as a table with the same numbers)."""
    territory = _territory(slug)
    standing = services.standing(territory)
    return _render(
        "plans/plan.html",
        territory=territory,
        standing=standing,
        plans=services.plans_of(territory),
        progress=progress.of_objectives(o.id for o in standing.objectives),
    )


def _plan(territory: Territory, plan_id: int) -> Plan:
    found = db.session.get(Plan, plan_id)
    if found is None or found.territory_id != territory.id:
        abort(404)
    return found


@bp.route("/territorios/<slug>/plan/<int:plan_id>/versiones/<int:number>")
def version(slug: str, plan_id: int, number: int):
    """A version as the mesa territorial agreed it: its matrix never changes."""
    territory = _territory(slug)
    found = _plan(territory, plan_id)
    shown = next((v for v in found.versions if v.number == number), None)
    if shown is None:
        abort(404)
    objectives, total = services.version_view(shown)
    return _render(
        "plans/version.html",
        territory=territory,
        plan=found,
        version=shown,
        objectives=objectives,
        total=total,
        progress=progress.of_objectives(o.id for o in objectives),
    )


# The regional team's page --------------------------------------------------------------------


class Forms:
    """The forms of the plan's page; the one that was sent keeps what was typed and its
    errors."""

    def __init__(self, **sent: Any) -> None:
        self.plan = sent.get("plan") or PlanForm(formdata=None)
        self.objective = sent.get("objective") or ObjectiveForm(formdata=None)
        self.agree = sent.get("agree") or AgreeForm(formdata=None)
        self.sanction = sent.get("sanction") or SanctionForm(formdata=None)
        self.total = sent.get("total") or TotalForm(formdata=None)
        if "plan" not in sent:
            self.plan.first_year.data = clock.today().year + 1
        if "sanction" not in sent:
            self.sanction.on.data = clock.today()


def _agreement_choices(form: AgreeForm, territory: Territory) -> list:  # type: ignore[type-arg]
    agreements = services.agreeing(territory)
    form.agreement.choices = [SelectChoice("", _("Choose"))] + [
        SelectChoice(
            str(a.id),
            _(
                "Agreement %(label)s of %(mesa)s (%(date)s)",
                label=a.label,
                mesa=a.mesa.name,
                date=format_day(a.meeting.day),
            ),
        )
        for a in agreements
    ]
    return agreements


def _manage_page(territory: Territory, status: int = 200, **sent: Any):  # type: ignore[no-untyped-def]
    forms = Forms(**sent)
    _agreement_choices(forms.agree, territory)
    plans = services.plans_of(territory)
    current = services.current_plan(plans, clock.today())
    draft = services.plan_of(territory)
    if current is not None and "total" not in sent:
        forms.total.investment.data = current.planned_total
    return _render(
        "plans/manage.html",
        status,
        territory=territory,
        plans=plans,
        current=current,
        latest=current.versions[-1] if current is not None and current.versions else None,
        draft=draft,
        changed=services.draft_changed(territory, current),
        forms=forms,
    )


@bp.route("/territorios/<slug>/plan/gestion")
def manage(slug: str):
    territory = _territory(slug)
    permissions.require("plan.manage", territory)
    return _manage_page(territory)


@bp.route("/territorios/<slug>/plan/periodos", methods=["POST"])
def open_plan(slug: str):
    territory = _territory(slug)
    permissions.require("plan.manage", territory)
    form = PlanForm()
    if form.validate_on_submit():
        with carried_out(form=form, page=lambda status: _manage_page(territory, status, plan=form)):
            made = services.open_plan(
                territory,
                PeriodKind(form.kind.data),
                form.first_year.data,
                current_user,
                form.total.data,
            )
        flash(
            _("The plan %(first)d–%(last)d is open.", first=made.first_year, last=made.last_year),
            "success",
        )
        return redirect(url_for("plans.manage", slug=slug))
    return _manage_page(territory, status_for(form), plan=form)


@bp.route("/territorios/<slug>/plan/objetivos", methods=["POST"])
def add_objective(slug: str):
    territory = _territory(slug)
    permissions.require("plan.manage", territory)
    form = ObjectiveForm()
    if form.validate_on_submit():
        with carried_out(
            form=form, page=lambda status: _manage_page(territory, status, objective=form)
        ):
            made = services.add_objective(territory, form.code.data, form.title.data)
        flash(_("Objective %(code)s added.", code=made.code), "success")
        return redirect(url_for("plans.manage", slug=slug) + f"#oe-{made.id}")
    return _manage_page(territory, status_for(form), objective=form)


@bp.route("/territorios/<slug>/plan/<int:plan_id>/versiones", methods=["POST"])
def agree(slug: str, plan_id: int):
    territory = _territory(slug)
    permissions.require("plan.manage", territory)
    found = _plan(territory, plan_id)
    form = AgreeForm()
    agreements = _agreement_choices(form, territory)
    if form.validate_on_submit():
        with carried_out(
            form=form, page=lambda status: _manage_page(territory, status, agree=form)
        ):
            made = services.agree(
                found,
                next((a for a in agreements if a.id == form.agreement.data), None),
                form.reason.data or "",
                current_user,
            )
        flash(
            _(
                "Version %(number)d of the plan is recorded, as the mesa territorial agreed it."
                " It is in force once the mesa técnica regional sanctions it.",
                number=made.number,
            ),
            "success",
        )
        return redirect(url_for("plans.manage", slug=slug))
    return _manage_page(territory, status_for(form), agree=form)


@bp.route("/territorios/<slug>/plan/<int:plan_id>/inversion", methods=["POST"])
def set_total(slug: str, plan_id: int):
    """The investment the plan foresees, in the working matrix."""
    territory = _territory(slug)
    permissions.require("plan.manage", territory)
    found = _plan(territory, plan_id)
    form = TotalForm()
    if form.validate_on_submit():
        with carried_out(
            form=form, page=lambda status: _manage_page(territory, status, total=form)
        ):
            services.set_total(found, form.investment.data)
        flash(_("The plan's investment is saved in the working matrix."), "success")
        return redirect(url_for("plans.manage", slug=slug) + "#matriz")
    return _manage_page(territory, status_for(form), total=form)


@bp.route("/territorios/<slug>/plan/<int:plan_id>/sancion", methods=["POST"])
def sanction(slug: str, plan_id: int):
    territory = _territory(slug)
    permissions.require("plan.manage", territory)
    found = _plan(territory, plan_id)
    form = SanctionForm()
    if form.validate_on_submit():
        with carried_out(
            form=form, page=lambda status: _manage_page(territory, status, sanction=form)
        ):
            latest = services.sanction(found, form.on.data, form.document.data, current_user)
        flash(_("Version %(number)d of the plan is in force.", number=latest.number), "success")
        return redirect(url_for("plans.manage", slug=slug))
    return _manage_page(territory, status_for(form), sanction=form)


# An objective's indicators -------------------------------------------------------------------


def _objective(territory: Territory, objective_id: int) -> StrategicObjective:
    found = db.session.get(StrategicObjective, objective_id)
    if found is None or found.territory_id != territory.id:
        abort(404)
    return found


@bp.route(
    "/territorios/<slug>/plan/objetivos/<int:objective_id>/indicadores", methods=["GET", "POST"]
)
def new_indicator(slug: str, objective_id: int):
    territory = _territory(slug)
    permissions.require("plan.manage", territory)
    objective = _objective(territory, objective_id)
    form = IndicatorForm()

    def page(status: int = 200):  # type: ignore[no-untyped-def]
        return _render(
            "plans/new_indicator.html", status, territory=territory, objective=objective, form=form
        )

    if form.validate_on_submit():
        with carried_out(form=form, page=page):
            made = services.add_indicator(
                objective,
                services.IndicatorData(
                    code=form.code.data,
                    name=form.name.data,
                    kind=services.IndicatorKind(form.kind.data),
                    unit=form.unit.data,
                    direction=services.Direction(form.direction.data),
                    source=form.source.data,
                    baseline_value=form.baseline_value.data,
                    baseline_on=form.baseline_on.data,
                    baseline_source=form.baseline_source.data,
                ),
            )
        flash(_("Indicator %(code)s added: now give it its targets.", code=made.code), "success")
        return redirect(url_for("plans.indicator", slug=slug, indicator_id=made.id))
    return page(status_for(form))


def _indicator(territory: Territory, indicator_id: int) -> Indicator:
    found = db.session.scalar(
        sa.select(Indicator)
        .join(StrategicObjective, StrategicObjective.id == Indicator.objective_id)
        .where(Indicator.id == indicator_id, StrategicObjective.territory_id == territory.id)
    )
    if found is None:
        abort(404)
    return found


def _indicator_page(territory: Territory, found: Indicator, status: int = 200, **sent: Any):  # type: ignore[no-untyped-def]
    target = sent.get("target") or TargetForm(formdata=None)
    measurement = sent.get("measurement") or MeasurementForm(formdata=None)
    if "measurement" not in sent:
        measurement.measured_on.data = clock.today()
    return _render(
        "plans/indicator.html",
        status,
        territory=territory,
        indicator=found,
        target=target,
        measurement=measurement,
    )


@bp.route("/territorios/<slug>/plan/indicadores/<int:indicator_id>")
def indicator(slug: str, indicator_id: int):
    territory = _territory(slug)
    permissions.require("plan.manage", territory)
    return _indicator_page(territory, _indicator(territory, indicator_id))


@bp.route("/territorios/<slug>/plan/indicadores/<int:indicator_id>/metas", methods=["POST"])
def set_target(slug: str, indicator_id: int):
    territory = _territory(slug)
    permissions.require("plan.manage", territory)
    found = _indicator(territory, indicator_id)
    form = TargetForm()
    if form.validate_on_submit():
        with carried_out(
            form=form, page=lambda status: _indicator_page(territory, found, status, target=form)
        ):
            services.set_target(found, form.year.data, form.target.data)
        flash(_("The target for %(year)d is saved.", year=form.year.data), "success")
        return redirect(url_for("plans.indicator", slug=slug, indicator_id=found.id))
    return _indicator_page(territory, found, status_for(form), target=form)


@bp.route("/territorios/<slug>/plan/indicadores/<int:indicator_id>/mediciones", methods=["POST"])
def record_measurement(slug: str, indicator_id: int):
    territory = _territory(slug)
    permissions.require("plan.manage", territory)
    found = _indicator(territory, indicator_id)
    form = MeasurementForm()
    if form.validate_on_submit():
        with carried_out(
            form=form,
            page=lambda status: _indicator_page(territory, found, status, measurement=form),
        ):
            services.record_measurement(
                found,
                form.measured_on.data,
                form.value.data,
                form.source.data,
                current_user,
                form.evidence_url.data or "",
            )
        flash(_("The measurement is recorded; the plan's page shows it."), "success")
        return redirect(url_for("plans.indicator", slug=slug, indicator_id=found.id))
    return _indicator_page(territory, found, status_for(form), measurement=form)
