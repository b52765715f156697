"""The registry of organizations and institutions: public services, municipalities,
cooperatives… Commitments later point at them."""

from flask import Blueprint

bp = Blueprint("organizations", __name__)

from portal.organizations import routes  # noqa: E402,F401
