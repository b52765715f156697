"""The ``portal`` command: ``demo``, ``create-admin``, ``serve`` (and Flask-Migrate's ``db``)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from portal.extensions import db


def upgrade_database() -> None:
    upgrade(directory=current_app.extensions["migrate"].directory)


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(serve_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)

    from portal.audit.cli import audit_command
    from portal.benchdata import bench_data_command
    from portal.core.translations import translations_command
    from portal.notifications.cli import remind_command, worker_command
    from portal.reference.cli import reference_command
    from portal.search.cli import search_command

    app.cli.add_command(translations_command)
    app.cli.add_command(reference_command)
    app.cli.add_command(audit_command)
    app.cli.add_command(search_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(remind_command)
    app.cli.add_command(bench_data_command)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Prepare the database and stop.")
@with_appcontext
def demo_command(host: str, port: int, no_serve: bool) -> None:
    """Create or upgrade the database, load the demo data and serve the portal locally."""
    from portal.accounts.demo import DEMO_PASSWORD, demo_account_lines
    from portal.demo import load_demo_data
    from portal.notifications.cli import start_beside

    started = time.perf_counter()
    upgrade_database()
    created = load_demo_data()
    elapsed = time.perf_counter() - started
    summary = ", ".join(f"{n} {kind}" for kind, n in created.items() if n) or "nothing new"
    click.echo(f"Database ready in {elapsed:.1f} s ({summary}).")
    click.echo("Demo accounts (password: " + repr(DEMO_PASSWORD) + "):")
    for line in demo_account_lines():
        click.echo(line)
    # Hand the connection back: on SQLite a transaction outside a request holds the write lock
    # (BEGIN IMMEDIATE), and the first sign-in would wait for it in vain.
    db.session.remove()
    if no_serve:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # A local demo is served over plain HTTP: cookies cannot be HTTPS-only there.
    app.config.update(
        SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False, PREFERRED_URL_SCHEME="http"
    )
    # The embedded default has no mail server: a worker beside the server writes each message
    # into instance/mail/ as soon as its action is saved.
    start_beside(app)
    click.echo(f"  Mail is written to {app.config['MAIL_DIR']}")
    click.echo(f"\n  Open http://{host}:{port}/ in your browser (Ctrl+C stops the portal).\n")
    # app.run() is a no-op inside Flask's CLI; call the server it would have called.
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option(help="Asked for when not given.")
@with_appcontext
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create a platform administrator, or make an existing account one (with its password).
    An administrator turns on two-step sign-in at the first sign-in."""
    from portal.accounts import services
    from portal.accounts.passwords import is_strong, verify_password

    existing = services.find_by_email(email)
    if existing is not None:
        # Only whoever holds the account makes it an administrator, never whoever runs this.
        if not verify_password(existing.password_hash, password):
            raise click.BadParameter(
                "that is not the password of the existing account with this email.",
                param_hint="password",
            )
        existing.is_admin = True
        db.session.commit()
        click.echo(
            f"{existing.email} is now a platform administrator; it turns on two-step sign-in"
            " at its next sign-in."
        )
        return
    if not is_strong(password, [name, email]):
        raise click.BadParameter(
            "too easy to guess: use 10 or more characters, e.g. three or four words.",
            param_hint="password",
        )
    user = services.create_user(
        services.NewAccount(
            name=name,
            email=email,
            password=password,
            comuna_id=None,
            is_admin=True,
            verified=True,
        )
    )
    db.session.commit()
    click.echo(f"Administrator {user.email} created.")


def limits_in_memory() -> bool:
    """Whether the rate-limit counters live in the memory of each process."""
    storage = os.environ.get("PORTAL_RATELIMIT_STORAGE_URI", "").strip() or "memory://"
    return storage.startswith("memory://")


@click.command("serve")
@click.option("--bind", default="127.0.0.1:8000", show_default=True, help="Address:port.")
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int)
@click.option("--timeout", default=30, show_default=True, type=int)
@click.option(
    "--worker-connections",
    default=1000,
    show_default=True,
    type=int,
    help="Connections each worker holds at once, idle kept-alive ones included.",
)
def serve_command(
    bind: str, workers: int, threads: int, timeout: int, worker_connections: int
) -> None:
    """Serve the portal in production with gunicorn (run `portal db upgrade` first)."""
    from gunicorn.app.base import BaseApplication

    from portal import create_app

    if not os.environ.get("PORTAL_BASE_URL", "").strip():
        raise click.UsageError(
            "set PORTAL_BASE_URL to the portal's public address (https://…): the links in"
            " password, invitation and notice mail are built from it, never from the request."
        )
    if limits_in_memory():
        # Counters kept in each worker's memory would let each worker count its own failed
        # sign-ins: one process holds them all, and serves with more threads instead.
        click.echo(
            f"Rate-limit counters are kept in memory: serving with 1 worker and"
            f" {workers * threads} threads (set PORTAL_RATELIMIT_STORAGE_URI=redis://… for"
            " several workers).",
            err=True,
        )
        workers, threads = 1, workers * threads

    class Portal(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {
                "bind": bind,
                "workers": workers,
                "threads": threads,
                "timeout": timeout,
                "worker_connections": worker_connections,
                "accesslog": "-",
                "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            }.items():
                self.cfg.set(key, value)

        def load(self):  # type: ignore[no-untyped-def]
            return create_app()

    sys.argv = sys.argv[:1]
    Portal().run()


def main() -> None:
    from portal import create_app

    cli = FlaskGroup(create_app=create_app, add_version_option=False, load_dotenv=False)
    cli.help = "The mesa portal. `portal demo` runs it with demo data on http://127.0.0.1:5000."
    cli.main(prog_name="portal")


@click.command("backup")
@click.argument("destination", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(destination: Path) -> None:
    """Copy the database and the uploaded files into DESTINATION (a new or empty folder), with
    a manifest of every table's rows and every file's SHA-256. Safe while the portal runs."""
    from portal import backups

    try:
        manifest = backups.backup(destination)
    except backups.BackupError as problem:
        raise click.ClickException(str(problem)) from problem
    click.echo(
        f"Backup of the {manifest.engine} database (revision {manifest.revision}) in "
        f"{destination}: {sum(manifest.tables.values()):,} rows in {len(manifest.tables)} "
        f"tables, {len(manifest.files)} files."
    )


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the database and the files without asking.")
@with_appcontext
def restore_command(source: Path, yes: bool) -> None:
    """Put the backup in SOURCE in place of the portal's database and uploaded files, and
    check every table against the backup's manifest. Stop the portal and its worker first."""
    from portal import backups

    if not yes:
        click.confirm(
            "This replaces everything in the portal's database and upload folder. Go on?",
            abort=True,
        )
    try:
        manifest = backups.restore(source)
    except backups.BackupError as problem:
        raise click.ClickException(str(problem)) from problem
    click.echo(
        f"Restored the backup of {manifest.created_at}: {sum(manifest.tables.values()):,} rows "
        f"in {len(manifest.tables)} tables, {len(manifest.files)} files, each table checked. "
        "If the backup is older than this version of the portal, run portal db upgrade."
    )
