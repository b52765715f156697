"""The registry of organizations and institutions: public services, municipalities,
cooperatives… Commitments later point at them."""

from flask import Blueprint

bp = Blueprint("organizations", __name__)
