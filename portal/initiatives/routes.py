"""Initiative pages: proposing at a mesa, the public page with its timeline, editing, moving
it along its path, the lists of a mesa and of a territory, and similar initiatives."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal import permissions
from portal.commitments import labels as commitment_labels
from portal.convenios import services as convenio_services
from portal.core.actions import carried_out
from portal.core.forms import EmptyForm
from portal.core.guards import read_int
from portal.core.markdown import render
from portal.core.refusals import INVALID
from portal.extensions import db
from portal.initiatives import bp, deliberation, labels, queries, services
from portal.initiatives.forms import (
    AnswerForm,
    CommentForm,
    EditInitiativeForm,
    InitiativeForm,
    StatusForm,
)
from portal.initiatives.models import (
    BeneficiaryUnit,
    EvaluationMethod,
    EvaluationResult,
    Initiative,
    InitiativeKind,
    Ownership,
    Stage,
    Status,
)
from portal.mesas import labels as mesa_labels
from portal.mesas import queries as mesa_queries
from portal.mesas.models import Organization
from portal.places.models import Comuna
from portal.plans import progress
from portal.reference.models import GapDimension, StrategicObjective


def _initiative(initiative_id: int, action: str = "initiative.view") -> Initiative:
    found = db.session.get(Initiative, initiative_id)
    if found is None:
        abort(404)
    if action == "initiative.view" and not permissions.can(current_user, action, found):
        abort(404)  # a draft is nobody else's business: not even that it exists
    permissions.require(action, found)
    return found


def _details(form: InitiativeForm) -> services.Details:
    def chosen(model, ids):  # type: ignore[no-untyped-def]
        ids = list(ids or ())
        return list(db.session.scalars(db.select(model).where(model.id.in_(ids)))) if ids else []

    def one(model, id_):  # type: ignore[no-untyped-def]
        return db.session.get(model, id_) if id_ else None

    return services.Details(
        title=form.title.data,
        summary=form.summary.data,
        description=form.description.data or "",
        kind=InitiativeKind(form.kind.data),
        ownership=Ownership(form.ownership.data),
        stage=Stage(form.stage.data),
        gaps=chosen(GapDimension, form.gaps.data),
        objective=one(StrategicObjective, form.objective.data),
        comunas=chosen(Comuna, form.comunas.data),
        localities=form.localities.data or "",
        beneficiaries=form.beneficiaries.data,
        beneficiary_unit=(
            BeneficiaryUnit(form.beneficiary_unit.data) if form.beneficiary_unit.data else None
        ),
        estimated_cost=form.estimated_cost.data,
        funding={
            source: getattr(form, name).data or 0
            for source, name in InitiativeForm.FUNDING_FIELDS.items()
        },
        ministry=form.ministry.data or "",
        responsible=one(Organization, form.responsible.data),
        proposing_organization=one(Organization, form.proposing_organization.data),
        bip_code=form.bip_code.data or "",
        evaluation_method=(
            EvaluationMethod(form.evaluation_method.data) if form.evaluation_method.data else None
        ),
        evaluation_result=EvaluationResult(form.evaluation_result.data),
    )


def _fill(form: InitiativeForm, initiative: Initiative) -> None:
    """The form as the initiative is now."""
    for name in ("title", "summary", "description", "localities", "bip_code"):
        getattr(form, name).data = getattr(initiative, name)
    form.kind.data = initiative.kind.value
    form.ownership.data = initiative.ownership.value
    form.stage.data = initiative.stage.value
    form.gaps.data = [g.id for g in initiative.gaps]
    form.comunas.data = [c.id for c in initiative.comunas]
    form.objective.data = initiative.objective_id
    form.beneficiaries.data = initiative.beneficiaries
    form.beneficiary_unit.data = (
        initiative.beneficiary_unit.value if initiative.beneficiary_unit else ""
    )
    form.estimated_cost.data = initiative.estimated_cost
    amounts = {line.source: line for line in initiative.funding}
    for source, name in InitiativeForm.FUNDING_FIELDS.items():
        getattr(form, name).data = amounts[source].amount if source in amounts else None
        if source.value == "sectoral" and source in amounts:
            form.ministry.data = amounts[source].ministry
    form.responsible.data = initiative.responsible_id
    form.proposing_organization.data = initiative.proposing_organization_id
    form.evaluation_method.data = (
        initiative.evaluation_method.value if initiative.evaluation_method else ""
    )
    form.evaluation_result.data = initiative.evaluation_result.value


def _form_page(template: str, status: int = 200, **context):  # type: ignore[no-untyped-def]
    form = context["form"]
    text = f"{form.title.data or ''} {form.summary.data or ''}".strip()
    exclude = context["initiative"].id if context.get("initiative") else None
    context["similar"] = (
        services.similar(context["mesa"].territory_id, text, exclude=exclude) if text else []
    )
    return render_template(template, labels=labels, **context), status


@bp.route("/mesas/<slug>/iniciativas")
def of_mesa(slug: str):
    mesa = mesa_queries.mesa_by_slug(slug)
    if mesa is None:
        abort(404)
    return render_template(
        "initiatives/of_mesa.html",
        mesa=mesa,
        initiatives=queries.of_mesa(mesa, current_user),
        labels=labels,
    )


@bp.route("/mesas/<slug>/iniciativas/nueva", methods=["GET", "POST"])
def propose(slug: str):
    mesa = mesa_queries.mesa_by_slug(slug)
    if mesa is None:
        abort(404)
    permissions.require("initiative.propose", mesa)
    form = InitiativeForm()
    form.fill_choices(mesa)
    if not form.is_submitted():
        form.proposing_organization.data = queries.organization_of(current_user, mesa)
    if "check" in request.form:
        # "Look for similar initiatives" (without JavaScript): the form comes back as typed.
        return _form_page("initiatives/propose.html", mesa=mesa, form=form, checked=True)
    if form.validate_on_submit():
        with carried_out(
            form=form,
            page=lambda status: _form_page(
                "initiatives/propose.html", status, mesa=mesa, form=form
            ),
        ):
            created = services.propose(
                mesa, _details(form), current_user, as_draft="draft" in request.form
            )
        if created.is_draft:
            flash(_("Saved as a draft. Only you and the mesa's secretary see it."), "success")
        else:
            flash(_("The initiative was proposed to the mesa."), "success")
        return redirect(url_for("initiatives.initiative", initiative_id=created.id))
    status = INVALID if form.is_submitted() else 200
    return _form_page("initiatives/propose.html", status, mesa=mesa, form=form)


@bp.route("/iniciativas/parecidas")
def similar():
    """A fragment for the proposal form (htmx): similar initiatives of the territory."""
    territory_id = read_int(request.args.get("territorio", ""))
    if territory_id is None:
        abort(400)
    text = f"{request.args.get('title', '')} {request.args.get('summary', '')}"[:1000]
    return render_template(
        "initiatives/_similar.html",
        similar=services.similar(territory_id, text),
        checked=True,
        labels=labels,
    )


def initiative_page(
    found: Initiative,
    comment_form: CommentForm | None = None,
    answer_forms: dict[int, AnswerForm] | None = None,
    status: int = 200,
):  # type: ignore[no-untyped-def]
    """The initiative's page, with its deliberation; a comment or answer sent with errors
    comes back in its form, as typed."""
    threads = deliberation.threads(found)
    answers = answer_forms or {}
    if permissions.can(current_user, "initiative.answer", found):
        for thread in threads:
            answers.setdefault(
                thread.comment.id, AnswerForm(formdata=None, prefix=f"a{thread.comment.id}")
            )
    commitments = progress.commitments_of([found.id])[found.id]
    return render_template(
        "initiatives/initiative.html",
        initiative=found,
        commitments=commitments,
        convenios=convenio_services.of_initiative(found.id),
        rollup=progress.of_initiative(found, commitments),
        progress_words=progress.in_words,
        commitment_labels=commitment_labels,
        mesa=found.mesa,
        description=render(found.description),
        timeline=services.timeline(found),
        agreements=[
            a
            for a in queries.agreements_about(found)
            if permissions.can(current_user, "meeting.read_record", a.meeting)
        ],
        threads=threads,
        seats=deliberation.seats(found),
        counts=deliberation.counts(found),
        supported=current_user.is_authenticated and deliberation.supports(found, current_user),
        comment_form=comment_form or CommentForm(formdata=None),
        answer_forms=answers,
        button=EmptyForm(),
        labels=labels,
        mesa_labels=mesa_labels,
    ), status


@bp.route("/iniciativas/<int:initiative_id>")
def initiative(initiative_id: int):
    return initiative_page(_initiative(initiative_id))


@bp.route("/iniciativas/<int:initiative_id>/editar", methods=["GET", "POST"])
def edit(initiative_id: int):
    found = _initiative(initiative_id)
    permissions.require("initiative.edit", found)
    form = EditInitiativeForm()
    form.fill_choices(found.mesa, keep_objective=found.objective_id)
    if not form.is_submitted():
        _fill(form, found)
    context = {"mesa": found.mesa, "initiative": found, "form": form}
    if form.validate_on_submit():
        with carried_out(
            form=form, page=lambda status: _form_page("initiatives/edit.html", status, **context)
        ):
            services.update(found, _details(form), current_user, form.reason.data or "")
        flash(_("Changes saved."), "success")
        return redirect(url_for("initiatives.initiative", initiative_id=found.id))
    return _form_page("initiatives/edit.html", INVALID if form.is_submitted() else 200, **context)


def _steps(found: Initiative) -> list[SelectChoice]:
    """The changes of status this person may make now."""
    steps = []
    following = services.next_status(found)
    advance = permissions.can(current_user, "initiative.advance", found)
    if following is not None and (
        advance
        or (
            following == Status.PROPOSED and permissions.can(current_user, "initiative.edit", found)
        )
    ):
        steps.append(SelectChoice(following.value, labels.STATUS[following]))
    if permissions.can(current_user, "initiative.withdraw", found):
        steps.append(SelectChoice(Status.WITHDRAWN.value, labels.STATUS[Status.WITHDRAWN]))
    if advance and not found.has_ended:
        steps.append(SelectChoice(Status.DISCARDED.value, labels.STATUS[Status.DISCARDED]))
    return steps


@bp.route("/iniciativas/<int:initiative_id>/estado", methods=["GET", "POST"])
def change_status(initiative_id: int):
    found = _initiative(initiative_id)
    steps = _steps(found)
    if not steps:
        permissions.require("initiative.advance", found)
    form = StatusForm()
    form.status.choices = steps
    if form.validate_on_submit():
        context = {"initiative": found, "form": form, "labels": labels}
        with carried_out(page=("initiatives/status.html", context)):
            services.change_status(found, Status(form.status.data), form.reason.data, current_user)
        flash(
            _("The initiative is now: %(status)s.", status=labels.STATUS[found.status]), "success"
        )
        return redirect(url_for("initiatives.initiative", initiative_id=found.id))
    return render_template("initiatives/status.html", initiative=found, form=form, labels=labels), (
        INVALID if form.is_submitted() else 200
    )


@bp.route("/territorios/<slug>/iniciativas")
def of_territory(slug: str):
    territory = queries.territory_by_slug(slug)
    if territory is None:
        abort(404)
    status = request.args.get("estado", "")
    chosen = Status(status) if status in {s.value for s in Status} else None
    page = max(request.args.get("pagina", 1, type=int) or 1, 1)
    rows, total = queries.of_territory(territory, chosen, page)
    return render_template(
        "initiatives/of_territory.html",
        territory=territory,
        initiatives=rows,
        total=total,
        page=page,
        pages=max((total + queries.PAGE - 1) // queries.PAGE, 1),
        chosen=chosen,
        counts=queries.counts_by_status(territory),
        labels=labels,
    )
