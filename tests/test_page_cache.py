"""Public pages kept rendered (portal.pagecache): answered from memory until the data or the
time of day changes what they say, and never stale. Over the demo's data: every public page
and aggregate a citizen opens is asked for, a kind of write is made, and each page is asked
for again and compared with the same page rendered afresh."""

from __future__ import annotations

import datetime as dt
import difflib
import gzip
import re
import threading
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask, before_render_template
from flask.testing import FlaskClient

from portal.accounts.models import Notice, User
from portal.commitments import services as commitment_services
from portal.commitments.models import Commitment
from portal.core import clock
from portal.extensions import db as _db
from portal.initiatives.models import Initiative, Status
from portal.meetings import services as meeting_services
from portal.meetings.models import MeetingKind, Modality
from portal.mesas.models import Membership, Mesa, Organization
from portal.pagecache.models import DataVersion
from portal.pagecache.version import PRIVATE_TABLES
from portal.places.models import Territory
from portal.plans import services as plan_services
from portal.plans.models import Indicator
from tests.conftest import Client, QueryCounter, savepoint
from tests.crawl import START, crawl

SLUG = "limari-choapa"


@pytest.fixture
def site(app: Flask, demo) -> Iterator[FlaskClient]:  # type: ignore[no-untyped-def]
    with savepoint(app, demo):
        app.test_client_class = Client  # each request in an app context of its own
        yield app.test_client()


def pages() -> list[str]:
    """What a citizen reads of one territory: its pages, the commitments and an institution's
    scorecard, the cuenta pública, the feeds, the change log, the search and the API."""
    territory = _db.session.scalar(sa.select(Territory).where(Territory.slug == SLUG))
    commitment = _first_public_commitment()
    mesa = _db.session.get(Mesa, commitment.mesa_id)
    return [
        "/",
        f"/territorios/{SLUG}",
        f"/territorios/{SLUG}/compromisos",
        f"/territorios/{SLUG}/cuenta-publica",
        f"/territorios/{SLUG}/compromisos.atom",
        f"/territorios/{SLUG}/iniciativas",
        f"/territorios/{SLUG}/plan",
        f"/mesas/{mesa.slug}",
        f"/mesas/{mesa.slug}/sesiones",
        f"/compromisos/{commitment.id}",
        f"/organizaciones/{commitment.organization_id}/compromisos",
        "/registro-de-cambios",
        f"/territorios/{SLUG}/buscar?q=agua",
        f"/api/v1/commitments?territory={territory.slug}",
        f"/api/v1/territories/{SLUG}/gap-coverage",
    ]


def _first_public_commitment() -> Commitment:
    return _db.session.scalars(
        sa.select(Commitment)
        .join(Territory, Territory.id == Commitment.territory_id)
        .where(Territory.slug == SLUG, Commitment.is_public.is_(True))
        .where(Commitment.status.in_(("pending", "in_progress")))
        .order_by(Commitment.id)
    ).first()


def _admin() -> User:
    return _db.session.scalars(sa.select(User).where(User.is_admin.is_(True))).first()


def _plain(response) -> str:  # type: ignore[no-untyped-def]
    """The page's text, without the times a page prints of its own making."""
    body = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return re.sub(r"\d{1,2}:\d{2}(:\d{2})?", "hh:mm", body.decode())


def _read_all(app: Flask, client: FlaskClient, urls: list[str]) -> dict[str, str]:
    answers = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        answers[url] = _plain(response)
    return answers


def _afresh(app: Flask, client: FlaskClient, urls: list[str]) -> dict[str, str]:
    app.extensions["pagecache"].clear()
    return _read_all(app, client, urls)


def _same(kept: dict[str, str], fresh: dict[str, str]) -> None:
    """Each page as answered equals the page rendered afresh; else the lines that differ."""
    for url, page in kept.items():
        if page != fresh[url]:
            lines = difflib.unified_diff(
                page.splitlines(), fresh[url].splitlines(), lineterm="", n=0
            )
            pytest.fail(f"stale {url}:\n" + "\n".join(list(lines)[2:12]))


def _version() -> int:
    return _db.session.scalar(sa.select(DataVersion.number))


# The kinds of write, each with the page that must show it and what it shows there. --------


def progress(app: Flask) -> tuple[str, str]:
    commitment = _first_public_commitment()
    commitment_services.report(
        commitment,
        commitment_services.UpdateData(clock.today(), "Se compraron los caños del tranque."),
        by=_admin(),
    )
    _db.session.commit()
    return f"/compromisos/{commitment.id}", "Se compraron los caños del tranque."


def reschedule(app: Flask) -> tuple[str, str]:
    commitment = _first_public_commitment()
    new_day = commitment.due_on + dt.timedelta(days=45)
    commitment_services.reschedule(commitment, new_day, "Llovió todo el mes.", by=_admin())
    _db.session.commit()
    return f"/territorios/{SLUG}/compromisos.atom", "Llovió todo el mes."


def rename_institution(app: Flask) -> tuple[str, str]:
    commitment = _first_public_commitment()
    organization = _db.session.get(Organization, commitment.organization_id)
    organization.name = "Servicio Renombrado de Prueba"
    organization.short_name = ""
    _db.session.commit()
    return f"/territorios/{SLUG}/cuenta-publica", "Servicio Renombrado de Prueba"


def withdraw_initiative(app: Flask) -> tuple[str, str]:
    initiative = _db.session.scalars(
        sa.select(Initiative)
        .join(Territory, Territory.id == Initiative.territory_id)
        .where(Territory.slug == SLUG, Initiative.status == Status.IN_PORTFOLIO)
        .order_by(Initiative.id)
    ).first()
    title = initiative.title
    initiative.title = "Iniciativa con título nuevo"
    _db.session.commit()
    assert title != initiative.title
    return f"/territorios/{SLUG}/iniciativas", "Iniciativa con título nuevo"


def schedule_session(app: Flask) -> tuple[str, str]:
    mesa = _db.session.get(Mesa, _first_public_commitment().mesa_id)
    day = clock.today() + dt.timedelta(days=3)
    meeting_services.schedule(
        mesa,
        meeting_services.Details(
            day=day,
            starts=dt.time(10),
            ends=dt.time(12),
            place="Sede social de Las Cabras del Norte",
            online_url="",
            modality=Modality.IN_PERSON,
            kind=MeetingKind.ORDINARY,
        ),
        held=False,
        by=_admin(),
    )
    _db.session.commit()
    return f"/mesas/{mesa.slug}/sesiones", "Sede social de Las Cabras del Norte"


def end_membership(app: Flask) -> tuple[str, str | None]:
    mesa = _db.session.get(Mesa, _first_public_commitment().mesa_id)
    seat = _db.session.scalars(
        sa.select(Membership)
        .where(Membership.mesa_id == mesa.id, Membership.ended_on.is_(None))
        .order_by(Membership.id.desc())
    ).first()
    seat.ended_on = clock.today()
    _db.session.commit()
    # The mesa's roster counts its people by organization: the page changes, in no one word.
    return f"/mesas/{mesa.slug}", None


def measure(app: Flask) -> tuple[str, str]:
    indicator = _db.session.scalars(sa.select(Indicator).order_by(Indicator.id)).first()
    plan_services.record_measurement(
        indicator, clock.today(), indicator.baseline_value + 7, "Encuesta de prueba", by=_admin()
    )
    _db.session.commit()
    return f"/territorios/{SLUG}/plan", "Encuesta de prueba"


WRITES: dict[str, Callable[[Flask], tuple[str, str | None]]] = {
    "progress reported": progress,
    "due date changed": reschedule,
    "institution renamed": rename_institution,
    "initiative edited": withdraw_initiative,
    "session scheduled": schedule_session,
    "seat ended": end_membership,
    "plan measurement": measure,
}


def test_a_public_page_is_answered_from_memory_with_one_query(app, site):
    url = f"/territorios/{SLUG}/cuenta-publica"
    first = site.get(url)
    statements = QueryCounter()
    connection = _db.engines[None]
    sa.event.listen(connection, "before_cursor_execute", statements)
    try:
        again = site.get(url)
    finally:
        sa.event.remove(connection, "before_cursor_execute", statements)
    assert again.get_data() == first.get_data()
    assert statements.count == 1, statements.statements  # the data's version
    etag = again.headers["ETag"]
    assert etag.startswith('W/"')
    assert site.get(url, headers={"If-None-Match": etag}).status_code == 304
    zipped = site.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()) == first.get_data()
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert zipped.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


@pytest.mark.parametrize("write", WRITES)
def test_after_each_kind_of_write_every_page_is_fresh(app, site, write):
    with app.app_context():
        urls = pages()
    before = _read_all(app, site, urls)
    assert len(app.extensions["pagecache"]) == len(urls), "every page is kept"
    with app.app_context():
        version = _version()
        shows, text = WRITES[write](app)
        assert _version() > version
    after = _read_all(app, site, urls)
    if text is None:
        assert after[shows] != before[shows], shows
    else:
        assert text in after[shows] and text not in before[shows], (shows, text)
    _same(after, _afresh(app, site, urls))


def test_pages_change_at_midnight_and_when_a_session_starts(app, site, clock_at):
    with app.app_context():
        urls = pages()
        commitment = _first_public_commitment()
        due = commitment.due_on
        mesa = _db.session.get(Mesa, commitment.mesa_id)
    page = f"/compromisos/{commitment.id}"
    # The evening before the due date, then the morning after it: nothing was written.
    clock_at(dt.datetime.combine(due, dt.time(23, 50), clock.SANTIAGO))
    evening = _read_all(app, site, urls)
    clock_at(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(0, 10), clock.SANTIAGO))
    morning = _read_all(app, site, urls)
    assert "Atrasado" not in evening[page] and "Atrasado" in morning[page]
    _same(morning, _afresh(app, site, urls))

    # A session scheduled in three days is the next on the mesa's page until it ends.
    with app.app_context():
        schedule_session(app)
    at = clock.now() + dt.timedelta(days=3)
    end = dt.datetime.combine(at.astimezone(clock.SANTIAGO).date(), dt.time(12), clock.SANTIAGO)
    clock_at(end - dt.timedelta(minutes=5))
    waiting = _read_all(app, site, [f"/mesas/{mesa.slug}"])
    clock_at(end + dt.timedelta(minutes=5))
    started = _read_all(app, site, [f"/mesas/{mesa.slug}"])
    assert waiting != started
    _same(started, _afresh(app, site, [f"/mesas/{mesa.slug}"]))


def test_nobody_else_gets_a_signed_in_page_nor_a_page_with_a_form(app, site):
    with app.app_context():
        member = _db.session.scalars(
            sa.select(User).where(User.is_admin.is_(False), User.totp_enabled_at.is_(None))
        ).first()
        login_id = member.login_id
    signed_in = 'action="/cuenta/salir"'
    url = f"/territorios/{SLUG}"
    with site.session_transaction() as session:
        session["_user_id"] = login_id
        session["_fresh"] = True
    assert signed_in in site.get(url).get_data(as_text=True)
    with site.session_transaction() as session:
        session.clear()
    assert signed_in not in site.get(url).get_data(as_text=True)
    with site.session_transaction() as session:
        session["_user_id"] = login_id
    assert signed_in in site.get(url).get_data(as_text=True)
    # The sign-in page carries a form token of its own visitor: never kept.
    with site.session_transaction() as session:
        session.clear()
    first = site.get("/cuenta/ingresar")
    other = app.test_client().get("/cuenta/ingresar")
    token = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
    assert token.search(first.get_data(as_text=True)).group(1) != token.search(
        other.get_data(as_text=True)
    ).group(1)


def test_every_write_to_a_public_table_makes_a_new_version(app, site):
    """The counter's hook over every mapped table: changing any row of a table a public page
    may read adds one; a person's own notices, or signing in, add nothing."""
    with app.app_context():
        checked = 0
        for mapper in _db.Model.registry.mappers:
            table = mapper.local_table.name
            row = _db.session.scalars(sa.select(mapper.class_).limit(1)).first()
            column = next(
                (c.key for c in mapper.column_attrs if not c.columns[0].primary_key), None
            )
            if row is None or column is None:
                continue
            version = _version()
            sa.orm.attributes.flag_modified(row, column)
            _db.session.commit()
            grew = _version() > version
            assert grew == (table not in PRIVATE_TABLES), table
            checked += 1
        assert checked >= 40
        user = _admin()
        version = _version()
        user.name = user.name + " Segundo"
        _db.session.commit()
        assert _version() == version + 1, "a name is public"
        user.last_login_at = clock.now()
        _db.session.add(Notice(user_id=user.id, kind="test", subject="Hola", body=""))
        _db.session.commit()
        assert _version() == version + 1
        _db.session.execute(sa.update(Organization).values(short_name="X"))
        _db.session.commit()
        assert _version() == version + 2, "a statement through the session counts too"


def test_every_public_page_without_a_form_is_kept_for_everybody(app, site):
    """One page of each kind a citizen reaches, each asked for by a new visitor: unless it
    holds a form (and with it the visitor's own token), it sets no cookie and is kept."""
    cache = app.extensions["pagecache"]
    kept: list[str] = []
    personal: list[str] = []

    def open_page(path: str) -> str | None:
        visitor = app.test_client()
        response = visitor.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            return None
        html = response.get_data(as_text=True)
        if 'name="csrf_token"' not in html:
            kept.append(path)
            full_path = visitor.get(path).request.full_path
            if response.headers.get("Set-Cookie") or not cache.get(cache.window, ("es", full_path)):
                personal.append(path)
        return html

    crawl(open_page, START)
    assert len(kept) > 25
    assert personal == [], "\n".join(personal)


def _while_rendering(app: Flask, url: str) -> tuple[list[str], bool]:
    """Asks for ``url``; while it renders, another visitor asks for it too, and the first is
    held until the second is answered (at most a second). Which templates were rendered, and
    whether the second was answered while the first was held."""
    rendered: list[str] = []
    second_first: list[bool] = []

    def second() -> None:
        assert app.test_client().get(url).status_code == 200

    other = threading.Thread(target=second)

    def hold_the_first(sender, template, context, **extra):  # type: ignore[no-untyped-def]
        rendered.append(template.name)
        if len(rendered) == 1:
            other.start()
            other.join(timeout=1)
            second_first.append(not other.is_alive())

    with before_render_template.connected_to(hold_the_first, app):
        assert app.test_client().get(url).status_code == 200
        other.join(timeout=30)
    return rendered, second_first[0]


def test_a_page_asked_for_while_it_renders_is_rendered_once(app, site):
    """After a write, a busy page is rendered once per process: who asks for it meanwhile
    waits for that render and gets the same page."""
    rendered, second_first = _while_rendering(app, f"/territorios/{SLUG}/cuenta-publica")
    assert rendered == ["commitments/report.html"]
    assert not second_first
    assert len(app.extensions["pagecache"]) == 1


def test_nobody_waits_for_a_page_that_is_not_kept(app, site):
    """The sign-in page holds its visitor's own form token: a second visitor renders it
    without waiting for the first."""
    site.get("/cuenta/ingresar")  # rendered once: not kept
    rendered, second_first = _while_rendering(app, "/cuenta/ingresar")
    assert rendered == ["accounts/login.html"] * 2
    assert second_first
