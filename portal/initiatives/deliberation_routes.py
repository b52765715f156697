"""Deliberation pages: comment, answer, support, hide. Each is a form POST that comes back to
the initiative's page; a form sent with errors shows the page again with the text kept."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import permissions
from portal.core.actions import carried_out
from portal.core.forms import EmptyForm
from portal.extensions import db, limiter
from portal.initiatives import bp, deliberation, labels
from portal.initiatives.forms import AnswerForm, CommentForm, HideForm
from portal.initiatives.models import Comment, Initiative, Stance
from portal.initiatives.routes import INVALID, _initiative, initiative_page

ITEM = "/iniciativas/<int:initiative_id>"


def _comment(initiative: Initiative, comment_id: int) -> Comment:
    found = db.session.get(Comment, comment_id)
    if found is None or found.initiative_id != initiative.id:
        abort(404)
    return found


def _back(initiative: Initiative, anchor: str = "deliberacion"):  # type: ignore[no-untyped-def]
    return redirect(url_for("initiatives.initiative", initiative_id=initiative.id, _anchor=anchor))


@bp.route(f"{ITEM}/comentarios", methods=["POST"])
@limiter.limit("30 per hour")
def comment(initiative_id: int):
    found = _initiative(initiative_id)
    permissions.require("initiative.deliberate", found)
    form = CommentForm()
    if not form.validate_on_submit():
        return initiative_page(found, comment_form=form, status=INVALID)
    with carried_out():
        made = deliberation.comment(found, current_user, Stance(form.stance.data), form.body.data)
    flash(_("Your comment was published."), "success")
    return _back(found, f"c{made.id}")


@bp.route(f"{ITEM}/comentarios/<int:comment_id>/respuesta", methods=["POST"])
def answer(initiative_id: int, comment_id: int):
    found = _initiative(initiative_id)
    permissions.require("initiative.answer", found)
    parent = _comment(found, comment_id)
    form = AnswerForm(prefix=f"a{comment_id}")
    if not form.validate_on_submit():
        return initiative_page(found, answer_forms={comment_id: form}, status=INVALID)
    page = url_for("initiatives.initiative", initiative_id=found.id, _anchor="deliberacion")
    with carried_out(back=page):
        made = deliberation.answer(parent, current_user, form.body.data)
    flash(_("Your answer was published."), "success")
    return _back(found, f"c{made.id}")


@bp.route(f"{ITEM}/apoyo", methods=["POST"])
def support(initiative_id: int):
    found = _initiative(initiative_id)
    permissions.require("initiative.deliberate", found)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with carried_out():
        supported = deliberation.toggle_support(found, current_user)
    flash(_("You support this initiative.") if supported else _("You took back your support."))
    return _back(found)


@bp.route(f"{ITEM}/comentarios/<int:comment_id>/ocultar", methods=["GET", "POST"])
def hide(initiative_id: int, comment_id: int):
    found = _initiative(initiative_id)
    permissions.require("initiative.moderate", found)
    target = _comment(found, comment_id)
    form = HideForm()
    if form.validate_on_submit():
        context = {"initiative": found, "comment": target, "form": form, "labels": labels}
        with carried_out(page=("initiatives/hide.html", context)):
            deliberation.hide(target, form.reason.data, current_user)
        flash(_("The comment is hidden; its place shows the reason."), "success")
        return _back(found, f"c{target.id}")
    return render_template(
        "initiatives/hide.html", initiative=found, comment=target, form=form, labels=labels
    ), (INVALID if form.is_submitted() else 200)
