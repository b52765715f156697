"""The mesa portal: the app factory. Each ``configure_*`` step does one thing."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import config as settings

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """A top-level folder of the project (templates, static, translations, migrations): inside
    the package when installed from a wheel, beside it in a checkout."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    instance = Path(config["INSTANCE_PATH"]) if config and "INSTANCE_PATH" in config else None
    instance = instance or settings.instance_path()
    instance.mkdir(parents=True, exist_ok=True)
    app = Flask(
        __name__,
        instance_path=str(instance),
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    configure_settings(app, config)
    configure_logging(app)
    configure_extensions(app)
    configure_locale(app)
    configure_security(app)
    configure_assets(app)
    configure_guards(app)
    configure_templates(app)
    configure_errors(app)
    configure_blueprints(app)
    configure_cli(app)
    configure_page_cache(app)
    return app


def configure_settings(app: Flask, config: Mapping[str, Any] | None) -> None:
    app.config.update(settings.load(Path(app.instance_path)))
    if config:
        app.config.update(config)


def configure_logging(app: Flask) -> None:
    level = getattr(logging, app.config["LOG_LEVEL"], logging.INFO)
    app.logger.setLevel(level)
    logging.getLogger("portal").setLevel(level)


def configure_extensions(app: Flask) -> None:
    from portal.extensions import (
        compress,
        configure_sqlite,
        csrf,
        db,
        htmx,
        limiter,
        login_manager,
        migrate,
    )

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(resource_dir("migrations")))
    csrf.init_app(app)
    limiter.init_app(app)
    htmx.init_app(app)
    compress.init_app(app)

    from portal.accounts.session import configure_login

    configure_login(app, login_manager)


def configure_locale(app: Flask) -> None:
    from portal.core.i18n import configure_babel

    configure_babel(app)


def configure_security(app: Flask) -> None:
    from portal.core.security import configure_security_headers

    configure_security_headers(app)


def configure_page_cache(app: Flask) -> None:
    """Public pages kept rendered until the data changes (``portal.pagecache``). Installed
    last: the guards and limits look at a request before it answers from memory, and it sees a
    view's answer before the headers and compression every answer gets."""
    from portal.pagecache.store import install

    install(app)


def configure_assets(app: Flask) -> None:
    """Static files compressed ahead of time and cached for a year (``core.assets``)."""
    from portal.core.assets import install

    install(app)


def configure_guards(app: Flask) -> None:
    """Bounded ``<int:>`` in routes, and requests refused at the door (see ``core.guards``);
    the proxies' headers are read first, so the host checked is the one the client asked for."""
    from portal.core.guards import install

    install(app)
    if app.config["PROXY_COUNT"]:
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]


def configure_templates(app: Flask) -> None:
    from portal.core.templating import configure_jinja

    configure_jinja(app)

    from portal.commitments import states
    from portal.notifications.notices import unread_count
    from portal.notifications.pending import count as pending_count
    from portal.permissions import can

    app.jinja_env.globals.update(
        can=can,
        unread_notices=unread_count,
        pending_count=pending_count,
        # Where a commitment stands, said the same on every page (portal.commitments.states).
        commitment_state=states.of,
        commitment_state_label=states.LABEL,
    )


def configure_errors(app: Flask) -> None:
    from portal.core.errors import register_error_handlers

    register_error_handlers(app)


# The modules that hold each blueprint's routes. They are imported here, by the app, and by
# nothing else: a domain's models and services import without the web layer.
ROUTE_MODULES = (
    "portal.public.routes",
    "portal.mesas.routes",
    "portal.meetings.routes",
    "portal.meetings.record_routes",
    "portal.meetings.attachment_routes",
    "portal.meetings.calendar_routes",
    "portal.initiatives.routes",
    "portal.initiatives.deliberation_routes",
    "portal.rounds.routes",
    "portal.portfolios.routes",
    "portal.reference.routes",
    "portal.organizations.routes",
    "portal.commitments.routes",
    "portal.commitments.public_routes",
    "portal.commitments.report_routes",
    "portal.search.routes",
    "portal.audit.routes",
    "portal.accounts.routes",
    "portal.admin.routes",
    "portal.notifications.routes",
    "portal.plans.routes",
    "portal.convenios.routes",
    "portal.api.routes",
    "portal.api.portfolios",
    "portal.api.records",
    "portal.api.work",
    "portal.api.openapi",
    "portal.opendata.routes",
    "portal.webhooks.routes",
    "portal.api.write_routes",
    "portal.api.key_routes",
)


def configure_blueprints(app: Flask) -> None:
    import importlib

    for name in ROUTE_MODULES:
        importlib.import_module(name)

    from portal.accounts import bp as accounts_bp
    from portal.admin import bp as admin_bp
    from portal.api import bp as api_bp
    from portal.api import keys_bp as api_keys_bp
    from portal.audit import bp as audit_bp
    from portal.audit.chain import install as install_audit_log
    from portal.commitments import bp as commitments_bp
    from portal.convenios import bp as convenios_bp
    from portal.initiatives import bp as initiatives_bp
    from portal.meetings import bp as meetings_bp
    from portal.mesas import bp as mesas_bp
    from portal.notifications import bp as notifications_bp
    from portal.opendata import bp as opendata_bp
    from portal.organizations import bp as organizations_bp
    from portal.plans import bp as plans_bp
    from portal.portfolios import bp as portfolios_bp
    from portal.public import bp as public_bp
    from portal.reference import bp as reference_bp
    from portal.rounds import bp as rounds_bp
    from portal.search import bp as search_bp
    from portal.search.index import install as install_search_index
    from portal.webhooks import bp as webhooks_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(mesas_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(initiatives_bp)
    app.register_blueprint(rounds_bp)
    app.register_blueprint(portfolios_bp)
    app.register_blueprint(reference_bp)
    app.register_blueprint(organizations_bp)
    app.register_blueprint(commitments_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(audit_bp)
    install_audit_log()
    install_search_index()
    app.register_blueprint(accounts_bp, url_prefix="/cuenta")
    app.register_blueprint(admin_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(convenios_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_keys_bp)
    app.register_blueprint(opendata_bp)
    app.register_blueprint(webhooks_bp)


def configure_cli(app: Flask) -> None:
    from portal.commands import register_commands

    register_commands(app)
