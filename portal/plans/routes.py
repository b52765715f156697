"""The public plan page of a territory."""

from __future__ import annotations

from flask import abort, render_template

from portal.core import clock
from portal.places.queries import territory_by_slug
from portal.plans import bp, labels, services
from portal.plans.charts import in_words, indicator_chart


@bp.route("/territorios/<slug>/plan")
def plan(slug: str):
    """Each objective with its indicators: baseline, targets and measurements, as a chart and
    as a table with the same numbers."""
    territory = territory_by_slug(slug)
    if territory is None:
        abort(404)
    return render_template(
        "plans/plan.html",
        territory=territory,
        objectives=services.plan_of(territory),
        chart=indicator_chart,
        in_words=in_words,
        labels=labels,
        today=clock.today(),
    )
