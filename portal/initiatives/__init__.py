"""Initiatives, deliberation, prioritization rounds and portfolios."""

from flask import Blueprint

bp = Blueprint("initiatives", __name__)
