"""Round pages: the list of a mesa, opening a round, the ballot, the room's tallies, closing
in a session and the results. Thin: load, ask the policy, call a service."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import permissions
from portal.core.actions import carried_out
from portal.core.forms import EmptyForm
from portal.core.guards import read_int
from portal.core.refusals import INVALID
from portal.extensions import db, limiter
from portal.meetings.models import Meeting, MeetingStatus
from portal.mesas import queries as mesa_queries
from portal.mesas.models import Mesa
from portal.rounds import bp, labels
from portal.rounds import services as rounds
from portal.rounds.forms import CancelRoundForm, CloseRoundForm, ImportRoundForm, RoundForm
from portal.rounds.models import Method, Round
from portal.rounds.queries import round_or_404


def _mesa(slug: str) -> Mesa:
    found = mesa_queries.mesa_by_slug(slug)
    if found is None:
        abort(404)
    return found


@bp.route("/mesas/<slug>/rondas")
def rounds_of(slug: str):
    mesa = _mesa(slug)
    found = db.session.scalars(
        sa.select(Round).where(Round.mesa_id == mesa.id).order_by(Round.created_at.desc())
    ).all()
    return render_template("rounds/rounds.html", mesa=mesa, rounds=found, labels=labels)


@bp.route("/mesas/<slug>/rondas/nueva", methods=["GET", "POST"])
def open_round(slug: str):
    mesa = _mesa(slug)
    permissions.require("mesa.manage", mesa)
    choices = rounds.eligible(mesa)
    form = RoundForm()
    form.initiatives.choices = [(i.id, i.title) for i in choices]
    if not form.is_submitted():
        form.initiatives.data = [i.id for i in choices]
    if form.validate_on_submit():
        try:
            criteria = form.parsed_criteria() if form.method.data == Method.MATRIX else ()
        except ValueError as problem:
            form.criteria.errors = [str(problem)]
        else:
            chosen = [i for i in choices if i.id in set(form.initiatives.data or ())]
            setup = rounds.Setup(
                title=form.title.data,
                method=Method(form.method.data),
                initiatives=chosen,
                points=form.points.data,
                max_choices=form.max_choices.data,
                criteria=criteria,
                secret=form.secret.data,
                by_tally=form.by_tally.data,
                budget=form.budget.data,
            )
            context = {"mesa": mesa, "form": form, "labels": labels}
            with carried_out(page=("rounds/open_round.html", context)):
                created = rounds.open_round(mesa, setup, current_user)
            flash(_("The round is open."), "success")
            return redirect(url_for("rounds.round_page", round_id=created.id))
    status = INVALID if form.is_submitted() else 200
    return render_template("rounds/open_round.html", mesa=mesa, form=form, labels=labels), status


def _values(found: Round) -> rounds.Values:
    """The ballot as sent: fields ``v-<item>`` or ``v-<item>-<criterion>``; empty is 0."""
    values: rounds.Values = {}
    for item in found.items:
        keys = [(item.id, c.id) for c in found.criteria] or [(item.id, None)]
        for item_id, criterion in keys:
            name = f"v-{item_id}" + (f"-{criterion}" if criterion else "")
            raw = request.form.get(name, "").strip()
            if found.method == Method.APPROVAL:
                values[(item_id, criterion)] = 1 if raw else 0
                continue
            if not raw:
                values[(item_id, criterion)] = 0
                continue
            number = read_int(raw)
            if number is None:
                raise rounds.Refused(_("Write whole numbers only, like 0, 1 or 2."), INVALID)
            values[(item_id, criterion)] = number
    return values


def round_page(  # type: ignore[no-untyped-def]
    found: Round,
    typed: rounds.Values | None = None,
    status: int = 200,
    cancel_form: CancelRoundForm | None = None,
    ballot_form: EmptyForm | None = None,
):
    mine = None
    if current_user.is_authenticated and typed is None:
        ballot = rounds.ballot_of(found, current_user)
        if ballot is not None:
            mine = {(e.item_id, e.criterion_id): e.value for e in ballot.entries}
    meetings = []
    if found.is_open and permissions.can(current_user, "mesa.manage", found.mesa):
        meetings = db.session.scalars(
            sa.select(Meeting)
            .where(
                Meeting.mesa_id == found.mesa_id,
                Meeting.status != MeetingStatus.CANCELLED,
                Meeting.started(),
            )
            .order_by(Meeting.starts_at.desc())
            .limit(10)
        ).all()
    close_form = CloseRoundForm(formdata=None)
    close_form.meeting.choices = [
        (m.id, _("Session %(number)d", number=m.number)) for m in meetings
    ]
    return render_template(
        "rounds/round.html",
        round=found,
        mesa=found.mesa,
        ballot_form=ballot_form or EmptyForm(formdata=None),
        may_vote=current_user.is_authenticated and rounds.may_vote(found, current_user),
        values=typed if typed is not None else (mine or {}),
        voted=mine is not None,
        cast=rounds.ballots_cast(found),
        ranking=rounds.closed_ranking(found) if found.is_closed else [],
        exportable=rounds.exportable(found),
        open_ballots=(
            rounds.open_ballots(found)
            if not found.secret
            and not found.by_tally
            and found.is_closed
            and permissions.can(current_user, "mesa.read_internal", found.mesa)
            else []
        ),
        chosen=rounds.stored_selection(found),
        titles=(titles := {item.id: item.shown_title for item in found.items}),
        names=lambda ids: ", ".join(titles[i] for i in ids),
        score_text=rounds.score_text,
        close_form=close_form,
        cancel_form=cancel_form or CancelRoundForm(formdata=None),
        tie_rules=labels.SELECTION_TIE_RULE,
        button=EmptyForm(),
        labels=labels,
    ), status


@bp.route("/rondas/<int:round_id>", endpoint="round_page")
def show_round(round_id: int):
    return round_page(round_or_404(round_id))


PB_MAX = 2 * 1024 * 1024


@bp.route("/mesas/<slug>/rondas/importar", methods=["GET", "POST"])
def import_round(slug: str):
    mesa = _mesa(slug)
    permissions.require("mesa.manage", mesa)
    form = ImportRoundForm()
    if form.validate_on_submit():
        raw = form.file.data.read(PB_MAX + 1)
        context = {"mesa": mesa, "form": form, "labels": labels}
        with carried_out(page=("rounds/import_round.html", context)):
            if len(raw) > PB_MAX:
                raise rounds.Refused(_("The file is larger than 2 MB."), INVALID)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise rounds.Refused(
                    _("The file is not UTF-8 text. Save it as UTF-8 and choose it again."),
                    INVALID,
                ) from None
            created = rounds.import_pabulib(mesa, form.title.data, text, current_user)
        flash(_("The round is imported with its ballots; close it in a session."), "success")
        return redirect(url_for("rounds.round_page", round_id=created.id))
    status = INVALID if form.is_submitted() else 200
    return render_template("rounds/import_round.html", mesa=mesa, form=form, labels=labels), status


@bp.route("/rondas/<int:round_id>/pabulib.pb")
def export(round_id: int):
    """The closed round's ballots in the Pabulib format, anonymous, for anyone to recount."""
    text = rounds.to_pabulib(round_or_404(round_id))
    if text is None:
        abort(404)
    return Response(
        text,
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="ronda-{round_id}.pb"'},
    )


@bp.route("/rondas/<int:round_id>/voto", methods=["POST"])
@limiter.limit("60 per hour")
def cast(round_id: int):
    found = round_or_404(round_id)
    permissions.require("mesa.take_part", found.mesa)
    ballot_form = EmptyForm()
    if not ballot_form.validate_on_submit():
        abort(400)
    typed: dict = {}
    with carried_out(
        form=ballot_form,
        page=lambda status: round_page(
            round_or_404(round_id), typed, status, ballot_form=ballot_form
        ),
        # The same member sent twice at once: the first one is stored.
        conflict=_("Your ballot was being saved from another window. Send it again."),
    ):
        typed.update(_values(found))
        rounds.cast(found, current_user, typed)
    flash(_("Your ballot is saved. You can change it until the round closes."), "success")
    return redirect(url_for("rounds.round_page", round_id=found.id))


def _count(raw: str) -> int:
    """A count of the room as typed: empty is 0; anything but a whole number is refused."""
    number = read_int(raw or "0")
    if number is None:
        raise rounds.Refused(_("Write whole numbers only, like 0, 1 or 2."), INVALID)
    return number


@bp.route("/rondas/<int:round_id>/conteo", methods=["POST"])
def tallies(round_id: int):
    found = round_or_404(round_id)
    permissions.require("round.tally", found)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with carried_out(page=lambda status: round_page(found, status=status)):
        counts = {item.id: _count(request.form.get(f"v-{item.id}", "")) for item in found.items}
        rounds.enter_tallies(found, counts)
    flash(_("The room's counts are saved."), "success")
    return redirect(url_for("rounds.round_page", round_id=found.id))


@bp.route("/rondas/<int:round_id>/anulacion", methods=["POST"])
def cancel(round_id: int):
    found = round_or_404(round_id)
    permissions.require("round.cancel", found)
    form = CancelRoundForm()
    if not form.validate_on_submit():
        return round_page(found, status=INVALID, cancel_form=form)
    with carried_out(page=lambda status: round_page(round_or_404(round_id), status=status)):
        rounds.cancel(found, form.reason.data, current_user)
    flash(_("The round is cancelled. Its ballots stay on record."), "success")
    return redirect(url_for("rounds.round_page", round_id=found.id))


@bp.route("/rondas/<int:round_id>/cierre", methods=["POST"])
def close(round_id: int):
    found = round_or_404(round_id)
    permissions.require("round.close", found)
    form = CloseRoundForm()
    form.meeting.choices = []
    if not form.validate_on_submit():
        abort(400)
    meeting = db.session.get(Meeting, form.meeting.data) if form.meeting.data else None
    if meeting is None:
        flash(_("Choose the session where the round is closed."), "error")
        return round_page(found, status=INVALID)
    with carried_out(page=lambda status: round_page(round_or_404(round_id), status=status)):
        agreement = rounds.close(found, meeting, current_user, form.prioritize.data or 0)
    flash(
        _("The round is closed and its result is Agreement %(label)s.", label=agreement.label),
        "success",
    )
    return redirect(url_for("rounds.round_page", round_id=found.id))
