"""The append-only audit log: who changed what, when, chained by SHA-256."""

from flask import Blueprint

bp = Blueprint("audit", __name__)

from portal.audit import cli, models, routes  # noqa: E402,F401
