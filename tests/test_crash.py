"""The server killed while 200 people send at once: 100 members cast their ballots and a
secretary reports 100 progress updates, each on its own connection to a real `portal serve`
(gunicorn), and the whole server is killed (SIGKILL, as a power cut or the OOM killer would)
while they are arriving. Afterwards, on the engine the suite runs on:

- every submission the server acknowledged (its redirect arrived) is stored, whole;
- nothing is half-written: every stored ballot has all its points, every stored update its
  change-log entry, and the change log verifies;
- the portal starts again on the same database and takes the submissions that were lost.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import sqlalchemy as sa
from flask import Flask, session
from flask_wtf.csrf import generate_csrf

from portal.accounts.models import User
from portal.audit import chain
from portal.audit.models import AuditEntry
from portal.commitments.models import ProgressUpdate
from portal.extensions import db
from portal.initiatives.models import InitiativeKind, Status
from portal.mesas.models import ActorType, Organization, Role
from portal.places.reference import sync_places
from portal.rounds.models import Ballot, BallotEntry, Method, Round, RoundItem
from tests import factories
from tests.conftest import PASSWORD
from tests.servers import PORTAL, clean_environment, free_port
from tests.test_backup import database, portal_on  # noqa: F401 - the fixture

VOTERS = 100
UPDATES = 100


def build(app: Flask) -> dict:  # type: ignore[type-arg]
    with app.app_context():
        db.create_all()
        with db.engine.begin() as connection:
            sync_places(connection)
        session = db.session
        factories.demo_data(session)
        mesa = factories.goat_mesa(session)
        voters = [
            factories.account(session, f"Votante {n}", f"votante{n}@demo.example", PASSWORD)
            for n in range(VOTERS)
        ]
        secretary = factories.account(
            session, "Secretaria de turno", "secretaria.turno@demo.example", PASSWORD
        )
        session.flush()
        for user in voters:
            factories.seat(session, mesa, user, Role.MEMBER)
        factories.seat(session, mesa, secretary, Role.SECRETARY, actor_type=ActorType.PUBLIC)
        initiatives = [
            factories.initiative(
                session,
                mesa,
                f"Iniciativa {n}",
                summary=".",
                kind=InitiativeKind.ACTION,
                status=Status.IN_DELIBERATION,
            )
            for n in range(3)
        ]
        found = Round(mesa=mesa, title="Ronda del corte", method=Method.DOTS, points=10)
        found.items = [RoundItem(initiative=i, position=n) for n, i in enumerate(initiatives)]
        session.add(found)
        held = factories.meeting(session, mesa, 90)
        commitment = factories.commitment(
            session, held, session.scalars(sa.select(Organization)).first(), "Reparar el pozo."
        )
        session.commit()
        return {
            "round": found.id,
            "items": [item.id for item in found.items],
            "voters": [u.login_id for u in voters],
            "secretary": secretary.login_id,
            "commitment": commitment.id,
        }


def credentials(app: Flask, login_id: str) -> tuple[str, str]:
    """(session cookie, form token) of a person signed in, as the server would make them."""
    with app.test_request_context():
        session["_user_id"] = login_id
        session["_fresh"] = True
        token = generate_csrf()
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))  # type: ignore[attr-defined]
    return cookie, token


def serve(url: str, instance: Path, port: int) -> subprocess.Popen:  # type: ignore[type-arg]
    env = clean_environment(
        instance,
        PORTAL_DATABASE_URL=url,
        PORTAL_SECRET_KEY="only-for-tests",
        PORTAL_BASE_URL=f"http://127.0.0.1:{port}",
        PORTAL_SECURE_COOKIES="false",
        # Each submission says it comes from an address of its own (the limits count by
        # address), through the one proxy the portal is told to trust.
        PORTAL_PROXY_COUNT="1",
    )
    server = subprocess.Popen(
        [PORTAL, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/salud", timeout=2)
            return server
        except httpx.HTTPError:
            assert server.poll() is None, "the server stopped"
            assert time.monotonic() < deadline, "the server did not answer in 60 s"
            time.sleep(0.2)


def submissions(app: Flask, ids: dict, base: str) -> list[dict]:  # type: ignore[type-arg]
    """Each of the 200: where it goes, what it carries, and whose it is."""
    first, second, _third = ids["items"]
    sent = []
    for n, login_id in enumerate(ids["voters"]):
        cookie, token = credentials(app, login_id)
        sent.append(
            {
                "kind": "ballot",
                "who": login_id,
                "url": f"{base}/rondas/{ids['round']}/voto",
                "data": {"csrf_token": token, f"v-{first}": str(1 + n % 4), f"v-{second}": "2"},
                "cookie": cookie,
            }
        )
    cookie, token = credentials(app, ids["secretary"])
    for n in range(UPDATES):
        sent.append(
            {
                "kind": "update",
                "who": f"Avance {n} del pozo.",
                "url": f"{base}/compromisos/{ids['commitment']}/avance",
                "data": {
                    "csrf_token": token,
                    "reported_on": "2026-03-20",
                    "text": f"Avance {n} del pozo.",
                },
                "cookie": cookie,
            }
        )
    return sent


def send(item: dict, n: int) -> int | None:  # type: ignore[type-arg]
    """The status of the answer, or None when no answer came (the server was gone)."""
    try:
        return httpx.post(
            item["url"],
            data=item["data"],
            headers={
                "Cookie": f"portal_session={item['cookie']}",
                "X-Forwarded-For": f"10.0.{n // 250}.{n % 250 + 1}",
            },
            timeout=30,
        ).status_code
    except httpx.HTTPError:
        return None


def stored(app: Flask, ids: dict) -> tuple[dict[str, dict[int, int]], set[str]]:  # type: ignore[type-arg]
    """The ballots as stored ({login id: {item: points}}) and the update texts."""
    with app.app_context():
        ballots: dict[str, dict[int, int]] = {}
        for login_id, item_id, value in db.session.execute(
            sa.select(User.login_id, BallotEntry.item_id, BallotEntry.value)
            .join(Ballot, Ballot.user_id == User.id)
            .outerjoin(BallotEntry, BallotEntry.ballot_id == Ballot.id)
            .where(Ballot.round_id == ids["round"])
        ):
            ballots.setdefault(login_id, {})
            if item_id is not None:
                ballots[login_id][item_id] = value
        texts = set(
            db.session.scalars(
                sa.select(ProgressUpdate.text).where(
                    ProgressUpdate.commitment_id == ids["commitment"]
                )
            )
        )
        report = chain.verify()
        assert report.ok, report.problems[:3]
        logged = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.table_name == "commitment_updates")
        )
        assert logged == len(texts), "every stored update has its entry in the change log"
    return ballots, texts


def test_killing_the_server_under_200_submissions_loses_no_acknowledged_one(
    database,  # noqa: F811 - the fixture
    tmp_path: Path,
):
    url = database("crash")
    app = portal_on(url, tmp_path / "instance")
    ids = build(app)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    items = submissions(app, ids, base)
    server = serve(url, tmp_path / "instance", port)
    statuses: list[int | None] = [None] * len(items)
    answered = threading.Semaphore(0)
    start = threading.Barrier(len(items) + 1)

    def run(n: int) -> None:
        start.wait()
        statuses[n] = send(items[n], n)
        answered.release()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(items))]
    for thread in threads:
        thread.start()
    start.wait()
    # Killed once a few dozen were answered, with the rest waiting or being written.
    for _ in range(40):
        answered.acquire(timeout=60)
    os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=30)
    for thread in threads:
        thread.join(timeout=60)

    acknowledged = [items[n] for n, status in enumerate(statuses) if status in (302, 303)]
    refused = [s for s in statuses if s is not None and s not in (302, 303)]
    assert refused == [], "nothing was refused before the cut"
    assert 40 <= len(acknowledged) < len(items), "the cut came while they were arriving"
    ballots, texts = stored(app, ids)
    first, second, _third = ids["items"]
    for item in acknowledged:
        if item["kind"] == "ballot":
            assert item["who"] in ballots, "an acknowledged ballot is stored"
        else:
            assert item["who"] in texts, "an acknowledged update is stored"
    # Nothing half-written: each stored ballot has both its points.
    for login_id, points in ballots.items():
        n = ids["voters"].index(login_id)
        assert points == {first: 1 + n % 4, second: 2}, login_id

    print(f"{len(acknowledged)} of {len(items)} acknowledged before the cut")

    # The portal comes back on the same database and takes what was lost.
    server = serve(url, tmp_path / "instance", port)
    try:
        lost = [
            n
            for n, item in enumerate(items)
            if (item["kind"] == "ballot" and item["who"] not in ballots)
            or (item["kind"] == "update" and item["who"] not in texts)
        ]
        assert [send(items[n], n) for n in lost] == [
            302 if items[n]["kind"] == "ballot" else 303 for n in lost
        ]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(f"{len(lost)} lost with the cut, sent again and stored")
    ballots, texts = stored(app, ids)
    assert len(ballots) == VOTERS and len(texts) == UPDATES
