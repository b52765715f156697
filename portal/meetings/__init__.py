"""Sessions of a mesa: agenda, attendance, minutes (actas), attachments and agreements."""

from flask import Blueprint

bp = Blueprint("meetings", __name__)
