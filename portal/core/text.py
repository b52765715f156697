"""Small text helpers."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str, max_length: int = 80) -> str:
    """``Limarí-Choapa`` → ``limari-choapa``: ASCII, lower case, words joined by dashes."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


LIKE_ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """A LIKE pattern that finds ``text`` anywhere, its own % and _ taken literally; use it with
    ``.ilike(pattern, escape=LIKE_ESCAPE)``."""
    for special in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(special, LIKE_ESCAPE + special)
    return f"%{text}%"


def numbered(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``… the first that is not ``taken`` (for addresses)."""
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
