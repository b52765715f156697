"""The search page of a territory: a plain GET form (works with JavaScript off) and one page
of results at a time.

What was typed never reaches the database: only its stems do (``portal.search.text``), which
are letters and digits, so quotes, ``*``, ``NEAR`` or unbalanced parentheses cannot break the
query. A search longer than ``QUERY_MAX`` characters is refused (400, said on the page, the
text kept in the box); one with no word left (only punctuation, or only words like ``de``) is
an empty search with a word of explanation.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.commitments import states
from portal.initiatives import labels as initiative_labels
from portal.meetings import labels as meeting_labels
from portal.places.queries import territory_by_slug
from portal.search import bp, queries
from portal.search.models import DocumentKind
from portal.search.text import query_stems

KIND_LABELS = {
    DocumentKind.INITIATIVE: _l("Initiative"),
    DocumentKind.AGREEMENT: _l("Agreement"),
    DocumentKind.COMMITMENT: _l("Commitment"),
}
STATUS_LABELS = {
    DocumentKind.INITIATIVE: initiative_labels.STATUS,
    DocumentKind.AGREEMENT: meeting_labels.AGREEMENT_STATUS,
    DocumentKind.COMMITMENT: states.LABEL,
}


@bp.route("/territorios/<slug>/buscar")
def territory_search(slug: str):
    territory = territory_by_slug(slug)
    if territory is None:
        abort(404)
    typed = request.args.get("q", "")
    page = request.args.get("pagina", 1, type=int) or 1
    context = {"territory": territory, "q": typed, "results": None, "error": None, "note": None}
    status = 200
    if len(typed) > queries.QUERY_MAX:
        context["error"] = _(
            "The search is too long. Use at most %(max)d characters: a few words are enough.",
            max=queries.QUERY_MAX,
        )
        status = 400
    elif typed.strip():
        stems = query_stems(typed)
        if stems:
            context["results"] = queries.search(territory, stems, page)
        else:
            context["note"] = _(
                "There are no words to search for in that. Type one or more words, such as"
                " the name of a place or of a work."
            )
    return render_template(
        "search/territory.html",
        kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS,
        kinds=DocumentKind,
        query_max=queries.QUERY_MAX,
        **context,
    ), status
