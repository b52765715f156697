"""Mesas (the three kinds of working table) and the organizations that sit at them."""

from flask import Blueprint

bp = Blueprint("mesas", __name__)
