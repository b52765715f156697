"""Today's date where the mesas meet."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SANTIAGO = ZoneInfo("America/Santiago")


def today() -> dt.date:
    return dt.datetime.now(SANTIAGO).date()
