"""The portal's own address, for everything read away from the page: links in mail, feeds,
calendars, printed pages. Built only from PORTAL_BASE_URL, never from the request's Host
header, which whoever sends the request chooses (a reset link must not lead to another site)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def site_url(path: str) -> str:
    """``path`` (``/mesas/…``) on the portal's public address."""
    return current_app.config["BASE_URL"] + path


def path_for(endpoint: str, **values: object) -> str:
    """``url_for``'s path, in a request or outside one (a command, the worker, the demo)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return url_for(endpoint, **values)


def external_url(endpoint: str, **values: object) -> str:
    """The public address of a page of the portal."""
    return site_url(path_for(endpoint, **values))


def site_host() -> str:
    """The portal's host name, for the ids of feeds and calendars."""
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
