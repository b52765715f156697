"""Reference data: gap dimensions of the lag index and the strategic objectives of each
territory's plan."""

from flask import Blueprint

bp = Blueprint("reference", __name__)
