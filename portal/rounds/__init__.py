"""Prioritization rounds: ballots or the room's counts, the ranking, the selection within a
budget (Equal Shares and the greedy rule), and Pabulib files."""

from flask import Blueprint

bp = Blueprint("rounds", __name__)
