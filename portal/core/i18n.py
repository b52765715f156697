"""Locale: Spanish (Chile) first, English second.

The catalogs are kept as ``.po`` text in ``translations/``; they are compiled on start into the
instance folder, so a checkout never runs with a stale or missing ``.mo`` file.
"""

from __future__ import annotations

import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

from portal import resource_dir
from portal.extensions import babel

LANG_COOKIE = "lang"
# The interface language code -> the Babel locale used for it.
LOCALES = {"es": "es_CL", "en": "en"}


def compile_catalogs(source: Path, target: Path) -> Path:
    for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo = target / po.relative_to(source).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as fh:
            catalog = read_po(fh)
        tmp = mo.with_name(f"{mo.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        os.replace(tmp, mo)
    return target


def select_locale() -> str | None:
    """The reader's language; outside a request (commands, jobs), the default."""
    if not has_request_context():
        return None
    lang = request.cookies.get(LANG_COOKIE)
    if lang not in LOCALES and current_user and current_user.is_authenticated:
        lang = current_user.locale
    return LOCALES.get(lang or "")


def current_language() -> str:
    """``es`` or ``en``: the interface language of this request."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "es"


def html_lang() -> str:
    locale = get_locale()
    if locale is None:
        return "es-CL"
    return "-".join(p for p in (locale.language, locale.territory) if p)


def configure_babel(app: Flask) -> None:
    compiled = compile_catalogs(resource_dir("translations"), Path(app.instance_path) / "i18n")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        html_lang=html_lang,
        current_language=current_language,
        languages=lambda: current_app.config["LANGUAGES"],
    )


def remember_language(response, lang: str):  # type: ignore[no-untyped-def]
    """Keep the chosen interface language in a cookie for a year."""
    if lang in LOCALES:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response
