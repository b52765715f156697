"""What no request may carry into the portal, refused at the door with a 400 and a sentence:

- a ``Host`` header that is not a host name (the URL of every page is built from it);
- a NUL character anywhere in the path, the query string or a form (PostgreSQL cannot store
  it, and no person types it);
- a number in an address past what the database holds (``<int:>`` in every route is
  ``BoundedInt``: such an address matches nothing, so it is a plain 404).

Integer form fields and query parameters use ``read_int``, with the same bounds."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter

# The largest id (and any other whole number) the database stores: PostgreSQL's INTEGER.
MAX_INT = 2**31 - 1

NUL_MESSAGE = _l(
    "What you sent has a character that cannot be stored (a null character). "
    "Remove it and send it again."
)


class BoundedInt(IntegerConverter):
    """``<int:…>`` in every route: 0 to ``MAX_INT``; beyond that the address matches nothing."""

    def __init__(self, map, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)


def read_int(raw: object, *, low: int = 0, high: int = MAX_INT) -> int | None:
    """A whole number typed in a query string or a select, or None if it is not one in
    ``low``..``high`` (ASCII digits only: "²" or "٣" are not numbers here)."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    sign = -1 if text.startswith("-") else 1
    digits = text[1:] if sign < 0 else text
    if not digits or not digits.isascii() or not digits.isdigit() or len(digits) > 19:
        return None
    value = sign * int(digits)
    return value if low <= value <= high else None


# The most pesos any amount may hold: what a BIGINT column stores.
MAX_PESOS = 2**63 - 1


def read_pesos(raw: str, high: int = MAX_PESOS) -> int | None:
    """Whole pesos as people write them ("12.345.678", "$ 12 345 678", "12345678 CLP"), or
    None if that is not an amount from 0 to ``high``."""
    digits = re.sub(r"[\s.$]", "", raw.replace("CLP", ""))
    return read_int(digits, high=high) if len(digits) <= 19 else None


HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?"
    r"|\[[0-9A-Fa-f:.]+\]"
)
BAD_HOST_PAGE = (
    b"<!doctype html><html lang=es><meta charset=utf-8><title>400</title>"
    b"<p>La direcci\xc3\xb3n del sitio (Host) no es v\xc3\xa1lida. "
    b"/ The site's address (Host) is not valid.</p></html>"
)


class HostGuard:
    """WSGI middleware: a request whose ``Host`` is not a host name (with an optional port) is
    answered here with 400, before Flask builds any URL from it."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST")
        if host is not None and not valid_host(host):
            start_response(
                "400 Bad Request",
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", str(len(BAD_HOST_PAGE))),
                ],
            )
            return [BAD_HOST_PAGE]
        return self.app(environ, start_response)


def valid_host(host: str) -> bool:
    name, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    if not name or (port and not (port.isascii() and port.isdigit() and len(port) <= 5)):
        name, port = host, ""
    return len(name) <= 253 and HOST.fullmatch(name) is not None


def _carries_nul() -> bool:
    if "\x00" in request.path or b"%00" in request.query_string:
        return True
    if any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    values = [v for _k, v in request.form.items(multi=True)]
    values += [k for k in request.form]
    values += [f.filename or "" for _k, f in request.files.items(multi=True)]
    return any("\x00" in v for v in values)


def install(app: Flask) -> None:
    """Registers the converter and the guards; call before any blueprint is registered."""
    app.url_map.converters["int"] = BoundedInt
    app.wsgi_app = HostGuard(app.wsgi_app)  # type: ignore[method-assign]

    @app.before_request
    def _refuse_nul() -> None:
        if _carries_nul():
            abort(400, description=str(NUL_MESSAGE))
