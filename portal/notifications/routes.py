"""Pages of notices: mail preferences, stopping one kind of mail from the mail itself, and
following a territory, mesa, initiative or commitment."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.commitments import labels as commitment_labels
from portal.commitments.models import Commitment
from portal.core import clock
from portal.core.actions import carried_out
from portal.core.forms import EmptyForm, status_for
from portal.core.links import site_url
from portal.extensions import csrf, db, limiter
from portal.initiatives.models import Initiative
from portal.meetings.queries import meeting_or_404
from portal.mesas.models import Mesa
from portal.notifications import bp, follows, outbox, pending, preferences, sheets
from portal.notifications.forms import FollowForm, preferences_form
from portal.notifications.models import Cadence, Target
from portal.places.models import Territory


@bp.route("/cuenta/avisos/preferencias", methods=["GET", "POST"])
@login_required
def settings():
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    form = preferences_form(preferences.chosen(user))
    if form.validate_on_submit():
        with carried_out(page=("notifications/preferences.html", _settings_context(form))):
            changed = sum(
                preferences.choose(user, kind, Cadence(getattr(form, kind).data))
                for kind in preferences.KINDS
                if getattr(form, kind).data
            )
        if changed:
            flash(_("Your notice settings were saved."), "success")
        else:
            flash(_("Nothing changed in your notice settings."), "info")
        return redirect(url_for("notifications.settings"))
    context = _settings_context(form)
    return render_template("notifications/preferences.html", **context), status_for(form)


@bp.route("/pendientes")
@login_required
def pending_page():
    """What waits for the person, by role; each line leads to where it is done."""
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    return render_template(
        "notifications/pending.html",
        sections=pending.pending(user),
        shown=pending.SHOWN,
        today=clock.today(),
    )


@bp.route("/mesas/<slug>/sesiones/<int:number>/avisos-impresos")
def printed_notices(slug: str, number: int):
    """One printable sheet per member without email: the mesa's news since its last session,
    this session's agenda, and what waits for the member's institution."""
    mesa, meeting = meeting_or_404(slug, number)
    permissions.require("meeting.print_notices", meeting)
    news, members = sheets.sheets_for(meeting)
    return render_template(
        "notifications/sheets.html",
        mesa=mesa,
        meeting=meeting,
        news=news,
        sheets=members,
        today=clock.today(),
        labels=commitment_labels,
    )


def _settings_context(form) -> dict:  # type: ignore[no-untyped-def]
    return {"form": form, "groups": preferences.GROUPS}


@bp.route("/avisos/dejar/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the authority: a mail program posts it with one click
def unsubscribe(token: str):
    found = preferences.read_unsubscribe(token)
    if found is None:
        abort(404)
    user, kind = found
    label = preferences.kind_label(kind)
    if request.method == "POST":
        with carried_out():
            preferences.choose(user, kind, Cadence.NEVER)
        return render_template("notifications/unsubscribed.html", label=label, user=user)
    stopped = preferences.cadence(user, kind) == Cadence.NEVER
    return render_template(
        "notifications/unsubscribe.html",
        label=label,
        stopped=stopped,
        form=EmptyForm(),
        token=token,
    )


# Following ------------------------------------------------------------------------------------

TARGETS = {
    "territorio": Target.TERRITORY,
    "mesa": Target.MESA,
    "iniciativa": Target.INITIATIVE,
    "compromiso": Target.COMMITMENT,
}
SLUGS = {target: slug for slug, target in TARGETS.items()}


def _followed(slug: str, target_id: int) -> tuple[Target, Any, str]:
    """(target, the thing, the address of its page); 404 for what is not public."""
    target = TARGETS.get(slug)
    if target is None:
        abort(404)
    if target == Target.TERRITORY:
        found = db.session.get(Territory, target_id)
        page = url_for("public.territory", slug=found.slug) if found else ""
    elif target == Target.MESA:
        found = db.session.get(Mesa, target_id)
        page = url_for("mesas.mesa", slug=found.slug) if found else ""
    elif target == Target.INITIATIVE:
        found = db.session.get(Initiative, target_id)
        found = found if found is not None and found.is_public else None
        page = url_for("initiatives.initiative", initiative_id=target_id)
    else:
        found = db.session.get(Commitment, target_id)
        found = found if found is not None and found.is_public else None
        page = url_for("commitments.commitment", commitment_id=target_id)
    if found is None:
        abort(404)
    return target, found, page


@bp.app_template_global()
def follow_state(target: str, target_id: int) -> dict[str, Any]:
    """What the follow box of a page shows: whether the person follows it (one query for a
    signed-in person, none for a visitor)."""
    kind = Target(target)
    user = current_user if current_user.is_authenticated else None
    return {
        "slug": SLUGS[kind],
        "following": follows.following(user, kind, target_id) is not None,
    }


def _name(target: Target, found: Any) -> str:
    if target in (Target.TERRITORY, Target.MESA):
        return found.name
    return found.title if target == Target.INITIATIVE else found.deliverable


def _follow_page(target: Target, found: Any, page: str, form: Any):  # type: ignore[no-untyped-def]
    """The follow box on a page of its own: the public pages link here rather than hold a form,
    so that they are the same for every visitor and can be kept rendered."""
    return render_template(
        "notifications/follow.html",
        form=form,
        name=_name(target, found),
        page=page,
        slug=SLUGS[target],
        target_id=found.id,
        following=current_user.is_authenticated
        and follows.following(current_user, target, found.id) is not None,
    ), status_for(form)


@bp.route("/seguir/<slug>/<int:target_id>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def follow(slug: str, target_id: int):
    """Signed in: follows (or stops following) at once. Without an account: mails a link that
    confirms the address wants the news."""
    target, found, page = _followed(slug, target_id)
    if request.method == "GET":
        return _follow_page(
            target, found, page, EmptyForm() if current_user.is_authenticated else FollowForm()
        )
    if current_user.is_authenticated:
        if not EmptyForm().validate_on_submit():
            abort(400)
        user = current_user._get_current_object()  # type: ignore[attr-defined]
        with carried_out(back=page):
            current = follows.following(user, target, target_id)
            if current is not None:
                follows.stop(current)
            else:
                follows.follow(user, target, target_id)
        if current is not None:
            flash(_("You no longer follow it."), "success")
        else:
            flash(_("You follow it now: its news reach your notices."), "success")
        return redirect(page + "#seguir", code=303)
    form = FollowForm()
    if not form.validate_on_submit():
        return _follow_page(target, found, page, form)
    with carried_out(back=page):
        found = follows.ask_by_mail(form.email.data, target, target_id)
        if found.confirmed_at is None or found.ended_at is not None:
            with force_locale("es_CL"):
                text = render_template(
                    "notifications/confirm_follow.txt",
                    link=follows.confirm_url(found),
                    page=site_url(page),
                    days=follows.CONFIRM_DAYS,
                )
            subject, _sep, body = text.strip().partition("\n")
            outbox.enqueue(found.email or "", subject, body.strip(), kind="follow_confirm")
    flash(
        _(
            "We sent a link to %(email)s. Open it to confirm, and the news start to arrive.",
            email=form.email.data,
        ),
        "success",
    )
    return redirect(page + "#seguir", code=303)


@bp.route("/seguir/confirmar/<token>")
def confirm_follow(token: str):
    with carried_out(
        page=lambda status: (render_template("notifications/follow_link.html"), status)
    ):
        found = follows.confirm(token)
    _target, _thing, page = _followed(SLUGS[found.target], found.target_id)
    flash(_("Done: the news will reach %(email)s.", email=found.email), "success")
    return redirect(page)


@bp.route("/seguir/dejar/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the authority: a mail program posts it with one click
def stop_following(token: str):
    found = follows.read_stop(token)
    if found is None:
        abort(404)
    if request.method == "POST":
        with carried_out():
            follows.stop(found)
        return render_template("notifications/stopped_following.html")
    return render_template(
        "notifications/stop_following.html", token=token, stopped=found.ended_at is not None
    )
