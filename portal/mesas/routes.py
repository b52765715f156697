"""Mesa pages."""

from __future__ import annotations

from flask import abort, render_template

from portal.core.markdown import render
from portal.mesas import bp, labels, queries


@bp.route("/mesas/<slug>")
def mesa(slug: str):
    found = queries.mesa_by_slug(slug)
    if found is None:
        abort(404)
    return render_template(
        "mesas/mesa.html",
        mesa=found,
        description=render(found.description),
        related=queries.related_mesas(found),
        territories=queries.territories_of_region(found),
        labels=labels,
    )
