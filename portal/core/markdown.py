"""Markdown written by people, rendered to HTML that cannot run anything.

The text is stored exactly as typed; only the rendering is cleaned (nh3, an allow-list)."""

from __future__ import annotations

import markdown as markdown_lib
import nh3
from markupsafe import Markup

TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "hr",
}
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render(text: str | None) -> Markup:
    if not text:
        return Markup("")
    html = markdown_lib.markdown(text, extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)  # noqa: S704 - sanitized by nh3 just above
