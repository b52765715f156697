"""The read API, version 1 (``/api/v1``): the portal's public data as JSON for other systems,
the territory's plan module and the lag index module first among them. No account is needed for
public data; every answer carries an ``ETag`` (a repeated request answers 304), allows any
origin to read it (CORS), and errors are JSON with a code and a message."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The admin's pages for the write keys (``portal/api/key_routes.py``).
keys_bp = Blueprint("api_keys", __name__)
