"""The administration console: setting up and running the territories, their mesas and the
people who use the portal, without the demo. Every action is written to the change log with
who did it and why."""

from flask import Blueprint

bp = Blueprint("admin", __name__)
