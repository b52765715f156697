"""Sessions of a mesa: agenda, attendance, minutes (actas), attachments and agreements."""

from flask import Blueprint

bp = Blueprint("meetings", __name__)

from portal.meetings import (  # noqa: E402,F401
    attachment_routes,
    calendar_routes,
    models,
    record_routes,
    routes,
)
