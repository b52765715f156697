"""Error pages in the user's language. Nothing leaks a stack trace."""

from __future__ import annotations

import math
from typing import Any

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.core import clock
from portal.extensions import db, limiter

MESSAGES = {
    400: (
        _l("The request could not be understood"),
        _l("Something in what was sent is not right. Go back, reload the page and try again."),
    ),
    401: (
        _l("You need to log in"),
        _l("Log in to see this page."),
    ),
    403: (
        _l("You cannot do this"),
        _l("Your account does not have permission for this page or action."),
    ),
    404: (
        _l("Page not found"),
        _l("The address may be mistyped, or the page may have moved."),
    ),
    405: (
        _l("That action is not available here"),
        _l("This address does not accept that kind of request. Use the links and buttons."),
    ),
    413: (
        _l("What you sent is too large"),
        _l("The file or text is larger than the portal accepts. Send something smaller."),
    ),
    429: (
        _l("Too many attempts"),
        _l("Wait a few minutes and try again."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("Nothing you typed is your fault. Please try again in a few minutes."),
    ),
}

CSRF_MESSAGE = _l(
    "The form expired or did not come from this portal. Go back, reload the page and send it again."
)


# The API's errors, by status: a stable code other systems can test for.
API_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "refused",
    429: "too_many_requests",
    500: "server_error",
}


def render_error(code: int, message: str | None = None) -> tuple[Any, int]:
    title, default = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
    if request.path.startswith("/api/"):
        body = {
            "status": code,
            "code": API_CODES.get(code, "error"),
            "message": str(message or default),
        }
        return {"error": body}, code
    return render_template(
        "errors/error.html", code=code, title=title, message=message or default
    ), code


def seconds_to_wait() -> int:
    """Until the limit that was reached lets the person try again."""
    reached = limiter.current_limit
    if reached is None:
        return 60
    return max(1, math.ceil(reached.reset_at - clock.now().timestamp()))


def wait_message(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))  # the limiter's reset falls on a whole second
    return ngettext(
        "Too many attempts from this connection or for this account. Wait %(num)d minute and "
        "try again.",
        "Too many attempts from this connection or for this account. Wait %(num)d minutes and "
        "try again.",
        minutes,
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(RateLimitExceeded)
    def _too_many(error: RateLimitExceeded):  # type: ignore[no-untyped-def]
        seconds = seconds_to_wait()
        page, code = render_error(429, wait_message(seconds))
        return page, code, {"Retry-After": str(seconds)}

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):  # type: ignore[no-untyped-def]
        return render_error(400, str(CSRF_MESSAGE))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):  # type: ignore[no-untyped-def]
        if error.code is None or error.code < 400:
            return error
        # A description of our own (``abort(400, description=...)``) is the sentence to show.
        own = error.description if error.description != type(error).description else None
        response = render_error(error.code, own)
        if error.code == 405 and error.valid_methods:  # type: ignore[attr-defined]
            return response[0], 405, {"Allow": ", ".join(error.valid_methods)}  # type: ignore[attr-defined]
        return response

    @app.errorhandler(InternalServerError)
    def _internal(error: InternalServerError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        app.logger.error("Internal error on %s %s", request.method, request.path)
        return render_error(500)
