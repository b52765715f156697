"""Bar charts drawn on the server as inline SVG: no JavaScript, no download, readable at 320 px.

Each bar has its own text above it that says what it is and its number, so nothing is told
by colour alone; the bars only show the proportions. Text is sized by the page's CSS
(``.chart text``) and bars are drawn in percentages of the width, so the chart stretches with
the screen while the text keeps its size. Pages put the same numbers in a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from portal.commitments.states import State
from portal.mesas.models import ActorType

# Every colour has a contrast of at least 4.3:1 with the white page and the grey track.
STATE_COLOUR = {
    State.FULFILLED: "#00703c",
    State.PARTLY_FULFILLED: "#5b7a00",
    State.NOT_FULFILLED: "#b3261e",
    State.OVERDUE: "#a34700",
    State.AWAITING_VALIDATION: "#6d3a9c",
    State.IN_PROGRESS: "#1d5aa8",
    State.PENDING: "#505a5f",
    State.CANCELLED: "#6f777b",
}
ACTOR_COLOUR = {
    ActorType.PUBLIC: "#0b4f6c",
    ActorType.PRIVATE: "#7a5c00",
    ActorType.SOCIAL: "#8a1c7c",
    ActorType.KNOWLEDGE: "#6d3a9c",
}
FULFILLED_COLOUR = STATE_COLOUR[State.FULFILLED]
TRACK = "#f3f2f1"

LINE = 20  # height of one line of text
BAR_HEIGHT = 14
GAP = 12  # between a bar and the next one's text


@dataclass(frozen=True)
class Bar:
    """One bar: the lines written above it (its number included), its value and colour, and
    optionally a heading in bold above those lines (what a group of bars is about)."""

    lines: tuple[str, ...]
    value: int
    colour: str
    heading: str = ""


def bar_chart(bars: Sequence[Bar], *, chart_id: str, title: str) -> Markup:
    """Horizontal bars, each under its lines of text, scaled to the largest value."""
    largest = max((bar.value for bar in bars), default=0) or 1
    height = sum(LINE * (len(bar.lines) + bool(bar.heading)) + BAR_HEIGHT + GAP for bar in bars)
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-title" width="100%" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    top = 0
    for bar in bars:
        if bar.heading:
            top += LINE
            parts.append(
                f'<text x="0" y="{top - 5}" font-weight="700">{escape(bar.heading)}</text>'
            )
        for line in bar.lines:
            top += LINE
            parts.append(f'<text x="0" y="{top - 5}">{escape(line)}</text>')
        parts.append(_rect(top, 100, TRACK))
        if bar.value > 0:
            parts.append(_rect(top, max(100 * bar.value / largest, 0.5), bar.colour))
        top += BAR_HEIGHT + GAP
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above went through escape()


def _rect(top: int, percent: float, colour: str) -> str:
    return (
        f'<rect x="0" y="{top}" width="{round(percent, 2)}%" height="{BAR_HEIGHT}" '
        f'fill="{colour}"/>'
    )
