"""Mesa pages: the public page, joining and leaving, the member directory, and what the
chair and secretary do to manage members. Thin: load, ask the policy, call a service."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.core import clock
from portal.core.actions import carried_out
from portal.core.forms import EmptyForm, status_for
from portal.core.markdown import render
from portal.extensions import db, limiter
from portal.meetings.queries import next_meeting
from portal.mesas import bp, labels, queries, services
from portal.mesas.forms import (
    AddMemberForm,
    DecideForm,
    EditMemberForm,
    EndMembershipForm,
    InviteForm,
    JoinForm,
    LeaveForm,
    LinkAccountForm,
    MesaForm,
    SeatForm,
    ShareForm,
    StatusForm,
    chosen_organization,
    organization_choices,
)
from portal.mesas.models import (
    ActorType,
    FoundingInstrument,
    Invitation,
    JoinRequest,
    Membership,
    Mesa,
    MesaKind,
    MesaStatus,
    QuorumRule,
    Role,
)


def _mesa(slug: str) -> Mesa:
    found = queries.mesa_by_slug(slug)
    if found is None:
        abort(404)
    return found


def _managed(slug: str) -> Mesa:
    mesa = _mesa(slug)
    permissions.require("mesa.manage", mesa)
    return mesa


def _of_mesa(model, id_: int, mesa: Mesa):  # type: ignore[no-untyped-def]
    """A request, membership or invitation of this mesa; another mesa's is not found here."""
    found = db.session.get(model, id_)
    if found is None or found.mesa_id != mesa.id:
        abort(404)
    return found


def _seat(form: SeatForm) -> services.Seat:
    return services.Seat(
        role=Role(form.role.data),
        organization=chosen_organization(form),
        actor_type=ActorType(form.actor_type.data),
        is_delegate=form.is_delegate.data,
    )


@bp.route("/mesas/<slug>")
def mesa(slug: str):

    found = _mesa(slug)
    memberships = queries.memberships_of(found)
    pending = None
    if current_user.is_authenticated and permissions.can(current_user, "mesa.request_join", found):
        pending = services.pending_request(found, current_user)
    return render_template(
        "mesas/mesa.html",
        mesa=found,
        next_meeting=next_meeting(found),
        description=render(found.description),
        related=queries.related_mesas(found),
        territories=queries.territories_of_region(found),
        roster=queries.public_roster(memberships),
        past=[m for m in reversed(memberships) if not m.is_current],
        history=queries.status_history(found),
        pending=pending,
        form=EmptyForm(),
        labels=labels,
    )


# Joining and leaving ---------------------------------------------------------------------------


@bp.route("/mesas/<slug>/unirme", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per hour", methods=["POST"])
def join(slug: str):
    found = _mesa(slug)
    if not permissions.can(current_user, "mesa.request_join", found):
        if permissions.can(current_user, "mesa.leave", found):
            flash(_("You already sit at this mesa."), "info")
            return redirect(url_for("mesas.mesa", slug=slug))
        abort(403)  # a closed mesa
    pending = services.pending_request(found, current_user)
    if pending is not None:
        flash(_("You already asked to join this mesa; the answer is pending."), "info")
        return redirect(url_for("mesas.mesa", slug=slug))
    form = JoinForm()
    form.organization.choices = organization_choices()
    if form.validate_on_submit():
        with carried_out(
            page=("mesas/join.html", {"mesa": found, "form": form, "labels": labels}),
            conflict=_("You already asked to join this mesa."),
        ):
            services.request_to_join(
                found, current_user, chosen_organization(form), form.message.data
            )
        flash(
            _("Your request was sent. The secretary will answer; you will get a notice."),
            "success",
        )
        return redirect(url_for("mesas.mesa", slug=slug))
    return render_template("mesas/join.html", mesa=found, form=form, labels=labels), status_for(
        form
    )


@bp.route("/mesas/<slug>/unirme/retirar", methods=["POST"])
@login_required
def withdraw_request(slug: str):
    found = _mesa(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    pending = services.pending_request(found, current_user)
    if pending is None:
        flash(_("There is no pending request of yours at this mesa."), "info")
    else:
        with carried_out():
            services.withdraw(pending)
        flash(_("Your request was withdrawn."), "success")
    return redirect(url_for("mesas.mesa", slug=slug))


@bp.route("/mesas/<slug>/salir", methods=["GET", "POST"])
@login_required
def leave(slug: str):
    found = _mesa(slug)
    permissions.require("mesa.leave", found)
    membership = services.membership_of_user(found, current_user)
    form = LeaveForm()
    if form.validate_on_submit():
        with carried_out():
            services.end_membership(membership, clock.today(), form.reason.data)
        flash(
            _("You left %(mesa)s. The public history keeps your membership.", mesa=found.name),
            "success",
        )
        return redirect(url_for("mesas.mesa", slug=slug))
    context = {"mesa": found, "membership": membership, "form": form, "labels": labels}
    return render_template("mesas/leave.html", **context), status_for(form)


# Inside the mesa -------------------------------------------------------------------------------


@bp.route("/mesas/<slug>/integrantes", methods=["GET", "POST"])
@login_required
def directory(slug: str):
    found = _mesa(slug)
    permissions.require("mesa.read_internal", found)
    mine = services.membership_of_user(found, current_user)
    form = ShareForm(obj=mine if request.method == "GET" else None)
    if mine is not None and form.validate_on_submit():
        mine.share_email = form.share_email.data
        with carried_out():
            mine.share_phone = form.share_phone.data
        flash(_("Your choice was saved."), "success")
        return redirect(url_for("mesas.directory", slug=slug))
    if form.is_submitted() and mine is None:
        abort(403)
    current = [m for m in queries.memberships_of(found) if m.is_current]
    return render_template(
        "mesas/directory.html",
        mesa=found,
        members=current,
        mine=mine,
        form=form,
        labels=labels,
    ), status_for(form)


@bp.route("/mis-mesas")
@login_required
def mine():
    return render_template(
        "mesas/mine.html",
        memberships=queries.memberships_of_user(current_user),
        requests=queries.requests_of_user(current_user),
        labels=labels,
    )


# Managing members ------------------------------------------------------------------------------


@bp.route("/mesas/<slug>/gestion")
@login_required
def manage(slug: str):
    found = _managed(slug)
    return render_template(
        "mesas/manage.html",
        mesa=found,
        requests=queries.pending_requests(found),
        members=[m for m in queries.memberships_of(found) if m.is_current],
        invitations=queries.open_invitations(found, clock.now()),
        form=EmptyForm(),
        labels=labels,
    )


@bp.route("/mesas/<slug>/solicitudes/<int:request_id>", methods=["GET", "POST"])
@login_required
def decide(slug: str, request_id: int):
    found = _managed(slug)
    join_request: JoinRequest = _of_mesa(JoinRequest, request_id, found)
    form = DecideForm()
    form.may_name_chair = permissions.can(current_user, "mesa.name_chair", found)
    form.organization.choices = organization_choices()
    if request.method == "GET":
        org = join_request.organization
        form.role.data = Role.MEMBER.value
        form.organization.data = org.id if org else None
        form.actor_type.data = (org.actor_type if org else ActorType.SOCIAL).value
    context = {"mesa": found, "join_request": join_request, "form": form}
    if form.validate_on_submit():
        with carried_out(page=("mesas/decide.html", {**context, "labels": labels})):
            if form.decision.data == "approve":
                membership = services.approve(join_request, current_user, _seat(form))
                message = _(
                    "%(name)s is now a member of the mesa.", name=membership.person.display_name
                )
            else:
                services.decline(join_request, current_user, form.reason.data)
                message = _("The request was declined; the person was told why.")
        flash(message, "success")
        return redirect(url_for("mesas.manage", slug=slug))
    return render_template("mesas/decide.html", labels=labels, **context), status_for(form)


@bp.route("/mesas/<slug>/integrantes/nuevo", methods=["GET", "POST"])
@login_required
def add_member(slug: str):
    found = _managed(slug)
    form = AddMemberForm()
    form.may_name_chair = permissions.can(current_user, "mesa.name_chair", found)
    form.organization.choices = organization_choices()
    if form.validate_on_submit():
        with carried_out(
            page=("mesas/add_member.html", {"mesa": found, "form": form, "labels": labels})
        ):
            services.add_member(
                found,
                form.name.data,
                form.phone.data,
                _seat(form),
                form.started_on.data,
                current_user,
                share_phone=form.share_phone.data,
            )
        flash(_("%(name)s was added to the mesa.", name=form.name.data), "success")
        return redirect(url_for("mesas.manage", slug=slug))
    context = {"mesa": found, "form": form, "labels": labels}
    return render_template("mesas/add_member.html", **context), status_for(form)


@bp.route("/mesas/<slug>/integrantes/<int:membership_id>", methods=["GET", "POST"])
@login_required
def edit_membership(slug: str, membership_id: int):
    found = _managed(slug)
    membership: Membership = _of_mesa(Membership, membership_id, found)
    if not membership.is_current:
        abort(404)
    permissions.require("membership.change", membership)
    on_record = membership.person.user_id is None
    form = EditMemberForm()
    form.may_name_chair = permissions.can(current_user, "mesa.name_chair", found)
    if not on_record:
        del form.name, form.phone
    form.organization.choices = organization_choices()
    if request.method == "GET":
        form.role.data = membership.role.value
        form.organization.data = membership.organization_id
        form.actor_type.data = membership.actor_type.value
        form.is_delegate.data = membership.is_delegate
        if on_record:
            form.name.data = membership.person.name
            form.phone.data = membership.person.phone
    context = {"mesa": found, "membership": membership, "form": form}
    if form.validate_on_submit():
        if on_record:
            membership.person.name = form.name.data
            membership.person.phone = form.phone.data
        with carried_out(page=("mesas/edit_membership.html", {**context, "labels": labels})):
            services.change_seat(membership, _seat(form), current_user)
        flash(_("The changes were saved."), "success")
        return redirect(url_for("mesas.manage", slug=slug))
    return render_template("mesas/edit_membership.html", labels=labels, **context), status_for(form)


@bp.route("/mesas/<slug>/integrantes/<int:membership_id>/termino", methods=["GET", "POST"])
@login_required
def end_membership(slug: str, membership_id: int):
    found = _managed(slug)
    membership: Membership = _of_mesa(Membership, membership_id, found)
    permissions.require("membership.end", membership)
    form = EndMembershipForm()
    context = {"mesa": found, "membership": membership, "form": form}
    if form.validate_on_submit():
        with carried_out(page=("mesas/end_membership.html", {**context, "labels": labels})):
            services.end_membership(membership, form.ended_on.data, form.reason.data)
        flash(
            _("The membership of %(name)s ended.", name=membership.person.display_name), "success"
        )
        return redirect(url_for("mesas.manage", slug=slug))
    return render_template("mesas/end_membership.html", labels=labels, **context), status_for(form)


@bp.route("/mesas/<slug>/integrantes/<int:membership_id>/cuenta", methods=["GET", "POST"])
@login_required
def link_account(slug: str, membership_id: int):
    found = _managed(slug)
    membership: Membership = _of_mesa(Membership, membership_id, found)
    if membership.person.user_id is not None:
        abort(404)
    form = LinkAccountForm()
    context = {"mesa": found, "membership": membership, "form": form}
    if form.validate_on_submit():
        # Whether an account has this address is never said: the link goes to the address, and
        # only its owner, signed in with it, can join the record to their account.
        seat = services.Seat(
            role=membership.role,
            organization=membership.organization,
            actor_type=membership.actor_type,
        )
        name = membership.person.display_name
        with carried_out(page=("mesas/link_account.html", {**context, "labels": labels})):
            services.invite(found, form.email.data, name, seat, current_user, record=membership)
        flash(
            _(
                "We sent a link to %(email)s. When %(name)s opens it, signed in with the account"
                " of that address, the record joins that account.",
                email=form.email.data,
                name=name,
            ),
            "success",
        )
        return redirect(url_for("mesas.manage", slug=slug))
    return render_template("mesas/link_account.html", labels=labels, **context), status_for(form)


@bp.route("/mesas/<slug>/invitar", methods=["GET", "POST"])
@login_required
@limiter.limit("60 per hour", methods=["POST"])
def invite(slug: str):
    found = _managed(slug)
    form = InviteForm()
    form.may_name_chair = permissions.can(current_user, "mesa.name_chair", found)
    form.organization.choices = organization_choices()
    if form.validate_on_submit():
        seat = services.Seat(
            role=Role(form.role.data),
            organization=chosen_organization(form),
            actor_type=ActorType.SOCIAL,
        )
        with carried_out():
            services.invite(found, form.email.data, form.name.data, seat, current_user)
        flash(_("The invitation was sent to %(email)s.", email=form.email.data), "success")
        return redirect(url_for("mesas.manage", slug=slug))
    context = {"mesa": found, "form": form, "labels": labels}
    return render_template("mesas/invite.html", **context), status_for(form)


@bp.route("/mesas/<slug>/invitaciones/<int:invitation_id>/anular", methods=["POST"])
@login_required
def cancel_invitation(slug: str, invitation_id: int):
    found = _managed(slug)
    invitation: Invitation = _of_mesa(Invitation, invitation_id, found)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with carried_out(back=url_for("mesas.manage", slug=slug)):
        services.cancel_invitation(invitation)
    flash(_("The invitation to %(email)s was cancelled.", email=invitation.email), "success")
    return redirect(url_for("mesas.manage", slug=slug))


@bp.route("/invitaciones/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def invitation(token: str):
    found = services.find_invitation(token)
    problem = services.invitation_problem(found)
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    if problem:
        return render_template("mesas/invitation_invalid.html", problem=problem), 410, headers
    form = EmptyForm()
    if current_user.is_authenticated and form.validate_on_submit():
        with carried_out(back=url_for("mesas.mesa", slug=found.mesa.slug)):
            services.accept_invitation(found, current_user)
        flash(_("Welcome to %(mesa)s.", mesa=found.mesa.name), "success")
        return redirect(url_for("mesas.mesa", slug=found.mesa.slug))
    if form.is_submitted() and not current_user.is_authenticated:
        # Accepting needs an account: log in (or register from there) and come back.
        return redirect(url_for("accounts.login", next=request.path), code=303)
    context = {
        "invitation": found,
        "form": form,
        "labels": labels,
        "token": token,
        "for_me": current_user.is_authenticated and services.invitation_is_for(found, current_user),
    }
    return render_template("mesas/invitation.html", **context), status_for(form), headers


@bp.route("/mesas/<slug>/estado", methods=["GET", "POST"])
@login_required
def change_status(slug: str):
    found = _managed(slug)
    form = StatusForm()
    context = {"mesa": found, "form": form}
    if form.validate_on_submit():
        with carried_out(page=("mesas/status.html", {**context, "labels": labels})):
            services.change_status(
                found, MesaStatus(form.status.data), form.since.data, form.reason.data, current_user
            )
        flash(_("The status of the mesa was changed."), "success")
        return redirect(url_for("mesas.mesa", slug=slug))
    return render_template("mesas/status.html", labels=labels, **context), status_for(form)


@bp.route("/mesas/<slug>/editar", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    found = _managed(slug)
    form = MesaForm(obj=found if request.method == "GET" else None)
    if request.method == "GET":
        form.founding_instrument.data = (
            found.founding_instrument.value if found.founding_instrument else ""
        )
        form.quorum_rule.data = found.quorum_rule.value
    if form.validate_on_submit():
        found.name = form.name.data
        found.theme = form.theme.data if found.kind == MesaKind.THEMATIC else ""
        found.chair_title = form.chair_title.data
        found.description = form.description.data or ""
        found.pre_existing = form.pre_existing.data
        instrument = form.founding_instrument.data
        found.founding_instrument = FoundingInstrument(instrument) if instrument else None
        found.founded_on = form.founded_on.data
        with carried_out():
            found.quorum_rule = QuorumRule(form.quorum_rule.data)
        flash(_("The changes were saved."), "success")
        return redirect(url_for("mesas.mesa", slug=slug))
    context = {"mesa": found, "form": form, "labels": labels}
    return render_template("mesas/edit.html", **context), status_for(form)
