"""Reference data pages: the gap dimensions (admin only) and the strategic objectives of a
territory's plan (public list, admin import). Thin: load, check, call ``reference``, render."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin import services as console
from portal.core.actions import carried_out
from portal.core.refusals import INVALID
from portal.extensions import db
from portal.permissions import can, require
from portal.places.models import Territory
from portal.reference import bp
from portal.reference import services as reference
from portal.reference.forms import GapForm, ObjectivesFileForm
from portal.reference.models import GapDimension, StrategicObjective


def _territory_or_404(slug: str) -> Territory:
    found = db.session.scalars(sa.select(Territory).where(Territory.slug == slug)).first()
    if found is None:
        abort(404)
    return found


# Gap dimensions


@bp.route("/referencias/brechas")
def gaps():
    require("reference.manage")
    dimensions = db.session.scalars(
        sa.select(GapDimension).order_by(GapDimension.position, GapDimension.code)
    ).all()
    return render_template("reference/gaps.html", dimensions=dimensions)


@bp.route("/referencias/brechas/nueva", methods=["GET", "POST"])
def new_gap():
    require("reference.manage")
    form = GapForm()
    gap = _accept_gap(form)
    if gap is not None:
        flash(_("The dimension %(code)s was added.", code=gap.code), "success")
        return redirect(url_for("reference.gaps"))
    status = INVALID if form.is_submitted() else 200
    return render_template("reference/gap_form.html", form=form, gap=None), status


@bp.route("/referencias/brechas/<int:gap_id>", methods=["GET", "POST"])
def edit_gap(gap_id: int):
    require("reference.manage")
    gap = db.session.get(GapDimension, gap_id)
    if gap is None:
        abort(404)
    form = GapForm(obj=gap if request.method == "GET" else None)
    if _accept_gap(form, gap) is not None:
        flash(_("Your changes were saved."), "success")
        return redirect(url_for("reference.gaps"))
    status = INVALID if form.is_submitted() else 200
    return render_template("reference/gap_form.html", form=form, gap=gap), status


def _accept_gap(form: GapForm, gap: GapDimension | None = None) -> GapDimension | None:
    """Check the form and save the dimension in one commit, or None with the form's errors."""
    if not form.validate_on_submit():
        return None
    holder = reference.gap_code_holder(form.code.data, exclude=gap)
    if holder is not None:
        form.code.errors.append(
            _(
                "The code %(code)s is already used by the dimension “%(name)s”. Choose "
                "another code.",
                code=holder.code,
                name=holder.name,
            )
        )
        return None
    existing = gap
    if gap is None:
        gap = GapDimension(position=form.position.data or reference.next_gap_position())
        db.session.add(gap)
    elif form.position.data:
        gap.position = form.position.data
    gap.code = form.code.data
    gap.name = form.name.data
    gap.description = form.description.data or ""
    gap.active = form.active.data
    # Someone may have saved the same code a moment ago.
    conflict = _(
        "Another dimension was saved with this code a moment ago. Check the form and send it again."
    )
    with carried_out(
        page=("reference/gap_form.html", {"form": form, "gap": existing}), conflict=conflict
    ):
        console.log(
            "gap.create" if existing is None else "gap.edit",
            gap,
            form.reason.data,
            current_user,
            code=gap.code,
            name=gap.name,
            active=gap.active,
        )
    return gap


# Strategic objectives of a territory


@bp.route("/territorios/<slug>/objetivos")
def objectives(slug: str):
    territory = _territory_or_404(slug)
    rows = db.session.scalars(
        sa.select(StrategicObjective)
        .where(StrategicObjective.territory_id == territory.id)
        .order_by(StrategicObjective.position, StrategicObjective.code)
    ).all()
    return render_template(
        "reference/objectives.html",
        territory=territory,
        active=[o for o in rows if o.active],
        retired=[o for o in rows if not o.active],
        can_manage=can(current_user, "reference.manage"),
    )


@bp.route("/territorios/<slug>/objetivos/importar", methods=["GET", "POST"])
def import_objectives(slug: str):
    require("reference.manage")
    territory = _territory_or_404(slug)
    form = ObjectivesFileForm()
    context = {
        "territory": territory,
        "form": form,
        "example": reference.example_file(territory),
        "limit": reference.FILE_MAX_BYTES // 1024,
    }
    if not form.validate_on_submit():
        status = INVALID if form.is_submitted() else 200
        return render_template("reference/import_objectives.html", **context), status
    with carried_out(
        page=("reference/import_objectives.html", context),
        # Another import of the same territory finished a moment ago.
        conflict=_("The objectives changed while the file was read. Import the file again."),
    ):
        raw = form.file.data.stream.read(reference.FILE_MAX_BYTES + 1)
        result = reference.import_objectives_file(territory, raw)
        console.log(
            "objectives.import",
            territory,
            form.reason.data,
            current_user,
            summary=str(result.summary()),
        )
    if result.changed:
        message = _(
            "The objectives of %(territory)s were imported: %(summary)s.",
            territory=territory.name,
            summary=result.summary(),
        )
    else:
        message = _("The file matches the objectives already saved: nothing changed.")
    flash(message, "success")
    return redirect(url_for("reference.objectives", slug=territory.slug))
