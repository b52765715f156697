"""Flask-Login wiring: who the request belongs to."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from portal.accounts.models import User
from portal.extensions import db


def configure_login(app: Flask, manager: LoginManager) -> None:
    manager.init_app(app)
    manager.login_view = "accounts.login"
    manager.login_message = _l("Log in to see that page.")
    manager.login_message_category = "info"
    # "basic": a phone that changes network (and address) keeps its session.
    manager.session_protection = "basic"

    @manager.user_loader
    def _load(login_id: str) -> User | None:
        return db.session.scalar(sa.select(User).where(User.login_id == login_id, User.active))
