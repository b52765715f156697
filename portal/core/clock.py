"""The time and date where the mesas meet.

Every rule that depends on the current time (a session in the past, a due date that passed)
asks this module, never the system clock directly. Tests move time forward with the
``CLOCK_SHIFT`` setting (a ``timedelta``), which only a testing app honours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

# Where the mesas meet: the one place that names the time zone.
TIME_ZONE = "America/Santiago"
SANTIAGO = ZoneInfo(TIME_ZONE)


def now() -> dt.datetime:
    """The current time, aware, in UTC."""
    current = dt.datetime.now(dt.UTC)
    if has_app_context() and current_app.testing:
        current += current_app.config.get("CLOCK_SHIFT", dt.timedelta(0))
    return current


def today() -> dt.date:
    return now().astimezone(SANTIAGO).date()
