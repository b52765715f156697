"""Convenio pages: a territory's convenios, one convenio with its parties and what each
contributes, and the regional team's form to record one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal import permissions
from portal.convenios import bp, labels, services
from portal.convenios.forms import ConvenioForm
from portal.convenios.models import ConvenioKind
from portal.core import clock
from portal.core.actions import carried_out
from portal.core.formatting import date as format_day
from portal.core.forms import status_for
from portal.mesas.forms import organization_choices
from portal.places.models import Territory
from portal.places.queries import territory_by_slug


def _territory(slug: str) -> Territory:
    found = territory_by_slug(slug)
    if found is None:
        abort(404)
    return found


@bp.route("/territorios/<slug>/convenios")
def of_territory(slug: str):
    territory = _territory(slug)
    return render_template(
        "convenios/list.html",
        territory=territory,
        convenios=services.of_territory(territory.id),
        labels=labels,
        today=clock.today(),
    )


@bp.route("/convenios/<int:convenio_id>")
def convenio(convenio_id: int):
    found = services.by_id(convenio_id)
    if found is None:
        abort(404)
    return render_template(
        "convenios/convenio.html", convenio=found, labels=labels, today=clock.today()
    )


def _choices(form: ConvenioForm, territory: Territory) -> None:
    organizations = [SelectChoice("", _("Choose")), *organization_choices()[1:]]
    for row in form.parties:
        row.organization.choices = organizations
    form.initiatives.choices = [(i.id, i.title) for i in services.financeable(territory)]
    form.agreement.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(
            str(a.id),
            _(
                "Agreement %(label)s of %(mesa)s (%(date)s)",
                label=a.label,
                mesa=a.mesa.name,
                date=format_day(a.meeting.day),
            ),
        )
        for a in services.backing(territory)
    ]


def _parties(form: ConvenioForm) -> list[services.Party]:
    """The rows with a party chosen; empty rows are left out."""
    return [
        services.Party(
            organization_id=row.organization.data,
            signatory_role=row.signatory_role.data or "",
            amount=row.amount.data,
            in_kind=bool(row.in_kind.data),
            contribution=row.contribution.data or "",
        )
        for row in form.parties
        if row.organization.data is not None
    ]


@bp.route("/territorios/<slug>/convenios/nuevo", methods=["GET", "POST"])
def new(slug: str):
    territory = _territory(slug)
    permissions.require("convenio.record", territory)
    form = ConvenioForm()
    _choices(form, territory)

    def page(status: int = 200):  # type: ignore[no-untyped-def]
        return render_template(
            "convenios/new.html", territory=territory, form=form, labels=labels
        ), status

    if form.validate_on_submit():
        with carried_out(form=form, page=page):
            made = services.record(
                territory,
                services.ConvenioData(
                    kind=ConvenioKind(form.kind.data),
                    title=form.title.data,
                    purpose=form.purpose.data or "",
                    signed_on=form.signed_on.data,
                    starts_on=form.starts_on.data,
                    ends_on=form.ends_on.data,
                    renewal_on=form.renewal_on.data,
                    document=form.document.data,
                    parties=_parties(form),
                    initiative_ids=form.initiatives.data or [],
                    agreement_id=form.agreement.data,
                ),
                current_user,
            )
        flash(_("The convenio is recorded; anyone can read it."), "success")
        return redirect(url_for("convenios.convenio", convenio_id=made.id))
    return page(status_for(form))
