"""An indicator over time as an inline SVG drawn on the server: the baseline, each
measurement, and each year's target, with their values written beside them, so nothing is
told by colour or shape alone. The page puts the same numbers in a table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import gettext as _
from markupsafe import Markup, escape

from portal.core.formatting import date as format_day
from portal.core.formatting import decimal
from portal.plans.models import Indicator

WIDTH, HEIGHT = 320, 180
LEFT, RIGHT, TOP, BOTTOM = 12, 12, 22, 34
MEASURED = "#1d5aa8"
TARGET = "#a34700"
BASELINE = "#505a5f"


def _year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def indicator_chart(indicator: Indicator, chart_id: str) -> Markup:
    points: list[tuple[dt.date, Decimal, str]] = [
        (indicator.baseline_on, indicator.baseline_value, "baseline")
    ]
    points += [(m.measured_on, m.value, "measured") for m in indicator.measurements]
    targets = [(_year_end(t.year), t.value, "target") for t in indicator.targets]
    everything = points + targets
    first = min(day for day, _v, _k in everything)
    last = max(day for day, _v, _k in everything)
    span = max((last - first).days, 1)
    low = min(value for _d, value, _k in everything)
    high = max(value for _d, value, _k in everything)
    if high == low:
        high, low = high + 1, low - 1

    def x(day: dt.date) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (day - first).days / span

    def y(value: Decimal) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * float((high - value) / (high - low))

    title = _("%(name)s: baseline, measurements and targets", name=indicator.name)
    parts = [
        f'<svg class="chart line-chart" role="img" aria-labelledby="{chart_id}-title" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" '
        'stroke="#b1b4b6"/>',
    ]
    measured = [(x(d), y(v)) for d, v, _k in points]
    if len(measured) > 1:
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in measured)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{MEASURED}" stroke-width="2"/>'
        )
    for day, value, kind in everything:
        px, py = x(day), y(value)
        label = decimal(value)
        if kind == "target":
            said = escape(_("target %(year)d: %(value)s", year=day.year, value=label))
            parts.append(
                f'<path d="M{px:.1f},{py - 6:.1f} l6,6 l-6,6 l-6,-6 z" fill="{TARGET}"/>'
                f'<text x="{px:.1f}" y="{py - 9:.1f}" text-anchor="end">{said}</text>'
            )
        elif kind == "baseline":
            said = escape(_("baseline: %(value)s", value=label))
            parts.append(
                f'<rect x="{px - 4:.1f}" y="{py - 4:.1f}" width="8" height="8" fill="{BASELINE}"/>'
                f'<text x="{px + 7:.1f}" y="{py - 6:.1f}">{said}</text>'
            )
        else:
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{MEASURED}"/>')
    for day in sorted({first.year, last.year}):
        px = x(max(first, dt.date(day, 1, 1)))
        anchor = "start" if day == first.year else "end"
        px = LEFT if day == first.year else WIDTH - RIGHT
        parts.append(
            f'<text x="{px:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="{anchor}">{day}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above went through escape()


def in_words(indicator: Indicator, today: dt.date) -> str:
    """Where the indicator stands, in one paragraph: its baseline, its last measurement, this
    year's target and the one at the end of the plan."""
    unit = indicator.unit
    said = [
        _(
            "Baseline: %(value)s %(unit)s on %(date)s.",
            value=decimal(indicator.baseline_value),
            unit=unit,
            date=format_day(indicator.baseline_on),
        )
    ]
    if indicator.measurements:
        last = indicator.measurements[-1]
        said.append(
            _(
                "Last measured: %(value)s %(unit)s on %(date)s.",
                value=decimal(last.value),
                unit=unit,
                date=format_day(last.measured_on),
            )
        )
    else:
        said.append(_("Not measured since."))
    coming = next((t for t in indicator.targets if t.year >= today.year), None)
    if coming is not None:
        said.append(
            _(
                "Target for %(year)d: %(value)s %(unit)s.",
                year=coming.year,
                value=decimal(coming.value),
                unit=unit,
            )
        )
    if indicator.targets and indicator.targets[-1] is not coming:
        final = indicator.targets[-1]
        said.append(
            _(
                "At the end of the plan (%(year)d): %(value)s %(unit)s.",
                year=final.year,
                value=decimal(final.value),
                unit=unit,
            )
        )
    return " ".join(said)
