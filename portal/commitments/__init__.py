"""Commitments (compromisos) and public accountability: what was promised, by whom, by when,
and whether it happened."""

from flask import Blueprint

bp = Blueprint("commitments", __name__)
