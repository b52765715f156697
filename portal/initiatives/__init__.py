"""Initiatives, deliberation, prioritization rounds and portfolios."""

from flask import Blueprint

bp = Blueprint("initiatives", __name__)

from portal.initiatives import models, reference_routes, routes  # noqa: E402,F401
