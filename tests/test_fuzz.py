"""No request gets a server error, whatever it carries.

Every route of the URL map (so a new one cannot be missed) is sent generated values: in its
``<int:>`` and other path parts, in every query parameter the portal reads, and in every field
of the forms its pages hold, as the platform admin, a member and someone without an account.
Values are drawn by hypothesis from real ones (ids, slugs, options of the demo) and bad ones
(NUL, numbers past 64 bits, "²", spaces, broken links, dates at the end of time). Any answer of
500 or more is collected with the error behind it and reported at the end.

``PORTAL_FUZZ_REQUESTS`` sets how many requests are sent: 400 by default, to keep the suite
quick; CI sends 5,000 on SQLite and 5,000 on PostgreSQL (``.ci/run``)."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import traceback
from collections import defaultdict
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import got_request_exception
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from portal.accounts.models import User
from portal.demo import load_demo_data
from portal.mesas.models import ActorType, Membership, Mesa, Person, Role
from portal.places.models import Territory

REQUESTS = int(os.environ.get("PORTAL_FUZZ_REQUESTS", "400"))

BAD_TEXT = [
    "",
    " ",
    "   ",
    "\x00",
    "a\x00b",
    "99999999999999999999999",
    "9223372036854775808",
    "2147483648",
    "-1",
    "0",
    "²",
    "٣",
    "1e309",
    "NaN",
    "http://[",
    "https://[::1",
    "www.indap.gob.cl/x",
    "javascript:alert(1)",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "31-12-9999",
    "23:30",
    "25:61",
    "<script>alert(1)</script>",
    "x" * 6000,
    "ñandú " * 20,
    "\ud7ff\ue000",
    "%00",
    "../../etc/passwd",
]
QUERY_NAMES = [
    "acuerdo",
    "comuna",
    "desde",
    "estado",
    "hasta",
    "institucion",
    "mesa",
    "next",
    "pagina",
    "periodo",
    "q",
    "summary",
    "territorio",
    "title",
]
FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.S)
ATTRIBUTE = re.compile(r'\b(name|value|type)="([^"]*)"')
PART = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
OPTION = re.compile(r'<option\b[^>]*value="([^"]*)"')


# A value each kind of field accepts, to send with the one or two that are spoilt.
GOOD_BY_TYPE = {
    "date": "2026-06-01",
    "time": "10:00",
    "number": "1",
    "email": "persona@demo.example",
    "url": "https://www.example.cl/a",
    "tel": "+56 9 1234 5678",
    "password": "cabras del valle 2026",
}
GOOD_TEXT = "Texto de prueba"


def fields_of(html: str) -> dict[str, tuple[str, set[str]]]:
    """{field name: (its type, the values the page offers for it)}: options, radios,
    checkboxes and values already filled in."""
    found: dict[str, tuple[str, set[str]]] = {}
    for match in FIELD.finditer(html):
        attributes = dict(ATTRIBUTE.findall(match.group(2)))
        name = attributes.get("name")
        if not name or name == "csrf_token":
            continue
        kind = attributes.get("type", match.group(1))
        _kind, values = found.setdefault(name, (kind, set()))
        if attributes.get("value"):
            values.add(attributes["value"])
    for select in re.finditer(r'<select\b[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        found.setdefault(select.group(1), ("select", set()))[1].update(
            v for v in OPTION.findall(select.group(2)) if v
        )
    return found


def good_value(kind: str, offered: set[str], draw) -> object:  # type: ignore[no-untyped-def]
    if kind == "file":
        return (io.BytesIO(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n"), "acta.pdf")
    if offered:
        return draw(st.sampled_from(sorted(offered)))
    return GOOD_BY_TYPE.get(kind, GOOD_TEXT)


def bad_value(kind: str, draw, texts) -> object:  # type: ignore[no-untyped-def]
    if kind == "file":
        return (io.BytesIO(draw(st.binary(max_size=64))), draw(texts) or "f.pdf")
    return draw(texts)


FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
LINK = re.compile(r'href="(/[^"#]*)"')
PAGES_PER_ENDPOINT = 3
MOST_PAGES = 300


def crawl(client, app, rules):  # type: ignore[no-untyped-def]
    """Follows the links of the portal from every page without arguments and reads the forms
    of each page: {endpoint a form is sent to: its fields}, and {endpoint: the arguments of
    the addresses seen for it}."""
    adapter = app.url_map.bind("localhost")
    found: dict[str, dict[str, tuple[str, set[str]]]] = defaultdict(dict)
    examples: dict[str, list[dict]] = defaultdict(list)
    queue = [r.rule for r in rules if "GET" in r.methods and not r.arguments]
    seen: set[str] = set(queue)
    per_endpoint: dict[str, int] = defaultdict(int)
    visited = 0
    while queue and visited < MOST_PAGES:
        path = queue.pop(0)
        try:
            endpoint, args = adapter.match(path.split("?")[0], method="GET")
        except Exception:  # noqa: S112 (a link to something that is not a page of the portal)
            continue
        if per_endpoint[endpoint] >= PAGES_PER_ENDPOINT or endpoint == "accounts.logout":
            continue
        per_endpoint[endpoint] += 1
        examples[endpoint].append(args)
        visited += 1
        page = client.get(path)
        html = page.get_data(as_text=True) if "html" in page.content_type else ""
        page.close()
        if page.status_code != 200:
            continue
        for attributes, body in FORM.findall(html):
            action = dict(re.findall(r'\b(action|method)="([^"]*)"', attributes))
            method = action.get("method", "get").upper()
            target = (action.get("action") or path).replace("&amp;", "&").split("?")[0]
            try:
                target_endpoint, args = adapter.match(target, method=method)
            except Exception:  # noqa: S112 (a form sent elsewhere)
                continue
            if args not in examples[target_endpoint]:
                examples[target_endpoint].append(args)
            for name, (kind, values) in fields_of(body).items():
                found[target_endpoint].setdefault(name, (kind, set()))[1].update(values)
        for link in LINK.findall(html):
            link = link.replace("&amp;", "&")
            if link not in seen and not link.startswith("/static/"):
                seen.add(link)
                queue.append(link)
    return found, examples


@pytest.fixture
def world(db, make_user):  # type: ignore[no-untyped-def]
    """The demo, and who sends the requests: nobody, a member of a mesa, the admin."""
    load_demo_data()
    admin = db.scalars(sa.select(User).where(User.is_admin)).first()
    mesa = db.scalars(sa.select(Mesa).order_by(Mesa.id)).first()
    member = make_user(name="Integrante que prueba")
    db.add(
        Membership(
            mesa=mesa,
            person=Person(name=member.name, user_id=member.id),
            role=Role.MEMBER,
            actor_type=ActorType.SOCIAL,
            started_on=dt.date(2024, 1, 1),
        )
    )
    db.commit()
    slugs = list(db.scalars(sa.select(Mesa.slug))) + list(db.scalars(sa.select(Territory.slug)))
    return {"users": [None, member.login_id, admin.login_id], "slugs": slugs}


def test_no_request_gets_a_server_error(app, client, world):  # type: ignore[no-untyped-def]
    rules = sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: r.rule
    )
    ints = st.one_of(
        st.integers(min_value=0, max_value=60),
        st.sampled_from([2**31 - 1, 2**31, 2**63, 10**23]),
    )
    texts = st.one_of(st.sampled_from(BAD_TEXT), st.text(max_size=40))
    slugs = st.one_of(st.sampled_from(world["slugs"]), texts.filter(lambda t: "/" not in t))

    # What the pages offer: the fields of the forms sent to each endpoint, and all of them.
    forms: dict[str, dict[str, tuple[str, set[str]]]] = {}
    pool: dict[str, tuple[str, set[str]]] = {}
    errors: list[str] = []
    sent = {"n": 0}
    statuses: dict[int, int] = defaultdict(int)
    # Forms are where bad values get in: routes that take a POST are drawn three times as often,
    # and the admin (who reaches every form) more often than the others.
    weighted = [r for r in rules for _ in range(3 if "POST" in r.methods else 1)]
    senders = [world["users"][0], world["users"][1], *[world["users"][2]] * 3]

    def record(_sender, exception, **_extra):  # type: ignore[no-untyped-def]
        errors.append("".join(traceback.format_exception(exception))[-1500:])

    def as_user(login_id: str | None) -> None:
        with client.session_transaction() as session:
            session.clear()
            if login_id:
                session["_user_id"] = login_id
                session["_fresh"] = True

    def path_for(rule, draw) -> str:  # type: ignore[no-untyped-def]
        """Mostly the arguments of a real address of the route, one of them sometimes
        replaced by a generated value; built by hand so that out-of-range numbers reach the
        converter, as a person could type them."""
        seen = examples.get(rule.endpoint) or []
        real = draw(st.sampled_from(seen)) if seen and draw(st.integers(0, 9)) else {}
        spoilt = draw(st.sampled_from(sorted(rule.arguments))) if rule.arguments else None
        if real and draw(st.integers(0, 4)):
            spoilt = None

        def value(part: re.Match) -> str:  # type: ignore[type-arg]
            converter, name = part.group(1), part.group(2)
            if name in real and name != spoilt:
                return quote(str(real[name]), safe="")
            if converter == "int":
                return str(draw(ints))
            raw = draw(slugs) if name == "slug" else draw(texts.filter(lambda t: "/" not in t))
            return quote(raw or "x", safe="")

        return PART.sub(value, rule.rule)

    got_request_exception.connect(record, app)
    app.config.update(WTF_CSRF_ENABLED=False, PROPAGATE_EXCEPTIONS=False)
    try:
        # The forms the pages hold, by the endpoint they are sent to, read once as the admin.
        as_user(world["users"][-1])
        found, examples = crawl(client, app, rules)
        forms.update(found)
        for fields in forms.values():
            for name, (kind, values) in fields.items():
                pool.setdefault(name, (kind, set()))[1].update(values)
        pool_names = sorted(pool) or ["x"]

        @settings(
            max_examples=REQUESTS,
            deadline=None,
            phases=[Phase.generate],
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def send(data) -> None:  # type: ignore[no-untyped-def]
            draw = data.draw
            rule = draw(st.sampled_from(weighted))
            as_user(draw(st.sampled_from(senders)))
            path = path_for(rule, draw)
            methods = sorted(rule.methods & {"GET", "POST"})
            method = draw(st.sampled_from(methods))
            if method == "GET":
                names = draw(st.lists(st.sampled_from(QUERY_NAMES), max_size=4, unique=True))
                query = {n: draw(texts) for n in names}
                response = client.get(path, query_string=query)
            else:
                # The form as a person fills it, then one or two fields spoilt (or none,
                # or, for a route whose form was not seen, fields of other forms).
                own = forms.get(rule.endpoint) or {
                    name: pool[name]
                    for name in draw(st.lists(st.sampled_from(pool_names), max_size=8, unique=True))
                    if name in pool
                }
                names = sorted(own)
                spoilt = set(draw(st.lists(st.sampled_from(names), max_size=2))) if names else set()
                form: dict[str, object] = {}
                for name in names:
                    kind, offered = own[name]
                    if name in spoilt:
                        form[name] = bad_value(kind, draw, texts)
                    elif kind in ("checkbox", "radio") and not draw(st.booleans()):
                        continue
                    else:
                        form[name] = good_value(kind, offered, draw)
                response = client.post(path, data=form, content_type="multipart/form-data")
            response.get_data()
            response.close()
            sent["n"] += 1
            statuses[response.status_code] += 1
            if os.environ.get("PORTAL_FUZZ_DEBUG"):
                print(method, rule.endpoint, path[:80], response.status_code)
            if response.status_code >= 500:
                errors.append(f"{method} {path} -> {response.status_code}")

        send()
    finally:
        got_request_exception.disconnect(record, app)
        app.config.update(WTF_CSRF_ENABLED=True, PROPAGATE_EXCEPTIONS=None)
    print(
        f"fuzz: {sent['n']} requests over {len(rules)} routes, {len(errors)} errors;"
        f" forms of {len(forms)} endpoints; statuses {dict(sorted(statuses.items()))}"
    )
    assert sent["n"] >= REQUESTS * 0.99
    assert errors == []
