"""Portfolios: what a mesa territorial agrees from a closed round, in versions, with the steps
of its approval and the money of each source."""

from flask import Blueprint

bp = Blueprint("portfolios", __name__)
