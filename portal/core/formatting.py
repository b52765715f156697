"""How money, dates and times are shown: Chilean pesos and America/Santiago."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

from flask_babel import format_date, format_decimal, format_time


def rounded(amount: int | float | Fraction) -> int:
    """To whole units, half away from zero (1,5 is 2; 2,5 is 3; -2,5 is -3), as people round
    money; Python's ``round`` goes to the even one."""
    exact = Fraction(amount)
    whole = math.floor(abs(exact) + Fraction(1, 2))
    return -whole if exact < 0 else whole


def _money(symbol: str, amount: int) -> str:
    # Chilean usage groups thousands with a dot whatever the interface language.
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol} {abs(amount):,}".replace(",", ".")


def number(value: int | None) -> str:
    """``12.345``: a whole number grouped the Chilean way."""
    return "" if value is None else f"{int(value):,}".replace(",", ".")


def decimal(value: Decimal | int | float | None) -> str:
    """A measured value in the reader's language, with at most two decimals: ``12,5`` in
    Spanish, ``12.5`` in English."""
    return "" if value is None else format_decimal(value, format="#,##0.##")


def clp(amount: int | None) -> str:
    """``$ 12.345.678``: an amount in whole pesos."""
    return "" if amount is None else _money("$", rounded(amount))


def thousands_clp(amount: int | None) -> str:
    """``M$ 12.346``: an amount in pesos shown in thousands of pesos, as plans speak."""
    return "" if amount is None else _money("M$", rounded(Fraction(int(amount), 1000)))


def date(value: dt.date | None, fmt: str = "long") -> str:
    if value is None:
        return ""
    return format_date(value, fmt)


def datetime(value: dt.datetime | None, fmt: str = "long") -> str:
    """A stored UTC time shown in America/Santiago (Flask-Babel's default time zone): the day in
    ``fmt`` and the hour to the minute, ``3 de diciembre de 2026, 15:00``; people never read
    seconds or a zone abbreviation."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return f"{format_date(value, fmt)}, {format_time(value, 'HH:mm')}"


def time(value: dt.datetime | None) -> str:
    """The hour and minute of a stored UTC time, in America/Santiago: ``10:00``."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return format_time(value, "HH:mm")
