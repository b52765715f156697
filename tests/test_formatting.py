"""Money in Chilean pesos and times in America/Santiago, as people there read them."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from flask_babel import force_locale

from portal.core import formatting


def test_pesos_are_grouped_with_dots_and_plans_speak_in_thousands():
    assert formatting.clp(12_345_678) == "$ 12.345.678"
    assert formatting.clp(0) == "$ 0"
    assert formatting.clp(-5_000) == "-$ 5.000"
    assert formatting.thousands_clp(174_990_649_000) == "M$ 174.990.649"
    assert formatting.thousands_clp(1_499) == "M$ 1"
    assert formatting.clp(None) == ""


def test_money_rounds_half_away_from_zero_as_people_do():
    # Python's round() goes to the even one: 1.500 pesos would be M$ 2 but 2.500 also M$ 2.
    assert formatting.thousands_clp(1_500) == "M$ 2"
    assert formatting.thousands_clp(2_500) == "M$ 3"
    assert formatting.thousands_clp(-2_500) == "-M$ 3"
    assert formatting.clp(Fraction(5, 2)) == "$ 3"
    assert formatting.rounded(Fraction(-1, 2)) == -1


def test_a_stored_utc_time_is_shown_in_santiago(app):
    # 2026-01-15 15:00 UTC is 12:00 in Santiago (summer time, UTC-3).
    moment = dt.datetime(2026, 1, 15, 15, 0, tzinfo=dt.UTC)
    with app.test_request_context(), force_locale("es_CL"):
        assert formatting.datetime(moment) == "15 de enero de 2026, 12:00"
        assert formatting.datetime(moment, "medium") == "15-01-2026, 12:00"
        assert formatting.date(dt.date(2014, 8, 2)) == "2 de agosto de 2014"
    # In winter Santiago is UTC-4.
    winter = dt.datetime(2026, 7, 15, 15, 0, tzinfo=dt.UTC)
    with app.test_request_context(), force_locale("es_CL"):
        assert formatting.datetime(winter) == "15 de julio de 2026, 11:00"
