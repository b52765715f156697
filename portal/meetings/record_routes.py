"""What a session leaves in writing: the acta (write, circulate, approve, publish, correct,
print) and the agreements (record, withdraw, replace), and the public list of both."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal import permissions
from portal.commitments import labels as commitment_labels
from portal.commitments import queries as commitment_queries
from portal.core import clock
from portal.core.actions import carried_out
from portal.core.forms import EmptyForm, status_for
from portal.core.markdown import render
from portal.extensions import db
from portal.initiatives.queries import linkable
from portal.meetings import bp, labels, records, services
from portal.meetings.forms import AgreementForm, ApproveForm, MinutesForm, WithdrawForm
from portal.meetings.models import (
    Agreement,
    ApprovalMode,
    DecisionMode,
    MinutesRevision,
)
from portal.meetings.queries import agreement_or_404, meeting_or_404, published_record
from portal.meetings.routes import (
    INVALID,
    SESSION,
    _back,
    _managed,
    _page_of,
)
from portal.mesas import labels as mesa_labels
from portal.mesas import queries as mesa_queries


def _readable(slug: str, number: int) -> tuple:
    mesa, meeting = meeting_or_404(slug, number)
    permissions.require("meeting.read_record", meeting)
    return mesa, meeting


# The acta --------------------------------------------------------------------------------------


@bp.route(f"{SESSION}/acta")
def minutes(slug: str, number: int):
    mesa, found = _readable(slug, number)
    history = records.revisions(found.minutes)
    return render_template(
        "meetings/minutes.html",
        mesa=mesa,
        meeting=found,
        text=render(history[-1].text) if history else "",
        history=history,
        agreements=records.agreements_of(found),
        render=render,
        form=EmptyForm(),
        labels=labels,
    )


@bp.route(f"{SESSION}/acta/editar", methods=["GET", "POST"])
def write_minutes(slug: str, number: int):
    mesa, found = _managed(slug, number)
    form = MinutesForm()
    if not form.is_submitted():
        form.text.data = records.current_text(found.minutes)
    context = {"mesa": mesa, "meeting": found, "form": form}
    if form.validate_on_submit():
        with carried_out(page=("meetings/write_minutes.html", {**context, "labels": labels})):
            revision = records.write(found, form.text.data, form.reason.data, current_user)
        flash(_("Acta saved (version %(number)d).", number=revision.number), "success")
        return _back(found, "meetings.minutes")
    page = render_template("meetings/write_minutes.html", labels=labels, **context)
    return page, status_for(form)


@bp.route(f"{SESSION}/acta/versiones/<int:version>")
def revision(slug: str, number: int, version: int):
    mesa, found = _readable(slug, number)
    history = records.revisions(found.minutes)
    chosen = next((r for r in history if r.number == version), None)
    if chosen is None:
        abort(404)
    before: MinutesRevision | None = next((r for r in history if r.number == version - 1), None)
    return render_template(
        "meetings/revision.html",
        mesa=mesa,
        meeting=found,
        revision=chosen,
        before=before,
        latest=history[-1],
        text=render(chosen.text),
        changes=records.diff(before.text if before else "", chosen.text),
        labels=labels,
    )


@bp.route(f"{SESSION}/acta/enviar", methods=["POST"])
def circulate(slug: str, number: int):
    _mesa, found = _managed(slug, number)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with carried_out(back=_page_of(found, "meetings.minutes")):
        told = records.circulate(found, current_user)
    flash(
        ngettext(
            "The acta was sent for review to %(num)d member.",
            "The acta was sent for review to %(num)d members.",
            told,
        ),
        "success",
    )
    return _back(found, "meetings.minutes"), 303


@bp.route(f"{SESSION}/acta/aprobar", methods=["GET", "POST"])
def approve(slug: str, number: int):
    mesa, found = _managed(slug, number)
    form = ApproveForm()
    later = records.later_sessions(found)
    form.session.choices = [(m.id, _("Session %(number)d", number=m.number)) for m in later]
    may_chair = permissions.can(current_user, "minutes.approve_as_chair", found)
    context = {"mesa": mesa, "meeting": found, "form": form, "later": later}
    if form.validate_on_submit():
        mode = ApprovalMode(form.mode.data)
        if mode == ApprovalMode.BY_CHAIR and not may_chair:
            form.mode.errors = [_("Only the chair approves an acta outside a session.")]
            return render_template("meetings/approve.html", labels=labels, **context), 403
        in_session = next((m for m in later if m.id == form.session.data), None)
        with carried_out(page=("meetings/approve.html", {**context, "labels": labels})):
            records.approve(found, mode, in_session, current_user)
        flash(_("The acta is approved. Publish it so that anyone can read it."), "success")
        return _back(found, "meetings.minutes")
    return render_template("meetings/approve.html", labels=labels, **context), status_for(form)


@bp.route(f"{SESSION}/acta/publicar", methods=["POST"])
def publish(slug: str, number: int):
    _mesa, found = _managed(slug, number)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with carried_out(back=_page_of(found, "meetings.minutes")):
        records.publish(found, current_user)
    flash(_("The acta and its agreements are now public."), "success")
    return _back(found, "meetings.minutes"), 303


@bp.route(f"{SESSION}/acta/imprimir")
def print_minutes(slug: str, number: int):
    mesa, found = _readable(slug, number)
    history = records.revisions(found.minutes)
    seated = services.seated_on(found)
    present = services.present_ids(found)
    return render_template(
        "meetings/print_minutes.html",
        mesa=mesa,
        meeting=found,
        text=render(history[-1].text) if history else "",
        latest=history[-1] if history else None,
        agenda=services.agenda(found),
        present=[m for m in seated if m.id in present],
        guests=services.guests(found),
        quorum=services.quorum(found, seated, present),
        agreements=records.agreements_of(found),
        commitments=commitment_queries.of_meeting(
            found, permissions.can(current_user, "mesa.read_internal", mesa)
        ),
        render=render,
        labels=labels,
        mesa_labels=mesa_labels,
    )


# Agreements ------------------------------------------------------------------------------------


@bp.route(f"{SESSION}/acuerdos/nuevo", methods=["GET", "POST"])
def record_agreement(slug: str, number: int):
    mesa, found = _managed(slug, number)
    form = AgreementForm()
    replaceable = records.in_force(mesa.id)
    form.replaces.choices = [("", _("None"))] + [
        (a.id, _("Agreement %(label)s", label=a.label)) for a in replaceable
    ]

    concerned = {i.id: i for i in linkable(mesa)}
    form.initiatives.choices = [(i.id, i.title) for i in concerned.values()]
    seated = services.seated_on(found)
    context = {
        "mesa": mesa,
        "meeting": found,
        "form": form,
        "quorum": services.quorum(found, seated, services.present_ids(found)),
    }
    if form.validate_on_submit():
        decision = records.Decision(
            statement=form.statement.data,
            mode=DecisionMode(form.mode.data),
            votes_for=form.votes_for.data,
            votes_against=form.votes_against.data,
            votes_abstaining=form.votes_abstaining.data,
            dissent=form.dissent.data or "",
            review_on=form.review_on.data,
            replaces=next((a for a in replaceable if a.id == form.replaces.data), None),
            reason=form.reason.data or "",
            initiatives=[concerned[i] for i in form.initiatives.data or () if i in concerned],
            correction=form.correction.data or "",
        )
        with carried_out(page=("meetings/record_agreement.html", {**context, "labels": labels})):
            agreement = records.record(found, decision, current_user)
        flash(_("Agreement %(label)s recorded.", label=agreement.label), "success")
        return _back(found)
    return render_template("meetings/record_agreement.html", labels=labels, **context), status_for(
        form
    )


def _agreement_page(mesa, agreement: Agreement, form, status: int = 200):  # type: ignore[no-untyped-def]
    # Commitments hang from sessions and agreements; imported here, they import these.

    replaced = db.session.scalars(
        db.select(Agreement).where(Agreement.replaced_by_id == agreement.id)
    ).all()
    return render_template(
        "meetings/agreement.html",
        mesa=mesa,
        agreement=agreement,
        meeting=agreement.meeting,
        replaced=replaced,
        commitments=commitment_queries.of_meeting(
            agreement.meeting,
            permissions.can(current_user, "mesa.read_internal", mesa),
            agreement,
        ),
        today=clock.today(),
        commitment_labels=commitment_labels,
        render=render,
        form=form,
        labels=labels,
    ), status


@bp.route("/mesas/<slug>/acuerdos/<int:year>/<int:number>")
def agreement(slug: str, year: int, number: int):
    mesa, found = agreement_or_404(slug, year, number)
    permissions.require("meeting.read_record", found.meeting)
    return _agreement_page(mesa, found, None)


@bp.route("/mesas/<slug>/acuerdos/<int:year>/<int:number>/retirar", methods=["GET", "POST"])
def withdraw(slug: str, year: int, number: int):
    mesa, found = agreement_or_404(slug, year, number)
    permissions.require("agreement.withdraw", found)
    form = WithdrawForm()
    if form.validate_on_submit():
        with carried_out(form=form, page=lambda status: _agreement_page(mesa, found, form, status)):
            records.withdraw(found, form.reason.data, current_user)
        flash(_("The agreement is withdrawn; it stays readable with the reason."), "success")
        return redirect(url_for("meetings.agreement", slug=slug, year=year, number=number))
    return _agreement_page(mesa, found, form, INVALID if form.is_submitted() else 200)


# The public record -------------------------------------------------------------------------------


@bp.route("/mesas/<slug>/actas")
def published(slug: str):
    mesa = mesa_queries.mesa_by_slug(slug)
    if mesa is None:
        abort(404)
    return render_template(
        "meetings/published.html",
        mesa=mesa,
        record=published_record(mesa),
        render=render,
        labels=labels,
    )
