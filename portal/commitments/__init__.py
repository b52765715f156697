"""Commitments (compromisos) and public accountability: what was promised, by whom, by when,
and whether it happened."""

from flask import Blueprint

bp = Blueprint("commitments", __name__)

from portal.commitments import (  # noqa: E402,F401
    models,
    public_routes,
    report_routes,
    routes,
)
