"""How every answer of the API is made: JSON, an ``ETag`` from its content and a
``Last-Modified`` from the change log (a repeated request answers 304), readable from any
origin, and revalidated before reuse."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import Response, jsonify, request

from portal.api import bp
from portal.audit.models import AuditEntry
from portal.core import clock
from portal.extensions import db


def iso(value: dt.datetime | dt.date | None) -> str | None:
    """Dates as ISO 8601; times with their offset (stored in UTC)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


def last_change() -> dt.datetime:
    """When the public data last changed. Every change to it appends to the change log, and
    what depends on the date (a commitment becomes overdue) changes at midnight in Chile: the
    later of the two."""
    logged = db.session.scalar(sa.select(AuditEntry.at).order_by(AuditEntry.seq.desc()).limit(1))
    midnight = dt.datetime.combine(clock.today(), dt.time(), clock.SANTIAGO)
    if logged is not None and logged.tzinfo is None:
        logged = logged.replace(tzinfo=dt.UTC)
    return max(filter(None, (logged, midnight)))


def respond(payload: dict[str, Any]) -> Response:
    response = jsonify(payload)
    response.headers["Cache-Control"] = "no-cache"
    response.last_modified = last_change()
    response.add_etag()
    return response.make_conditional(request)


READS = frozenset({"GET", "HEAD", "OPTIONS"})


@bp.after_app_request
def _cross_origin(response: Response) -> Response:
    """Any site's page may read the public data, errors included (CORS): GET and HEAD, with
    the headers a client needs to revalidate (``If-None-Match``) and to page (``Link``). The
    write API is for other systems' servers, not for pages in a browser."""
    if request.path.startswith(f"{bp.url_prefix}/") and request.method in READS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Link"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD"
            response.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response.headers["Access-Control-Max-Age"] = "86400"
    return response
