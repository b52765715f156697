"""The append-only audit log: who changed what, when, chained by SHA-256."""

from flask import Blueprint

bp = Blueprint("audit", __name__)
