"""Pages for everyone, no account needed."""

from flask import Blueprint

bp = Blueprint("public", __name__)
