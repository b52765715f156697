"""Jinja setup: asset URLs that change when the file does, and the formatting filters."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, current_app, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from portal.core import formatting
from portal.core.forms import error_list
from portal.core.links import external_url


@cache
def _digest(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def asset_url(filename: str) -> str:
    """URL of a static file with a content fingerprint, so it can be cached for a year."""
    path = Path(current_app.static_folder or "") / filename
    version = _digest(str(path), path.stat().st_mtime_ns)
    return url_for("static", filename=filename, v=version)


def csrf_input() -> Markup:
    """The hidden field that carries a form's CSRF token. It has no id: a page holding several
    forms would repeat it, and ids must be unique."""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(
        escape(generate_csrf())
    )


def configure_jinja(app: Flask) -> None:
    app.jinja_env.globals.update(
        asset_url=asset_url, error_list=error_list, csrf_input=csrf_input, external_url=external_url
    )
    app.jinja_env.filters.update(
        clp=formatting.clp,
        number=formatting.number,
        decimal=formatting.decimal,
        thousands_clp=formatting.thousands_clp,
        date=formatting.date,
        datetime=formatting.datetime,
        time=formatting.time,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
