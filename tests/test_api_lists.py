"""The API's lists over the demo's data: a page at a time by cursor, with the public pages'
filters, only what the public pages show (no drafts, agreements of published actas only, a
person named only in the roles the public pages name, no personal data anywhere), the gap
coverage the index module reads, and as many queries per page however much data there is."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.models import User
from portal.commitments.models import Commitment, DueDateChange, Milestone, ProgressUpdate
from portal.extensions import db as _db
from portal.initiatives.models import Initiative, Status
from portal.meetings.models import Agreement, Minutes, MinutesStatus
from portal.mesas.models import NAMED_ROLES, Membership, Organization, Person
from portal.opendata.tables import TABLES
from portal.places.models import Territory
from portal.portfolios.models import Portfolio
from tests import factories
from tests.conftest import QueryCounter, savepoint


@pytest.fixture(scope="module")
def seeded(app: Flask, demo) -> object:  # type: ignore[no-untyped-def]
    """The demo, and a producer without an account whose phone the secretary keeps."""
    with app.app_context():
        goat = factories.demo_mesa(_db.session, factories.GOAT_MESA)
        person = Person(name="Herminia Cortés Villalobos", phone="+56 9 8765 4321")
        factories.seat(_db.session, goat, person)
        _db.session.commit()
    return demo


@pytest.fixture
def api(app: Flask, seeded) -> Iterator[FlaskClient]:  # type: ignore[no-untyped-def]
    with savepoint(app, seeded):
        yield app.test_client()


def walk(client: FlaskClient, url: str) -> list[dict[str, Any]]:
    """Every item of a list, following ``next`` page after page."""
    items: list[dict[str, Any]] = []
    while url:
        answer = client.get(url)
        assert answer.status_code == 200, (url, answer.json)
        items += answer.json["data"]
        url = answer.json["next"]
        if url:
            assert answer.headers["Link"] == f'<{url}>; rel="next"'
    return items


def test_a_list_comes_a_page_at_a_time_and_the_cursor_walks_it_all(api):
    public = _db.session.scalars(
        sa.select(Commitment.id).where(Commitment.is_public).order_by(Commitment.id)
    ).all()
    assert len(public) > 3
    first = api.get("/api/v1/commitments?limit=2").json
    assert len(first["data"]) == 2 and first["next"].startswith("/api/v1/commitments?limit=2&")
    walked = walk(api, "/api/v1/commitments?limit=2")
    assert [c["id"] for c in walked] == public
    last = api.get(f"/api/v1/commitments?limit={len(public)}").json
    assert last["next"] is None


def test_bad_parameters_are_refused_with_a_sentence_in_spanish(api):
    cases = {
        "/api/v1/commitments?limit=500": "«limit» debe ser un número entero de 1 a 100.",
        "/api/v1/commitments?cursor=nada": "Este cursor no lo dio la API. Empieza de nuevo sin él.",
        "/api/v1/commitments?territory=atlantida": (
            "Nada tiene el código «atlantida» en «territory»."
        ),
        "/api/v1/commitments?due_from=30-09-2027": (
            "«due_from» debe ser una fecha escrita AAAA-MM-DD."
        ),
        "/api/v1/initiatives?status=draft": (
            "Los borradores son de sus autores hasta que se proponen."
        ),
        "/api/v1/memberships?current=si": "«current» debe ser true o false.",
    }
    for url, message in cases.items():
        answer = api.get(url)
        assert answer.status_code == 400, url
        assert answer.json["error"] == {"status": 400, "code": "bad_request", "message": message}
    state = api.get("/api/v1/commitments?state=atrasado").json["error"]["message"]
    assert state.startswith("«state» debe ser uno de: fulfilled, partly_fulfilled")


def test_filters_match_the_public_pages(api):
    territory = "limari-choapa"
    listed = walk(api, f"/api/v1/commitments?territory={territory}&state=fulfilled")
    assert listed and all(c["territory"] == territory for c in listed)
    assert all(c["state"] == "fulfilled" for c in listed)
    indap = factories.demo_organization(_db.session, "INDAP")
    theirs = walk(api, f"/api/v1/commitments?institution={indap.id}")
    assert theirs and {c["institution"]["name"] for c in theirs} == {indap.name}
    mesas = walk(api, f"/api/v1/mesas?territory={territory}&kind=territorial")
    assert [m["id"] for m in mesas] == ["mesa-territorial-limari-choapa"]
    by_gap = walk(api, "/api/v1/initiatives?gap=D4")
    assert by_gap and all("D4" in i["gaps"] for i in by_gap)
    comuna = walk(api, "/api/v1/initiatives?comuna=04303")
    assert comuna and all("04303" in i["comunas"] for i in comuna)


def test_drafts_stay_their_authors_own(api):
    goat = factories.demo_mesa(_db.session, factories.GOAT_MESA)
    draft = factories.initiative(_db.session, goat, "Borrador secreto", status=Status.DRAFT)
    _db.session.commit()
    listed = {i["id"] for i in walk(api, "/api/v1/initiatives?limit=100")}
    assert draft.id not in listed
    assert listed == set(
        _db.session.scalars(sa.select(Initiative.id).where(Initiative.status != Status.DRAFT))
    )


def test_agreements_are_listed_once_their_acta_is_published(api):
    published = {a["id"] for a in walk(api, "/api/v1/agreements?limit=100")}
    unpublished = _db.session.scalars(
        sa.select(Agreement.id).where(
            ~Agreement.meeting_id.in_(
                sa.select(Minutes.meeting_id).where(Minutes.status == MinutesStatus.PUBLISHED)
            )
        )
    ).all()
    assert published and unpublished, "the demo has both kinds"
    assert not published & set(unpublished)
    voted = next(a for a in walk(api, "/api/v1/agreements") if a["vote_event"])
    options = [c["option"] for c in voted["vote_event"]["counts"]]
    assert options == ["yes", "no", "abstain"]


def test_a_person_is_named_only_in_the_roles_the_public_pages_name(api):
    seats = walk(api, "/api/v1/memberships?limit=100")
    assert {s["role"] for s in seats if s["person"]} <= {r.value for r in NAMED_ROLES}
    assert any(s["person"] is None for s in seats)
    assert all(s["person"] for s in seats if s["role"] in {r.value for r in NAMED_ROLES})


def test_a_session_carries_its_agenda_and_its_published_acta(api):
    sessions = walk(api, "/api/v1/sessions?mesa=limari-choapa-ganaderia-caprina")
    first = sessions[0]
    assert first["agenda"][0] == {
        "order": 1,
        "description": "Lectura del acta anterior",
        "initiative_id": None,
    }
    assert first["record"]["url"].endswith("/sesiones/1/acta")
    assert first["start_time"].endswith("+00:00") and first["status"] == "passed"
    since = walk(api, "/api/v1/sessions?since=2026-11-01&until=2026-11-30")
    assert sessions[1]["id"] in {s["id"] for s in since}
    assert first["id"] not in {s["id"] for s in since}


def test_gap_coverage_follows_what_happens_to_the_initiatives(api):
    before = _coverage(api)
    water = _db.session.scalars(
        sa.select(Initiative).where(Initiative.title.startswith("Abastos de agua"))
    ).one()
    assert [g.code for g in water.gaps] == ["D4"]
    assert before["D4"]["initiatives"] >= 1
    water.status = Status.WITHDRAWN
    _db.session.commit()
    after = _coverage(api)
    assert after["D4"]["initiatives"] == before["D4"]["initiatives"] - 1
    assert after["D4"]["planned"] == before["D4"]["planned"] - water.planned_funding
    assert after["D1"] == before["D1"]


def _coverage(api: FlaskClient) -> dict[str, dict[str, Any]]:
    answer = api.get("/api/v1/territories/limari-choapa/gap-coverage").json
    return {d["code"]: d for d in answer["dimensions"]}


def test_an_unchanged_answer_is_not_sent_twice(api):
    url = "/api/v1/commitments?territory=limari-choapa"
    answer = api.get(url)
    stamp = answer.headers["Last-Modified"]
    same = api.get(url, headers={"If-None-Match": answer.headers["ETag"]})
    assert same.status_code == 304
    assert api.get(url, headers={"If-Modified-Since": stamp}).status_code == 304
    one = _db.session.scalars(sa.select(Commitment).where(Commitment.is_public).limit(1)).one()
    one.deliverable = "Otra cosa"
    _db.session.commit()
    changed = api.get(url, headers={"If-None-Match": answer.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != answer.headers["ETag"]


def test_any_site_may_read_the_api_and_revalidate_what_it_holds(api):
    preflight = api.open(
        "/api/v1/commitments",
        method="OPTIONS",
        headers={
            "Origin": "https://diario.example.cl",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    page = api.get("/api/v1/commitments?limit=1", headers={"Origin": "https://diario.example.cl"})
    assert page.headers["Access-Control-Allow-Origin"] == "*"
    assert set(page.headers["Access-Control-Expose-Headers"].split(", ")) == {
        "ETag",
        "Last-Modified",
        "Link",
    }
    missing = api.get("/api/v1/nada")
    assert missing.status_code == 404 and missing.headers["Access-Control-Allow-Origin"] == "*"


def test_as_many_queries_for_a_page_however_much_it_holds(app, api):
    def queries(url: str) -> int:
        counter = QueryCounter()
        connection = _db.engines[None]
        sa.event.listen(connection, "before_cursor_execute", counter)
        try:
            assert api.get(url).status_code == 200
        finally:
            sa.event.remove(connection, "before_cursor_execute", counter)
        return counter.count

    urls = [
        "/api/v1/commitments?limit=100",
        "/api/v1/initiatives?limit=100",
        "/api/v1/sessions?limit=100",
        "/api/v1/agreements?limit=100",
        "/api/v1/memberships?limit=100",
        "/api/v1/rounds?limit=100",
        "/api/v1/convenios?limit=100",
        "/api/v1/mesas?limit=100",
        "/api/v1/territories/limari-choapa/gap-coverage",
    ]
    before = {url: queries(url) for url in urls}
    _grow(app)
    after = {url: queries(url) for url in urls}
    assert after == before


def _grow(app: Flask) -> None:
    """More of everything the lists read: commitments with timelines, initiatives, seats."""
    session = _db.session
    goat = factories.demo_mesa(session, factories.GOAT_MESA)
    indap = factories.demo_organization(session, "INDAP")
    meeting = factories.meeting(session, goat, number=40)
    published = session.scalars(
        sa.select(Minutes).where(Minutes.status == MinutesStatus.PUBLISHED).limit(1)
    ).one()
    for n in range(12):
        initiative = factories.initiative(session, goat, f"Iniciativa {n}")
        commitment = factories.commitment(session, meeting, indap, f"Entrega {n}")
        commitment.initiatives.append(initiative)
        session.add(
            Milestone(
                commitment=commitment, position=1, description="Hito", due_on=dt.date(2027, 1, 1)
            )
        )
        session.add(
            ProgressUpdate(
                commitment_id=commitment.id,
                reported_on=dt.date(2026, 12, 1),
                text="Avance",
                percent=10,
            )
        )
        session.add(
            DueDateChange(
                commitment_id=commitment.id,
                previous_due_on=dt.date(2027, 9, 30),
                new_due_on=dt.date(2027, 10, 30),
                reason="Lluvias",
            )
        )
        factories.seat(session, goat, f"Productora {n}")
        factories.agreement(session, published.meeting, number=100 + n)
    session.commit()


# -- No personal data -----------------------------------------------------------------------


def every_public_answer(client: FlaskClient) -> Iterator[tuple[str, str]]:
    """Every answer of the API over the data: each list page by page, and each item endpoint
    for every territory, institution and portfolio version."""
    document = client.get("/api/v1/openapi.json").json
    session = _db.session
    fill = {
        "{code}": session.scalars(sa.select(Territory.slug)).all(),
        "{org_id}": [str(i) for i in session.scalars(sa.select(Organization.id))],
        "{commitment_id}": [
            str(i) for i in session.scalars(sa.select(Commitment.id).where(Commitment.is_public))
        ],
    }
    for path, methods in document["paths"].items():
        if "get" not in methods:
            continue
        if "{portfolio_id}" in path:
            for portfolio in session.scalars(sa.select(Portfolio)):
                for version in portfolio.versions:
                    url = path.replace("{portfolio_id}", str(portfolio.id))
                    url = url.replace("{number}", str(version.number))
                    yield url, client.get(url).get_data(as_text=True)
            continue
        holes = [hole for hole in fill if hole in path]
        if not holes:
            url = path
            while url:
                text = client.get(url).get_data(as_text=True)
                yield url, text
                url = json.loads(text).get("next") if '"next"' in text else None
            continue
        for value in fill[holes[0]]:
            url = path.replace(holes[0], value)
            yield url, client.get(url).get_data(as_text=True)
    # The same lists as files for a spreadsheet.
    for table in TABLES:
        url = f"/datos/{table.name}.csv"
        yield url, client.get(url).get_data(as_text=True)


def test_no_personal_data_in_any_public_answer(api):
    session = _db.session
    users = session.execute(sa.select(User.email, User.phone, User.name)).all()
    people = session.execute(sa.select(Person.id, Person.name, Person.phone)).all()
    named = set(
        session.scalars(
            sa.select(Membership.person_id).where(Membership.role.in_(sorted(NAMED_ROLES)))
        )
    )
    secrets = {email for email, _phone, _name in users}
    secrets |= {phone for _email, phone, _name in users if phone}
    secrets |= {phone for _id, _name, phone in people if phone}
    public = {name for person_id, name, _phone in people if person_id in named}
    plain = ({name for _id, name, _phone in people} | {name for *_rest, name in users}) - public
    assert len(secrets) > 5 and len(plain) > 3 and "Herminia Cortés Villalobos" in plain, (
        "the demo has people to protect"
    )
    rut = re.compile(r"\b\d{1,2}\.?\d{3}\.?\d{3}-[\dkK]\b")
    email = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
    phone = re.compile(r"\+?56[\s-]?9[\s-]?\d{4}[\s-]?\d{4}")
    answers = 0
    for url, text in every_public_answer(api):
        answers += 1
        readable = (
            text if url.endswith(".csv") else json.dumps(json.loads(text), ensure_ascii=False)
        )
        for secret in secrets:
            assert secret not in readable, (url, secret)
        for name in plain:
            assert name not in readable, (url, name)
        for pattern in (rut, email, phone):
            assert not pattern.search(readable), (url, pattern.search(readable))
    assert answers > 40
