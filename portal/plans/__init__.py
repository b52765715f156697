"""The territory's plan: the indicators of its strategic objectives, each with its baseline,
its targets per year and its measurements over time, so that effects, not only finished
projects, are accounted for (002:619-622)."""

from flask import Blueprint

bp = Blueprint("plans", __name__)
