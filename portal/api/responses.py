"""How every answer of the API is made: JSON, an ``ETag`` from its content (304 when the
client already has it), readable from any origin, and revalidated before reuse."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, jsonify, request


def iso(value: dt.datetime | dt.date | None) -> str | None:
    """Dates as ISO 8601; times with their offset (stored in UTC)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


def respond(payload: dict[str, Any]) -> Response:
    response = jsonify(payload)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    return response.make_conditional(request)
