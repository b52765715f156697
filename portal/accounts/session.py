"""Flask-Login wiring: who the request belongs to, and how long a sign-in lasts.

A session ends after PORTAL_IDLE_MINUTES without a request, unless the person chose to stay
signed in on that device ("remember me", at most PORTAL_REMEMBER_DAYS days). A form sent after
the session ended is not stored, but what was typed in it is kept and shown back once the
person has signed in again: nothing typed is lost.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, logout_user

from portal.accounts import two_factor
from portal.accounts.models import User
from portal.core import clock
from portal.extensions import db

# When the last request of the session came; written at most once a minute.
SEEN = "seen"
# What was typed in a form sent after the session ended: {"path": ..., "texts": [...]}.
UNSENT = "unsent"
# The session cookie holds it, and a cookie holds about 4 KB.
UNSENT_MAX_CHARS = 2500
# Fields that are never kept: secrets and the form's own token.
NEVER_KEPT = ("csrf_token", "password", "current", "confirm", "code")


def configure_login(app: Flask, manager: LoginManager) -> None:
    manager.init_app(app)
    manager.login_view = "accounts.login"
    manager.login_message = _l("Log in to see that page.")
    manager.login_message_category = "info"
    # "basic": a phone that changes network (and address) keeps its session.
    manager.session_protection = "basic"
    app.config["REMEMBER_COOKIE_DURATION"] = dt.timedelta(days=app.config["REMEMBER_DAYS"])

    @manager.user_loader
    def _load(login_id: str) -> User | None:
        return db.session.scalar(sa.select(User).where(User.login_id == login_id, User.active))

    app.before_request(_end_idle_session)
    app.before_request(_two_factor_first)
    app.jinja_env.globals["unsent_texts"] = unsent_texts


def _remembered() -> bool:
    return current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies


def _end_idle_session():  # type: ignore[no-untyped-def]
    if "_user_id" not in session or request.endpoint == "static":
        return None
    now = clock.now().timestamp()
    seen = session.get(SEEN)
    idle = current_app.config["IDLE_MINUTES"] * 60
    if isinstance(seen, int | float) and now - seen > idle and not _remembered():
        logout_user()
        session.pop(SEEN, None)
        flash(
            _(
                "Your session ended after %(minutes)s minutes without activity. Log in again.",
                minutes=current_app.config["IDLE_MINUTES"],
            ),
            "info",
        )
        if request.method == "POST":
            _keep_typed_text()
            return redirect(url_for("accounts.login", next=request.path), code=303)
        return None  # the page is shown as to anyone without an account (or asks to log in)
    if not isinstance(seen, int | float) or now - seen > 60:
        session[SEEN] = int(now)
    return None


# What an account that must use two factors may still reach before it has turned them on.
BEFORE_TWO_FACTOR = {"accounts.two_factor_page", "accounts.logout", "static", "public.health"}


def _two_factor_first():  # type: ignore[no-untyped-def]
    """An account that must use two factors (two_factor.required) does nothing else until
    they are on: every page leads to turning them on."""
    if "_user_id" not in session or request.endpoint in BEFORE_TWO_FACTOR:
        return None
    if not current_user.is_authenticated or current_user.has_two_factor:
        return None
    if not two_factor.required(current_user):
        return None
    flash(_("Administration accounts sign in with two steps. Turn it on to go on."), "info")
    return redirect(url_for("accounts.two_factor_page"), code=303)


def _keep_typed_text() -> None:
    texts: list[str] = []
    room = UNSENT_MAX_CHARS
    for name, value in request.form.items(multi=True):
        if any(secret in name for secret in NEVER_KEPT) or not value.strip() or room <= 0:
            continue
        texts.append(value[:room])
        room -= len(texts[-1])
    if texts:
        session[UNSENT] = {"path": request.path, "texts": texts}


def unsent_texts() -> list[str]:
    """What was typed in a form of this page that arrived after the session ended, shown once
    after signing in again (the page's template offers it to copy)."""
    kept = session.get(UNSENT)
    if not isinstance(kept, dict) or kept.get("path") != request.path or "_user_id" not in session:
        return []
    session.pop(UNSENT)
    return [str(text) for text in kept.get("texts", [])]
