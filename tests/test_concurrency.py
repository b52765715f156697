"""Fifty members cast their ballots at the same moment, fifty progress updates arrive at once:
none is lost, on PostgreSQL and on the embedded SQLite (whose writers wait for the write lock
instead of failing with "database is locked").

These tests commit for real (each request is its own transaction on its own connection, as in
production), so they build their data outside the per-test rollback and remove it afterwards."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from portal.extensions import db as _db
from portal.initiatives.models import InitiativeKind, Status
from portal.mesas.models import ActorType, Role
from portal.rounds.models import Ballot, BallotEntry, Method, Round, RoundItem
from tests import factories
from tests.conftest import PASSWORD, Client

VOTERS = 50


@pytest.fixture
def crowd(app):  # type: ignore[no-untyped-def]
    """A round with three initiatives and fifty members, committed."""
    with app.app_context():
        before = high_water()
        db = _db.session
        mesa = factories.goat_mesa(db)
        users = [
            factories.account(db, f"Votante {n}", f"votante{n}@demo.example", PASSWORD)
            for n in range(VOTERS)
        ]
        db.flush()
        for user in users:
            factories.seat(db, mesa, user, Role.MEMBER)
        initiatives = [
            factories.initiative(
                db,
                mesa,
                f"Concurrente {n}",
                summary=".",
                kind=InitiativeKind.ACTION,
                status=Status.IN_DELIBERATION,
            )
            for n in range(3)
        ]
        found = Round(mesa=mesa, title="Concurrente", method=Method.DOTS, points=10)
        found.items = [RoundItem(initiative=i, position=n) for n, i in enumerate(initiatives)]
        db.add(found)
        db.commit()
        ids = {
            "round": found.id,
            "items": [item.id for item in found.items],
            "users": [(u.id, u.login_id) for u in users],
        }
    yield ids
    with app.app_context():
        forget_since(before)


def high_water() -> dict[str, int]:
    """The highest id of every table (and the audit log's last entry), to remove afterwards
    all that this test committed."""
    from portal.audit.models import AuditEntry

    marks = {"audit_entries": _db.session.scalar(sa.select(sa.func.max(AuditEntry.seq))) or 0}
    for table in _db.metadata.sorted_tables:
        if "id" in table.c:
            marks[table.name] = _db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0
    return marks


def forget_since(marks: dict[str, int]) -> None:
    from portal.audit.models import AuditEntry, AuditHead

    _db.session.execute(sa.delete(AuditEntry).where(AuditEntry.seq > marks["audit_entries"]))
    last = _db.session.execute(
        sa.select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.seq == marks["audit_entries"])
    ).first()
    if last is None:
        _db.session.execute(sa.delete(AuditHead))
    else:
        _db.session.execute(sa.update(AuditHead).values(seq=last.seq, hash=last.hash))
    for table in reversed(_db.metadata.sorted_tables):
        if table.name in marks and "id" in table.c:
            _db.session.execute(sa.delete(table).where(table.c.id > marks[table.name]))
    _db.session.commit()


def signed_in_clients(app, login_id: str, url: str, n: int) -> list[tuple[Client, str]]:  # type: ignore[no-untyped-def]
    """``n`` browsers of the same person, each with the form token of ``url``."""
    app.test_client_class = Client
    clients = []
    for _ in range(n):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = login_id
            session["_fresh"] = True
        clients.append((client, client.csrf_token(url)))
    return clients


def all_at_once(n: int, send) -> list[int]:  # type: ignore[no-untyped-def]
    """Runs ``send(i)`` in ``n`` threads released together; their status codes."""
    start = threading.Barrier(n)
    statuses: list[int] = []

    def run(i: int) -> None:
        start.wait()
        statuses.append(send(i))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def test_fifty_members_voting_at_the_same_moment_lose_no_ballot(app, crowd):
    url = f"/rondas/{crowd['round']}"
    first, second, third = crowd["items"]
    clients = [signed_in_clients(app, login_id, url, 1)[0] for _user_id, login_id in crowd["users"]]

    def vote(n: int) -> int:
        client, token = clients[n]
        return client.post(
            f"{url}/voto",
            data={"csrf_token": token, f"v-{first}": str(n % 4), f"v-{second}": "3"},
            headers={"Referer": "https://localhost" + url},
        ).status_code

    assert all_at_once(VOTERS, vote) == [302] * VOTERS
    with app.app_context():
        ballots = _db.session.scalar(
            sa.select(sa.func.count()).select_from(Ballot).where(Ballot.round_id == crowd["round"])
        )
        points = _db.session.execute(
            sa.select(BallotEntry.item_id, sa.func.sum(BallotEntry.value))
            .join(Ballot, Ballot.id == BallotEntry.ballot_id)
            .where(Ballot.round_id == crowd["round"])
            .group_by(BallotEntry.item_id)
        ).all()
    assert ballots == VOTERS
    assert dict(points) == {first: sum(n % 4 for n in range(VOTERS)), second: 3 * VOTERS}
    assert third not in dict(points)


@pytest.fixture
def open_commitment(app):  # type: ignore[no-untyped-def]
    """A commitment of the goat mesa, recorded in a held session, and its secretary."""
    from portal.mesas.models import Organization

    with app.app_context():
        before = high_water()
        db = _db.session
        mesa = factories.goat_mesa(db)
        user = factories.account(
            db, "Secretaria concurrente", "secretaria.concurrente@demo.example", PASSWORD
        )
        db.flush()
        factories.seat(db, mesa, user, Role.SECRETARY, actor_type=ActorType.PUBLIC)
        held = factories.meeting(db, mesa, 90)
        commitment = factories.commitment(
            db, held, db.scalars(sa.select(Organization)).first(), "Pavimentar el camino."
        )
        db.commit()
        ids = {"commitment": commitment.id, "login_id": user.login_id}
    yield ids
    with app.app_context():
        forget_since(before)


def test_fifty_progress_updates_sent_at_once_are_all_stored(app, open_commitment):
    from portal.commitments.models import ProgressUpdate

    url = f"/compromisos/{open_commitment['commitment']}/avance"
    clients = signed_in_clients(app, open_commitment["login_id"], url, VOTERS)

    def report(n: int) -> int:
        client, token = clients[n]
        return client.post(
            url,
            data={"csrf_token": token, "reported_on": "2026-03-20", "text": f"Avance {n}."},
            headers={"Referer": "https://localhost" + url},
        ).status_code

    assert all_at_once(VOTERS, report) == [303] * VOTERS
    with app.app_context():
        texts = _db.session.scalars(
            sa.select(ProgressUpdate.text).where(
                ProgressUpdate.commitment_id == open_commitment["commitment"]
            )
        ).all()
    assert sorted(texts) == sorted(f"Avance {n}." for n in range(VOTERS))


# Within the connection pool (5 + 10 overflow): each writer holds one at the barrier.
WRITERS = 12


def test_twelve_transactions_appending_at_once_keep_one_unbroken_chain(app):
    """Each transaction locks the chain's head, so none chains onto an entry another one is
    also chaining onto: the entries stay numbered without gaps, each naming the one before."""
    from portal.audit import chain
    from portal.audit.models import AuditEntry, AuditHead

    with app.app_context():
        engine = _db.engine
        with engine.begin() as connection:
            chain.append(connection, [("insert", "commitments", 0)], None)  # the head exists
            start = connection.execute(sa.select(AuditHead.seq, AuditHead.hash)).one()
        barrier = threading.Barrier(WRITERS)
        errors: list[BaseException] = []

        # On SQLite a writer holds the write lock from its BEGIN, so they meet before it.
        meet_first = engine.dialect.name == "sqlite"

        def write(n: int) -> None:
            try:
                if meet_first:
                    barrier.wait()
                with engine.begin() as connection:
                    if not meet_first:
                        barrier.wait()
                    chain.append(connection, [("insert", "commitments", -1 - n)], None)
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        try:
            assert errors == []
            with engine.connect() as connection:
                rows = connection.execute(
                    sa.select(AuditEntry.seq, AuditEntry.prev_hash, AuditEntry.hash)
                    .where(AuditEntry.seq > start.seq)
                    .order_by(AuditEntry.seq)
                ).all()
            assert [r.seq for r in rows] == list(range(start.seq + 1, start.seq + WRITERS + 1))
            prev = start.hash
            for row in rows:
                assert row.prev_hash == prev
                prev = row.hash
        finally:
            with engine.begin() as connection:
                connection.execute(sa.delete(AuditEntry).where(AuditEntry.seq >= start.seq))
                if start.seq == 1:
                    connection.execute(sa.delete(AuditHead))
                else:
                    last = connection.execute(
                        sa.select(AuditEntry.seq, AuditEntry.hash).where(
                            AuditEntry.seq == start.seq - 1
                        )
                    ).one()
                    connection.execute(sa.update(AuditHead).values(seq=last.seq, hash=last.hash))
