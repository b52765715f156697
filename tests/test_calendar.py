"""The calendar of a mesa: what a calendar app shows from one session's .ics and from the feed.

The texts are read in English (the language cookie); times are read where the mesa meets."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa

from portal.meetings.models import Meeting, MeetingKind, MeetingStatus, Modality
from portal.mesas.models import Mesa, MesaKind, MesaStatus

SANTIAGO = ZoneInfo("America/Santiago")
NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def mesa(db, make_territory):  # type: ignore[no-untyped-def]
    def make(slug: str, name: str) -> Mesa:
        found = Mesa(
            slug=slug,
            name=name,
            kind=MesaKind.THEMATIC,
            theme="Ganadería caprina",
            territory=make_territory(commit=False),
            status=MesaStatus.ACTIVE,
            status_since=dt.date(2026, 1, 1),
        )
        db.add(found)
        return found

    return make


@pytest.fixture
def session(db):  # type: ignore[no-untyped-def]
    def make(mesa: Mesa, number: int, starts_at: dt.datetime, **values) -> Meeting:  # type: ignore[no-untyped-def]
        meeting = Meeting(
            mesa=mesa,
            number=number,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=2),
            modality=values.pop("modality", Modality.IN_PERSON),
            kind=values.pop("kind", MeetingKind.ORDINARY),
            status=values.pop("status", MeetingStatus.SCHEDULED),
            created_at=values.pop("created_at", utc(2026, 11, 1, 12)),
            **values,
        )
        db.add(meeting)
        return meeting

    return make


@pytest.fixture
def goats(db, mesa, session):  # type: ignore[no-untyped-def]
    goats = mesa("caprinos-limari", "Mesa Ganadería Caprina Limarí")
    # Summer: Chile is at UTC-3. 10:00 there.
    session(goats, 4, utc(2027, 1, 14, 13), place="Sede social de Cogotí, Combarbalá")
    # Winter: UTC-4. 10:00 there as well.
    session(
        goats,
        5,
        utc(2027, 7, 8, 14),
        kind=MeetingKind.EXTRAORDINARY,
        modality=Modality.HYBRID,
        place="Liceo de Canela",
        online_url="https://meet.example/caprinos",
    )
    session(
        goats,
        6,
        utc(2027, 8, 12, 14),
        status=MeetingStatus.CANCELLED,
        status_reason="Sistema frontal: los caminos están cortados.",
        status_changed_at=utc(2027, 8, 10, 15),
        updated_at=utc(2027, 8, 10, 15),
        place="Sede social de Cogotí, Combarbalá",
    )
    db.commit()
    return goats


@pytest.fixture
def english(client):  # type: ignore[no-untyped-def]
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def at_now(app):  # type: ignore[no-untyped-def]
    """The feed's twelve months counted back from a fixed day: the portal's clock moves."""
    app.config["CLOCK_SHIFT"] = NOW - dt.datetime.now(dt.UTC)
    yield
    del app.config["CLOCK_SHIFT"]


def parse(response) -> icalendar.Calendar:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.get_data())


def events(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


def only_event(cal: icalendar.Calendar) -> icalendar.Event:
    (found,) = cal.walk("VEVENT")
    return found


def test_a_summer_session_starts_at_its_chilean_hour(english, db, goats):
    response = english.get("/mesas/caprinos-limari/sesiones/4/calendario.ics")
    cal = parse(response)
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="sesion-4-caprinos-limari.ics"'
    )
    assert str(cal["prodid"]) == "-//Portal de las mesas//ES"
    assert str(cal["version"]) == "2.0"
    assert str(cal["method"]) == "PUBLISH"
    assert str(cal["x-wr-calname"]) == "Mesa Ganadería Caprina Limarí"
    assert str(cal["x-wr-timezone"]) == "America/Santiago"
    event = only_event(cal)
    start = event.decoded("dtstart")
    assert start == utc(2027, 1, 14, 13)
    assert str(start.tzinfo) == "America/Santiago"
    assert (start.hour, start.minute, start.utcoffset()) == (10, 0, dt.timedelta(hours=-3))
    assert event.decoded("dtend") - start == dt.timedelta(hours=2)
    assert str(event["summary"]) == "Session 4 (ordinary) · Mesa Ganadería Caprina Limarí"
    assert str(event["location"]) == "Sede social de Cogotí, Combarbalá"
    assert str(event["status"]) == "CONFIRMED"
    assert "Modality: In person" in str(event["description"])
    assert str(event["url"]).startswith("http")
    assert str(event["url"]).endswith("/mesas/caprinos-limari/sesiones/4")
    number_4 = db.scalar(
        sa.select(Meeting.id).where(Meeting.mesa_id == goats.id, Meeting.number == 4)
    )
    assert str(event["uid"]) == f"meeting-{number_4}@localhost"
    assert event.decoded("dtstamp").tzinfo is not None
    # The zone travels with the file: an app that does not know it can still place the hour.
    (zone,) = cal.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "America/Santiago"
    assert cal.subcomponents[0].name == "VTIMEZONE"


def test_a_winter_session_starts_at_its_chilean_hour_and_keeps_the_link_private(english, goats):
    event = only_event(parse(english.get("/mesas/caprinos-limari/sesiones/5/calendario.ics")))
    start = event.decoded("dtstart")
    assert start == utc(2027, 7, 8, 14)
    assert (start.hour, start.minute, start.utcoffset()) == (10, 0, dt.timedelta(hours=-4))
    assert str(event["summary"]) == "Session 5 (extraordinary) · Mesa Ganadería Caprina Limarí"
    assert str(event["location"]) == "Liceo de Canela"
    description = str(event["description"])
    assert "Modality: In person and online" in description
    # The link to join is for members: a public calendar never carries it.
    assert "meet.example" not in event.to_ical().decode()


def test_a_cancelled_session_is_marked_cancelled_with_its_reason(english, goats):
    event = only_event(parse(english.get("/mesas/caprinos-limari/sesiones/6/calendario.ics")))
    assert str(event["status"]) == "CANCELLED"
    assert str(event["summary"]).startswith("Cancelled: Session 6")
    assert "Sistema frontal: los caminos están cortados." in str(event["description"])
    # A later version than the one an app kept when the session was still on.
    assert int(event["sequence"]) > 0


def test_the_spanish_file_is_valid_too(client, goats):
    """Whatever the catalogue holds, the default language gives a readable file."""
    event = only_event(parse(client.get("/mesas/caprinos-limari/sesiones/4/calendario.ics")))
    assert "4" in str(event["summary"])
    assert "Mesa Ganadería Caprina Limarí" in str(event["summary"])


def test_an_unknown_session_or_mesa_is_not_found(client, goats):
    assert client.get("/mesas/caprinos-limari/sesiones/99/calendario.ics").status_code == 404
    assert client.get("/mesas/no-existe/sesiones/4/calendario.ics").status_code == 404
    assert client.get("/mesas/no-existe/calendario.ics").status_code == 404


@pytest.mark.usefixtures("at_now")
def test_the_feed_lists_this_mesas_sessions_of_the_last_twelve_months_on(
    english, db, goats, mesa, session
):
    other = mesa("otra-mesa", "Mesa de otro territorio")
    session(other, 1, utc(2027, 1, 20, 13))
    session(goats, 1, NOW - dt.timedelta(days=400))  # too old for the feed
    session(goats, 2, NOW - dt.timedelta(days=300))
    db.commit()

    response = english.get("/mesas/caprinos-limari/calendario.ics")
    cal = parse(response)
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert str(cal["x-wr-calname"]) == "Mesa Ganadería Caprina Limarí"
    # Calendar apps that subscribe are told to look again every hour.
    assert cal["refresh-interval"].to_ical() == b"PT1H"
    summaries = [str(e["summary"]) for e in cal.walk("VEVENT")]
    # Oldest first, newest last, the cancelled one included.
    assert [s.split(" (")[0] for s in summaries] == [
        "Session 2",
        "Session 4",
        "Session 5",
        "Cancelled: Session 6",
    ]
    assert all("Mesa Ganadería Caprina Limarí" in s for s in summaries)
    statuses = {str(e["summary"]).split(" (")[0]: str(e["status"]) for e in cal.walk("VEVENT")}
    assert statuses["Cancelled: Session 6"] == "CANCELLED"
    assert statuses["Session 4"] == "CONFIRMED"
    starts = {
        str(e["summary"]).split(" (")[0]: e.decoded("dtstart").astimezone(SANTIAGO)
        for e in cal.walk("VEVENT")
    }
    assert starts["Session 4"].replace(tzinfo=None) == dt.datetime(2027, 1, 14, 10)
    assert starts["Session 5"].replace(tzinfo=None) == dt.datetime(2027, 7, 8, 10)
    assert len({str(e["uid"]) for e in cal.walk("VEVENT")}) == 4
    assert len(cal.walk("VTIMEZONE")) == 1


@pytest.mark.usefixtures("at_now")
def test_the_same_uid_in_the_feed_and_in_the_file(client, goats):
    feed = parse(client.get("/mesas/caprinos-limari/calendario.ics"))
    single = parse(client.get("/mesas/caprinos-limari/sesiones/4/calendario.ics"))
    assert str(only_event(single)["uid"]) in {str(e["uid"]) for e in feed.walk("VEVENT")}


@pytest.mark.usefixtures("at_now")
def test_a_mesa_without_sessions_has_an_empty_feed(client, mesa, db):
    mesa("sin-sesiones", "Mesa sin sesiones")
    db.commit()
    cal = parse(client.get("/mesas/sin-sesiones/calendario.ics"))
    assert cal.walk("VEVENT") == []
    assert str(cal["x-wr-calname"]) == "Mesa sin sesiones"


@pytest.mark.usefixtures("at_now")
def test_the_feed_costs_the_same_queries_for_three_sessions_or_thirty(
    client, db, goats, session, count_queries
):
    url = "/mesas/caprinos-limari/calendario.ics"
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for number in range(10, 37):
        session(goats, number, utc(2027, 9, 1, 14) + dt.timedelta(days=7 * number))
    db.commit()
    with count_queries() as many:
        cal = parse(client.get(url))
    assert len(cal.walk("VEVENT")) == 30
    assert many.count == few.count
