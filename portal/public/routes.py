"""Public pages: home, territories, language switch, health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, redirect, render_template, request, url_for

from portal.core.clock import today
from portal.core.forms import safe_next
from portal.core.i18n import LOCALES, remember_language
from portal.extensions import db
from portal.meetings.queries import next_meetings
from portal.mesas import labels as mesa_labels
from portal.mesas.queries import mesas_of_territory
from portal.places.labels import PHASE_LABELS, STATUS_LABELS
from portal.places.queries import territories_for_listing, territory_by_slug
from portal.public import bp


@bp.route("/")
def home():
    return render_template(
        "public/home.html",
        territories=territories_for_listing(),
        today=today(),
        phase_labels=PHASE_LABELS,
        status_labels=STATUS_LABELS,
    )


@bp.route("/territorios/<slug>")
def territory(slug: str):
    found = territory_by_slug(slug)
    if found is None:
        abort(404)
    day = today()
    current = sorted(found.memberships_on(day), key=lambda m: m.comuna.name)
    former = sorted(
        (m for m in found.memberships if m.valid_to is not None and m.valid_to <= day),
        key=lambda m: (m.valid_to, m.comuna.name),
    )
    mesas = mesas_of_territory(found)
    return render_template(
        "public/territory.html",
        territory=found,
        current=current,
        former=former,
        mesas=mesas,
        next_sessions=next_meetings(mesas),
        mesa_labels=mesa_labels,
        phase_labels=PHASE_LABELS,
        status_labels=STATUS_LABELS,
    )


@bp.route("/idioma/<lang>")
def set_language(lang: str):
    """Switch the interface language; works as a plain link, with JavaScript off."""
    if lang not in LOCALES:
        abort(404)
    response = redirect(safe_next(request.args.get("next"), url_for("public.home")))
    return remember_language(response, lang)


@bp.route("/salud")
def health():
    """For load balancers: answers 200 when the database answers."""
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
