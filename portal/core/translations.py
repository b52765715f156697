"""``portal translations update|check``: the one place that knows how strings are extracted.

Babel skips folders whose names start with ``_`` unless told otherwise; our templates keep
shared pieces in ``templates/_macros`` and ``templates/_partials``, so the options live here.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
EXTRACT = ["-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "lazy_pgettext:1c,2"]
EXTRACT += ["--ignore-dirs", ".*"]
EXTRACT += ["--no-location", "--sort-output", "--project", "portal", "--copyright-holder", ""]


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract(pot: Path) -> None:
    _pybabel("extract", *EXTRACT, "-o", str(pot), str(ROOT))


def missing_translations(translations: Path | None = None) -> dict[str, list[str]]:
    """For each catalog, the extracted messages it lacks or leaves untranslated or fuzzy."""
    translations = translations or ROOT / "translations"
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        cwd = os.getcwd()
        os.chdir(ROOT)  # babel.cfg's patterns are relative to the checkout
        try:
            extract(pot)
        finally:
            os.chdir(cwd)
        with pot.open("rb") as fh:
            template = read_po(fh)
    problems: dict[str, list[str]] = {}
    for po in sorted(translations.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh)
        lacking = []
        for message in template:
            if not message.id:
                continue
            found = catalog.get(message.id, context=message.context)
            strings = found.string if found else None
            if isinstance(strings, tuple):
                strings = all(strings)
            if found is None or not strings or found.fuzzy:
                lacking.append(message.id if isinstance(message.id, str) else message.id[0])
        problems[po.parent.parent.name] = lacking
    return problems


@click.group("translations")
def translations_command() -> None:
    """Keep the catalogs in step with the code."""


@translations_command.command("update")
def update_command() -> None:
    """Extract every string and add the new ones to each catalog (run from the checkout)."""
    pot = ROOT / "translations" / "messages.pot"
    os.chdir(ROOT)
    extract(pot)
    _pybabel(
        "update",
        "-i",
        str(pot),
        "-d",
        "translations",
        "--no-fuzzy-matching",
        "--ignore-obsolete",
        "--no-wrap",
    )
    for lang, lacking in missing_translations().items():
        click.echo(f"{lang}: {len(lacking)} to translate")


@translations_command.command("check")
def check_command() -> None:
    """Fail when a catalog lacks a translation."""
    failed = False
    for lang, lacking in missing_translations().items():
        for msgid in lacking:
            click.echo(f"{lang}: untranslated: {msgid!r}")
        failed = failed or bool(lacking)
    if failed:
        raise SystemExit(1)
    click.echo("Every catalog is complete.")
