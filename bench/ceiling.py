"""The ceiling of bench/load.py: a bare Flask app that answers each page's exact bytes, with its
headers, and does nothing else. Served by gunicorn with the portal's settings, it is the most a
page could do on this machine: the portal's page is measured as a share of it.

    CEILING_PAGES=pages.json gunicorn -w 2 --threads 4 bench.ceiling:app
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import Flask, Response

app = Flask(__name__)
_PAGES = [
    (Path(entry["file"]).read_bytes(), entry["headers"])
    for entry in json.loads(Path(os.environ["CEILING_PAGES"]).read_text())
]


@app.route("/p/<int:number>")
def page(number: int) -> Response:
    body, headers = _PAGES[number]
    return Response(body, headers=headers)
