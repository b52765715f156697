"""``portal audit verify``: check the chain and every audited row; ``portal audit export``."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from portal.audit import chain


@click.group("audit")
def audit_command() -> None:
    """The audit log of agreements, commitments and portfolios."""


@audit_command.command("verify")
@with_appcontext
def verify_command() -> None:
    """Check every entry's hash and link, and every audited row against its last entry.
    Exits with status 1 and names each entry or row that broke."""
    report = chain.verify()
    for problem in report.problems:
        click.echo(f"BROKEN {problem}")
    click.echo(
        f"{report.entries} entries, {report.rows} audited rows, last hash {report.head}: "
        + ("the log holds." if report.ok else f"{len(report.problems)} problems.")
    )
    if not report.ok:
        sys.exit(1)


@audit_command.command("export")
@with_appcontext
def export_command() -> None:
    """Write the log to standard output, one entry per line (the file the public downloads)."""
    for entry in chain.entries():
        click.echo(chain.entry_line(entry))
