"""A commitment's page and the actions on it. Thin: load, ask the policy, call the service,
commit once, redirect."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import permissions
from portal.commitments import bp, labels, queries, services
from portal.commitments.forms import (
    AnswerForm,
    CancelForm,
    CommitmentForm,
    DeclineForm,
    ObservationForm,
    RescheduleForm,
    UpdateForm,
    ValidateForm,
)
from portal.commitments.models import Commitment, CommitmentStatus, Observation
from portal.core import clock
from portal.core.actions import carried_out
from portal.core.formatting import date as format_day
from portal.core.forms import EmptyForm, status_for
from portal.core.guards import read_int
from portal.core.refusals import INVALID
from portal.extensions import db, limiter
from portal.initiatives.queries import linkable
from portal.meetings import attachments
from portal.meetings.queries import meeting_or_404
from portal.mesas.forms import organization_choices
from portal.mesas.models import Organization


def _address(commitment: Commitment, anchor: str = "") -> str:
    return url_for("commitments.commitment", commitment_id=commitment.id) + anchor


def _to_page(commitment: Commitment, anchor: str = ""):  # type: ignore[no-untyped-def]
    return redirect(_address(commitment, anchor), code=303)


# Recording in a session -------------------------------------------------------------------------


@bp.route("/mesas/<slug>/sesiones/<int:number>/compromisos/nuevo", methods=["GET", "POST"])
def new(slug: str, number: int):
    mesa, meeting = meeting_or_404(slug, number)
    permissions.require("commitment.record", meeting)
    form = CommitmentForm()
    form.taken_on = meeting.day
    agreements = queries.agreements_of_meeting(meeting)
    form.agreement.choices = [("", _("None: recorded directly in the session"))] + [
        (a.id, _("Agreement %(label)s", label=a.label)) for a in agreements
    ]
    form.organization.choices = [("", _("Choose the institution")), *organization_choices()[1:]]
    territory = mesa.territory
    comunas = territory.comunas_on(meeting.day) if territory is not None else []
    form.comunas.choices = [(c.id, c.name) for c in comunas]

    served = {i.id: i for i in linkable(mesa)}
    form.initiatives.choices = [(i.id, i.title) for i in served.values()]
    chosen = read_int(request.args.get("acuerdo", ""))
    if request.method == "GET" and chosen is not None:
        form.agreement.data = chosen
    context = {"mesa": mesa, "meeting": meeting, "form": form}
    if form.validate_on_submit():
        data = services.CommitmentData(
            organization=db.session.get(Organization, form.organization.data),
            deliverable=form.deliverable.data,
            due_on=form.due_on.data,
            official=form.official.data or "",
            amount=form.amount.data,
            agreement=next((a for a in agreements if a.id == form.agreement.data), None),
            comunas=[c for c in comunas if c.id in set(form.comunas.data or ())],
            initiatives=[served[i] for i in form.initiatives.data or () if i in served],
            milestones=[
                (row.what.data, row.due_on.data)
                for row in form.milestones
                if row.what.data and row.due_on.data
            ],
            is_public=form.is_public.data,
            correction=form.correction.data or "",
        )
        with carried_out(page=("commitments/new.html", {**context})):
            commitment = services.record(meeting, data, current_user)
        flash(
            _(
                "Commitment recorded: %(institution)s, due %(due)s.",
                institution=commitment.organization.short_name or commitment.organization.name,
                due=format_day(commitment.due_on),
            ),
            "success",
        )
        if request.form.get("another"):
            return redirect(
                url_for(
                    "commitments.new",
                    slug=slug,
                    number=number,
                    acuerdo=commitment.agreement_id or "",
                ),
                code=303,
            )
        return _to_page(commitment)
    return render_template("commitments/new.html", **context), status_for(form)


# The page -------------------------------------------------------------------------------------


def _page(commitment: Commitment, status: int = 200, **forms):  # type: ignore[no-untyped-def]
    moderates = permissions.can(current_user, "commitment.moderate", commitment)
    history = queries.history_of(commitment, with_unpublished=moderates)
    return (
        render_template(
            "commitments/commitment.html",
            commitment=commitment,
            history=history,
            labels=labels,
            today=clock.today(),
            moderates=moderates,
            answers=permissions.can(current_user, "commitment.answer", commitment),
            observation_form=forms.get("observation_form") or ObservationForm(),
            button=EmptyForm(),
            agreement_readable=commitment.agreement is not None
            and permissions.can(current_user, "meeting.read_record", commitment.meeting),
        ),
        status,
    )


@bp.route("/compromisos/<int:commitment_id>")
def commitment(commitment_id: int):
    found = queries.commitment_or_404(commitment_id)
    permissions.require("commitment.view", found)
    return _page(found)


# Progress and due dates ---------------------------------------------------------------------------


@bp.route("/compromisos/<int:commitment_id>/avance", methods=["GET", "POST"])
@limiter.limit("60 per hour", methods=["POST"])
def report(commitment_id: int):
    found = queries.commitment_or_404(commitment_id)
    permissions.require("commitment.report", found)
    form = UpdateForm()
    open_milestones = [m for m in found.milestones if m.reached_on is None]
    form.milestone.choices = [("", _("None"))] + [
        (m.id, f"{m.description} ({format_day(m.due_on)})") for m in open_milestones
    ]
    context = {
        "commitment": found,
        "form": form,
        "limit": attachments.human_size(_upload_limit()),
        "allowed": attachments.ALLOWED_IN_WORDS,
    }
    if form.validate_on_submit():
        data = services.UpdateData(
            reported_on=form.reported_on.data,
            text=form.text.data,
            percent=form.percent.data,
            done_on=form.done_on.data,
            milestone=next((m for m in open_milestones if m.id == form.milestone.data), None),
            links=[
                (row.title.data or row.url.data, row.url.data) for row in form.links if row.url.data
            ],
        )
        received: list[attachments.Received] = []

        def discard_files() -> None:
            for kept in received:
                attachments.discard(kept.key)

        with carried_out(page=("commitments/progress.html", context), undo=discard_files):
            services.check_update(found, data)
            for upload in form.files.data or ():
                if upload and upload.filename:
                    received.append(attachments.receive(upload.stream, upload.filename))
            data.files = received
            services.report(found, data, current_user)
        flash(_("Progress update published."), "success")
        return _to_page(found, "#historia")
    return render_template("commitments/progress.html", **context), status_for(form)


def _upload_limit() -> int:
    return current_app.config["UPLOAD_MAX_BYTES"]


@bp.route("/compromisos/<int:commitment_id>/nueva-fecha", methods=["GET", "POST"])
def reschedule(commitment_id: int):
    found = queries.commitment_or_404(commitment_id)
    permissions.require("commitment.report", found)
    form = RescheduleForm()
    context = {"commitment": found, "form": form}
    if form.validate_on_submit():
        with carried_out(page=("commitments/reschedule.html", {**context})):
            services.reschedule(found, form.due_on.data, form.reason.data, current_user)
        flash(
            _(
                "New due date: %(due)s. The original date stays on record.",
                due=format_day(found.due_on),
            ),
            "success",
        )
        return _to_page(found, "#historia")
    return render_template("commitments/reschedule.html", **context), status_for(form)


@bp.route("/compromisos/<int:commitment_id>/evidencias/<int:evidence_id>")
def evidence(commitment_id: int, evidence_id: int):
    found = queries.commitment_or_404(commitment_id)
    permissions.require("commitment.view", found)
    item = queries.evidence_or_404(found, evidence_id)
    return attachments.send_stored(
        item.storage_key, item.content_type, item.filename, item.sha256, found.is_public
    )


# The mesa's word -----------------------------------------------------------------------------


@bp.route("/compromisos/<int:commitment_id>/validar", methods=["GET", "POST"])
def validate(commitment_id: int):
    found = queries.commitment_or_404(commitment_id)
    permissions.require("commitment.validate", found)
    form = ValidateForm()
    sessions = queries.sessions_for_validation(found)
    agreements = queries.agreements_for_validation(found)
    form.meeting.choices = [("", _("Choose the session"))] + [
        (m.id, _("Session %(number)d, %(day)s", number=m.number, day=format_day(m.day)))
        for m in sessions
    ]
    form.agreement.choices = [("", _("None"))] + [
        (a.id, _("Agreement %(label)s", label=a.label)) for a in agreements
    ]
    if request.method == "GET" and found.reported_done_on is not None:
        form.done_on.data = found.reported_done_on
    context = {"commitment": found, "form": form, "labels": labels}
    if form.validate_on_submit():
        with carried_out(page=("commitments/validate.html", {**context})):
            services.validate(
                found,
                CommitmentStatus(form.outcome.data),
                form.done_on.data,
                next((m for m in sessions if m.id == form.meeting.data), None),
                next((a for a in agreements if a.id == form.agreement.data), None),
                form.note.data or "",
                current_user,
            )
        flash(
            _("Validated by the mesa: %(outcome)s.", outcome=labels.STATUS[found.status]),
            "success",
        )
        return _to_page(found, "#historia")
    return render_template("commitments/validate.html", **context), status_for(form)


@bp.route("/compromisos/<int:commitment_id>/cancelar", methods=["GET", "POST"])
def cancel(commitment_id: int):
    found = queries.commitment_or_404(commitment_id)
    permissions.require("commitment.cancel", found)
    form = CancelForm()
    context = {"commitment": found, "form": form}
    if form.validate_on_submit():
        with carried_out(page=("commitments/cancel.html", {**context})):
            services.cancel(found, form.reason.data, current_user)
        flash(_("The commitment is cancelled; it stays on record with the reason."), "success")
        return _to_page(found)
    return render_template("commitments/cancel.html", **context), status_for(form)


# Observations -------------------------------------------------------------------------------------


def _observation_page(commitment: Commitment, form: ObservationForm, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template(
        "commitments/observe.html", commitment=commitment, observation_form=form
    ), status


@bp.route("/compromisos/<int:commitment_id>/observaciones", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def observe(commitment_id: int):
    """The observation form on a page of its own (a visitor reaches it by a link, so that the
    commitment's page holds no form token and is kept rendered); a signed-in person also has
    it on the commitment's page. What was typed comes back here with what to fix."""
    found = queries.commitment_or_404(commitment_id)
    permissions.require("commitment.observe", found)
    form = ObservationForm()
    if request.method == "GET":
        return _observation_page(found, form)
    if not form.validate_on_submit():
        return _observation_page(found, form, INVALID)
    author = current_user if current_user.is_authenticated else None
    with carried_out(form=form, page=lambda status: _observation_page(found, form, status)):
        services.observe(found, form.text.data, author, form.name.data or "", form.email.data or "")
    flash(
        _("Thank you. The secretary of the mesa will review it before it is published."),
        "success",
    )
    return _to_page(found, "#observaciones")


def _observation_or_404(commitment: Commitment, observation_id: int) -> Observation:
    found = db.session.get(Observation, observation_id)
    if found is None or found.commitment_id != commitment.id:
        abort(404)
    return found


@bp.route(
    "/compromisos/<int:commitment_id>/observaciones/<int:observation_id>/publicar",
    methods=["POST"],
)
def publish_observation(commitment_id: int, observation_id: int):
    found = queries.commitment_or_404(commitment_id)
    permissions.require("commitment.moderate", found)
    observation = _observation_or_404(found, observation_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with carried_out(back=_address(found, "#observaciones")):
        services.publish_observation(observation, current_user)
    flash(_("The observation is published."), "success")
    return _to_page(found, "#observaciones")


@bp.route(
    "/compromisos/<int:commitment_id>/observaciones/<int:observation_id>/rechazar",
    methods=["GET", "POST"],
)
def decline_observation(commitment_id: int, observation_id: int):
    found = queries.commitment_or_404(commitment_id)
    permissions.require("commitment.moderate", found)
    observation = _observation_or_404(found, observation_id)
    form = DeclineForm()
    context = {"commitment": found, "observation": observation, "form": form}
    if form.validate_on_submit():
        with carried_out(page=("commitments/decline.html", {**context})):
            services.decline_observation(observation, form.reason.data, current_user)
        flash(_("The observation will not be published; the reason is kept."), "success")
        return _to_page(found, "#observaciones")
    return render_template("commitments/decline.html", **context), status_for(form)


@bp.route(
    "/compromisos/<int:commitment_id>/observaciones/<int:observation_id>/responder",
    methods=["GET", "POST"],
)
def answer_observation(commitment_id: int, observation_id: int):
    """The institution's representative answers a published observation, in public."""
    found = queries.commitment_or_404(commitment_id)
    permissions.require("commitment.answer", found)
    observation = _observation_or_404(found, observation_id)
    form = AnswerForm()
    context = {"commitment": found, "observation": observation, "form": form}
    if form.validate_on_submit():
        with carried_out(page=("commitments/answer.html", {**context})):
            services.answer_observation(observation, form.answer.data, current_user)
        flash(_("The answer is published beside the observation."), "success")
        return _to_page(found, "#observaciones")
    return render_template("commitments/answer.html", **context), status_for(form)
