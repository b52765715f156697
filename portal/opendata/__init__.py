"""Open data for people: the ``/datos`` page (what is offered, the licence, when it last
changed, the API's reference drawn from its OpenAPI document, examples) and every public list
of the API as a CSV file that spreadsheet programs open with its accents right."""

from flask import Blueprint

bp = Blueprint("opendata", __name__)
