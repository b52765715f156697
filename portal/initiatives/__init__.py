"""Initiatives, deliberation, prioritization rounds and portfolios."""

from flask import Blueprint

bp = Blueprint("initiatives", __name__)

from portal.initiatives import (  # noqa: E402,F401
    deliberation_routes,
    models,
    portfolio_routes,
    portfolios,
    reference_routes,
    round_routes,
    rounds,
    routes,
)
