"""Session pages: the list, scheduling, the session page, its agenda and its attendance.
Thin: load, ask the policy, call a service, render or redirect."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal import permissions
from portal.commitments import labels as commitment_labels
from portal.commitments import queries as commitment_queries
from portal.core import clock
from portal.core.actions import carried_out
from portal.core.clock import SANTIAGO
from portal.core.forms import EmptyForm, safe_next, status_for
from portal.core.markdown import render
from portal.core.refusals import INVALID
from portal.extensions import db
from portal.initiatives.queries import linkable
from portal.meetings import attachments, bp, labels, records, services
from portal.meetings.forms import (
    AgendaItemForm,
    AttendanceForm,
    CancelForm,
    GuestForm,
    MeetingForm,
    NewMeetingForm,
    RemoveGuestForm,
)
from portal.meetings.models import AgendaItem, Guest, Meeting, MeetingKind, Modality
from portal.meetings.queries import meeting_or_404, meetings_of
from portal.mesas import labels as mesa_labels
from portal.mesas import queries as mesa_queries

SESSION = "/mesas/<slug>/sesiones/<int:number>"


def _managed(slug: str, number: int) -> tuple:
    mesa, meeting = meeting_or_404(slug, number)
    permissions.require("meeting.manage", meeting)
    return mesa, meeting


def _back(meeting: Meeting, endpoint: str = "meetings.meeting"):  # type: ignore[no-untyped-def]
    return redirect(url_for(endpoint, slug=meeting.mesa.slug, number=meeting.number))


def _page_of(meeting: Meeting, endpoint: str = "meetings.meeting") -> str:
    """The address of one of the session's pages: where a button's refusal is shown."""
    return url_for(endpoint, slug=meeting.mesa.slug, number=meeting.number)


def _details(form: MeetingForm) -> services.Details:
    return services.Details(
        day=form.day.data,
        starts=form.starts.data,
        ends=form.ends.data,
        place=form.place.data or "",
        online_url=form.online_url.data or "",
        modality=Modality(form.modality.data),
        kind=MeetingKind(form.kind.data),
    )


# The list and the session page -----------------------------------------------------------------


@bp.route("/mesas/<slug>/sesiones")
def index(slug: str):
    mesa = mesa_queries.mesa_by_slug(slug)
    if mesa is None:
        abort(404)
    upcoming, past = meetings_of(mesa)
    return render_template(
        "meetings/index.html", mesa=mesa, upcoming=upcoming, past=past, labels=labels
    )


@bp.route(SESSION)
def meeting(slug: str, number: int):
    # Commitments hang from sessions and agreements; imported here, they import these.

    mesa, found = meeting_or_404(slug, number)
    seated = services.seated_on(found)
    present = services.present_ids(found)
    readable = permissions.can(current_user, "meeting.read_record", found)
    return render_template(
        "meetings/meeting.html",
        mesa=mesa,
        meeting=found,
        agenda=services.agenda(found),
        seated=seated,
        present=[m for m in seated if m.id in present],
        guests=services.guests(found),
        quorum=services.quorum(found, seated, present),
        agreements=records.agreements_of(found) if readable else [],
        attachments=attachments.attachments_of(found) if readable else [],
        readable=readable,
        commitments=commitment_queries.of_meeting(
            found, permissions.can(current_user, "mesa.read_internal", mesa)
        ),
        today=clock.today(),
        commitment_labels=commitment_labels,
        render=render,
        form=EmptyForm(),
        labels=labels,
        mesa_labels=mesa_labels,
    )


# Scheduling ------------------------------------------------------------------------------------


@bp.route("/mesas/<slug>/sesiones/nueva", methods=["GET", "POST"])
def schedule(slug: str):
    mesa = mesa_queries.mesa_by_slug(slug)
    if mesa is None:
        abort(404)
    permissions.require("mesa.manage", mesa)
    form = NewMeetingForm()
    if form.validate_on_submit():
        with carried_out(
            page=("meetings/schedule.html", {"mesa": mesa, "form": form, "labels": labels}),
            conflict=_(
                "Another session was being recorded at the same moment. Send the form again."
            ),
        ):
            created = services.schedule(
                mesa, _details(form), held=form.held.data == "yes", by=current_user
            )
        flash(_("Session %(number)d recorded.", number=created.number), "success")
        return redirect(url_for("meetings.agenda", slug=slug, number=created.number))
    return render_template(
        "meetings/schedule.html", mesa=mesa, form=form, labels=labels
    ), status_for(form)


@bp.route(f"{SESSION}/editar", methods=["GET", "POST"])
def edit(slug: str, number: int):
    mesa, found = _managed(slug, number)
    form = MeetingForm(obj=found)
    if not form.is_submitted():
        form.day.data = found.day
        form.starts.data = found.local_start.time()
        form.ends.data = found.local_end.time()
    if form.validate_on_submit():
        with carried_out(
            page=(
                "meetings/edit.html",
                {"mesa": mesa, "meeting": found, "form": form, "labels": labels},
            )
        ):
            services.update(found, _details(form), current_user)
        flash(_("Changes saved."), "success")
        return _back(found)
    return render_template(
        "meetings/edit.html", mesa=mesa, meeting=found, form=form, labels=labels
    ), status_for(form)


@bp.route(f"{SESSION}/inicio", methods=["POST"])
def start(slug: str, number: int):
    _mesa, found = _managed(slug, number)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with carried_out(back=_page_of(found, "meetings.meeting")):
        services.start_now(found)
    flash(_("The session has started. Agreements and commitments can be recorded now."), "success")
    page = url_for("meetings.meeting", slug=found.mesa.slug, number=found.number)
    return redirect(safe_next(request.form.get("next"), page), code=303)


@bp.route(f"{SESSION}/realizada", methods=["POST"])
def mark_held(slug: str, number: int):
    _mesa, found = _managed(slug, number)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with carried_out(back=_page_of(found, "meetings.meeting")):
        services.mark_held(found)
    flash(_("The session is recorded as held."), "success")
    return _back(found)


@bp.route(f"{SESSION}/suspender", methods=["GET", "POST"])
def cancel(slug: str, number: int):
    mesa, found = _managed(slug, number)
    form = CancelForm()
    if form.validate_on_submit():
        with carried_out(
            page=(
                "meetings/cancel.html",
                {"mesa": mesa, "meeting": found, "form": form, "labels": labels},
            )
        ):
            services.cancel(found, form.reason.data, current_user)
        flash(_("The session is cancelled; the reason is shown on its page."), "success")
        return _back(found)
    return render_template(
        "meetings/cancel.html", mesa=mesa, meeting=found, form=form, labels=labels
    ), status_for(form)


# The agenda (tabla) ------------------------------------------------------------------------------


def _item(found: Meeting, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != found.id:
        abort(404)
    return item


def _agenda_page(mesa, found: Meeting, form: AgendaItemForm, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template(
        "meetings/agenda.html",
        mesa=mesa,
        meeting=found,
        agenda=services.agenda(found),
        form=form,
        button=EmptyForm(),
        labels=labels,
    ), status


def _linkable(form: AgendaItemForm, mesa) -> set[int]:  # type: ignore[no-untyped-def]
    """The initiatives an agenda item may name; anything else sent is not kept."""

    found = linkable(mesa)
    form.initiative.choices = [("", _("None"))] + [(i.id, i.title) for i in found]
    return {i.id for i in found}


def _chosen(form: AgendaItemForm, allowed: set[int]) -> int | None:
    return form.initiative.data if form.initiative.data in allowed else None


@bp.route(f"{SESSION}/tabla", methods=["GET", "POST"])
def agenda(slug: str, number: int):
    mesa, found = _managed(slug, number)
    form = AgendaItemForm()
    allowed = _linkable(form, mesa)
    if form.validate_on_submit():
        with carried_out(form=form, page=lambda status: _agenda_page(mesa, found, form, status)):
            services.add_item(found, form.title.data, form.notes.data, _chosen(form, allowed))
        flash(_("Item added to the agenda."), "success")
        return _back(found, "meetings.agenda")
    return _agenda_page(mesa, found, form, status_for(form))


@bp.route(f"{SESSION}/tabla/enviar", methods=["POST"])
def send_agenda(slug: str, number: int):
    """Sends the agenda to every member with an account (again after a change)."""
    _mesa, found = _managed(slug, number)
    permissions.require("meeting.send_agenda", found)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with carried_out(back=_page_of(found, "meetings.agenda")):
        told = services.send_agenda(found, current_user)
    flash(
        ngettext(
            "The agenda was sent to %(num)d member.",
            "The agenda was sent to %(num)d members.",
            told,
        ),
        "success",
    )
    return _back(found, "meetings.agenda"), 303


@bp.route(f"{SESSION}/tabla/<int:item_id>/mover", methods=["POST"])
def move_item(slug: str, number: int, item_id: int):
    _mesa, found = _managed(slug, number)
    item = _item(found, item_id)
    direction = request.form.get("direction")
    if not EmptyForm().validate_on_submit() or direction not in ("up", "down"):
        abort(400)
    with carried_out(back=_page_of(found, "meetings.agenda")):
        services.move_item(item, up=direction == "up")
    return _back(found, "meetings.agenda"), 303


@bp.route(f"{SESSION}/tabla/<int:item_id>", methods=["GET", "POST"])
def edit_item(slug: str, number: int, item_id: int):
    mesa, found = _managed(slug, number)
    item = _item(found, item_id)
    form = AgendaItemForm(obj=item)
    allowed = _linkable(form, mesa)
    if form.validate_on_submit():
        context = {"mesa": mesa, "meeting": found, "item": item, "form": form, "labels": labels}
        with carried_out(page=("meetings/edit_item.html", context)):
            services.update_item(item, form.title.data, form.notes.data, _chosen(form, allowed))
        flash(_("Item saved."), "success")
        return _back(found, "meetings.agenda")
    return render_template(
        "meetings/edit_item.html", mesa=mesa, meeting=found, item=item, form=form, labels=labels
    ), status_for(form)


@bp.route(f"{SESSION}/tabla/<int:item_id>/quitar", methods=["GET", "POST"])
def remove_item(slug: str, number: int, item_id: int):
    """Asks before taking an item off the agenda (a button pressed by mistake on a phone
    must not lose what was written), then removes it."""
    mesa, found = _managed(slug, number)
    item = _item(found, item_id)
    if request.method == "GET":
        return render_template("meetings/remove_item.html", mesa=mesa, meeting=found, item=item)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with carried_out(back=_page_of(found, "meetings.agenda")):
        services.remove_item(item)
    flash(_("Item removed from the agenda."), "success")
    return _back(found, "meetings.agenda"), 303


# Attendance ------------------------------------------------------------------------------------


def _attendance_page(mesa, found: Meeting, form, guest_form, status: int = 200):  # type: ignore[no-untyped-def]
    seated = services.seated_on(found)
    present = services.present_ids(found)
    if not form.is_submitted():
        form.present.data = sorted(present)
        form.unnamed.data = found.unnamed_attendees
    form.present.choices = [(m.id, m.person.display_name) for m in seated]
    return render_template(
        "meetings/attendance.html",
        mesa=mesa,
        meeting=found,
        seated=seated,
        chosen=set(form.present.data or ()),
        quorum=services.quorum(found, seated, present),
        guests=services.guests(found),
        form=form,
        guest_form=guest_form,
        button=RemoveGuestForm(formdata=None),
        labels=labels,
        mesa_labels=mesa_labels,
    ), status


@bp.route(f"{SESSION}/asistencia", methods=["GET", "POST"])
def attendance(slug: str, number: int):
    mesa, found = _managed(slug, number)
    form = AttendanceForm()
    if form.validate_on_submit():
        with carried_out(
            form=form,
            page=lambda status: _attendance_page(mesa, found, form, GuestForm(None), status),
        ):
            services.record_attendance(
                found,
                set(form.present.data or ()),
                form.unnamed.data or 0,
                current_user,
                form.correction.data,
            )
        if request.headers.get("HX-Request"):
            # Each tick is saved as it is made; the page answers with the new count.
            return _attendance_page(mesa, found, AttendanceForm(formdata=None), GuestForm(None))
        flash(_("Attendance saved."), "success")
        return _back(found, "meetings.attendance")
    return _attendance_page(mesa, found, form, GuestForm(formdata=None), status_for(form))


@bp.route(f"{SESSION}/asistencia/invitados", methods=["POST"])
def add_guest(slug: str, number: int):
    mesa, found = _managed(slug, number)
    guest_form = GuestForm()
    if guest_form.validate_on_submit():
        with carried_out(
            form=guest_form,
            page=lambda status: _attendance_page(
                mesa, found, AttendanceForm(formdata=None), guest_form, status
            ),
        ):
            services.add_guest(
                found,
                guest_form.name.data,
                guest_form.organization.data,
                current_user,
                guest_form.guest_correction.data,
            )
        flash(_("Guest added."), "success")
        return _back(found, "meetings.attendance")
    return _attendance_page(mesa, found, AttendanceForm(formdata=None), guest_form, INVALID)


@bp.route(f"{SESSION}/asistencia/invitados/<int:guest_id>/quitar", methods=["POST"])
def remove_guest(slug: str, number: int, guest_id: int):
    _mesa, found = _managed(slug, number)
    guest = db.session.get(Guest, guest_id)
    if guest is None or guest.meeting_id != found.id:
        abort(404)
    form = RemoveGuestForm()
    if not form.validate_on_submit():
        abort(400)
    with carried_out(back=_page_of(found, "meetings.attendance")):
        services.remove_guest(guest, current_user, form.correction.data)
    flash(_("Guest removed from the list."), "success")
    return _back(found, "meetings.attendance"), 303


# Print: the agenda with an attendance sheet to sign ------------------------------------------


@bp.route(f"{SESSION}/imprimir")
def print_agenda(slug: str, number: int):
    mesa, found = meeting_or_404(slug, number)
    permissions.require("mesa.read_internal", mesa)
    return render_template(
        "meetings/print_agenda.html",
        mesa=mesa,
        meeting=found,
        agenda=services.agenda(found),
        seated=services.seated_on(found),
        blank_rows=range(8),
        labels=labels,
        mesa_labels=mesa_labels,
        today=clock.now().astimezone(SANTIAGO),
    )
