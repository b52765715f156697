"""``portal reference``: load the default gap dimensions and import a territory's strategic
objectives from a JSON file, the same way the admin's pages do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from portal.admin import services as console
from portal.extensions import db
from portal.mesas.services import Refused
from portal.places.models import Territory
from portal.plans import importing
from portal.reference import services as reference


@click.group("reference")
def reference_command() -> None:
    """Reference data of initiatives: gap dimensions and strategic objectives."""


@reference_command.command("load-gaps")
@with_appcontext
def load_gaps_command() -> None:
    """Add the default gap dimensions whose codes are missing (the admin's edits stay)."""
    added = reference.load_default_gaps()
    db.session.commit()
    click.echo(f"{added} gap dimensions added ({len(reference.DEFAULT_GAPS)} by default).")


def _import(
    territory_slug: str,
    file: Path,
    reason: str,
    *,
    limit: int,
    action: str,
    run: Callable[[Territory, bytes], Any],
    done: Callable[[Territory, str], str],
    same: Callable[[], str],
) -> None:
    """Reads FILE (at most ``limit`` bytes), imports it with ``run`` and logs ``action`` with
    the reason; a refusal is said on standard error, with the file's name, and exits with 1."""
    # Messages come from the same catalog as the pages', in the portal's default language,
    # which Flask-Babel reads from a request.
    with current_app.test_request_context():
        territory = db.session.scalars(
            sa.select(Territory).where(Territory.slug == territory_slug)
        ).first()
        if territory is None:
            click.echo(f"There is no territory {territory_slug!r}.", err=True)
            raise SystemExit(1)
        with file.open("rb") as fh:
            raw = fh.read(limit + 1)
        try:
            result = run(territory, raw)
            # From the server's command line: the change log names no account.
            console.log(action, territory, reason, None, summary=str(result.summary()))
            db.session.commit()
        except Refused as refusal:
            db.session.rollback()
            click.echo(f"{file.name}: {refusal.message}", err=True)
            raise SystemExit(1) from None
        click.echo(done(territory, result.summary()) if result.changed else same())


@reference_command.command("import-objectives")
@click.argument("territory_slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reason", required=True, help="Why; the change log keeps it.")
@with_appcontext
def import_objectives_command(territory_slug: str, file: Path, reason: str) -> None:
    """Import a territory's strategic objectives from FILE (JSON), saying why (--reason)."""
    _import(
        territory_slug,
        file,
        reason,
        limit=reference.FILE_MAX_BYTES,
        action="objectives.import",
        run=reference.import_objectives_file,
        done=lambda territory, summary: _(
            "The objectives of %(territory)s were imported: %(summary)s.",
            territory=territory.name,
            summary=summary,
        ),
        same=lambda: _("The file matches the objectives already saved: nothing changed."),
    )


@reference_command.command("import-plan")
@click.argument("territory_slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reason", required=True, help="Why; the change log keeps it.")
@with_appcontext
def import_plan_command(territory_slug: str, file: Path, reason: str) -> None:
    """Import a territory's plan (period, objectives, indicators, baselines, targets and
    measurements) from FILE (JSON, checked by a JSON Schema), saying why (--reason). It fills
    the working matrix; the mesa territorial then agrees it as a version."""
    _import(
        territory_slug,
        file,
        reason,
        limit=importing.FILE_MAX_BYTES,
        action="plan.import",
        # No account opens the period or records the measurements.
        run=lambda territory, raw: importing.import_plan_file(territory, raw, None),
        done=lambda territory, summary: _(
            "The plan of %(territory)s was imported: %(summary)s.",
            territory=territory.name,
            summary=summary,
        ),
        same=lambda: _("The file matches the plan already saved: nothing changed."),
    )
