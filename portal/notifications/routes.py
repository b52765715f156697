"""Pages of notices: mail preferences, and stopping one kind of mail from the mail itself."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.core.actions import carried_out
from portal.core.forms import EmptyForm, status_for
from portal.extensions import csrf
from portal.notifications import bp, preferences
from portal.notifications.forms import preferences_form
from portal.notifications.models import Cadence


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
