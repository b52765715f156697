"""``/datos``: what the portal offers as open data, and each list as a CSV file."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request, stream_with_context
from flask_babel import gettext as _

from portal.api.openapi import LICENCE, VERSION, document
from portal.api.responses import last_change
from portal.core.links import site_url
from portal.opendata import bp, tables


def _reference(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The API's operations as the page lists them: method, path, summary, parameters, and
    whether it needs a write key."""
    found = []
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation["summary"],
                    "keyed": "security" in operation,
                    "parameters": [
                        {
                            "name": p["name"],
                            "in_path": p["in"] == "path",
                            "what": tables.type_text(
                                {**p["schema"], "description": p["description"]}
                            ),
                        }
                        for p in operation["parameters"]
                    ],
                }
            )
    return found


@bp.route("/datos")
def data():
    doc = document()
    dictionary = [
        (table, [(c.name, tables.type_text(c.schema)) for c in tables.table_columns(table, doc)])
        for table in tables.TABLES
    ]
    return render_template(
        "opendata/data.html",
        doc=doc,
        reference=_reference(doc),
        dictionary=dictionary,
        licence=LICENCE,
        version=VERSION,
        changed=last_change(),
        api=site_url("/api/v1"),
    )


@bp.route("/datos/<name>.csv")
def download(name: str):
    """The whole list, with the API's filters (``?territory=…``), separated by commas or, for
    spreadsheets in Spanish, by semicolons (``?separador=punto-y-coma``)."""
    table = tables.BY_NAME.get(name)
    if table is None:
        abort(404)
    choice = request.args.get("separador", "coma")
    if choice not in tables.SEPARATORS:
        abort(400, description=_("The separator is «coma» or «punto-y-coma»."))
    found = tables.listing(table)
    lines = tables.csv_lines(table, document(), found, tables.SEPARATORS[choice])
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.headers["Cache-Control"] = "no-cache"
    return response
