"""Fifty members cast their ballots at the same moment on PostgreSQL: none is lost.

This test commits for real (each request is its own transaction on its own connection, as in
production), so it builds its data outside the per-test rollback and removes it afterwards."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from portal.accounts.services import NewAccount, create_user
from portal.extensions import db as _db
from portal.initiatives.models import Initiative, InitiativeKind, Ownership, Stage, Status
from portal.initiatives.rounds import Ballot, BallotEntry, Method, Round, RoundItem
from portal.mesas.demo import load_demo_mesas
from portal.mesas.models import ActorType, Membership, Mesa, Person, Role
from portal.places.demo import load_pilot_territories
from portal.places.models import Comuna
from tests.conftest import PASSWORD, TEST_DATABASE_URL, Client

VOTERS = 50
SLUG = "limari-choapa-ganaderia-caprina"

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="concurrent commits are tested on PostgreSQL"
)


@pytest.fixture
def crowd(app):  # type: ignore[no-untyped-def]
    """A round with three initiatives and fifty members, committed."""
    with app.app_context():
        before = high_water()
        load_pilot_territories()
        load_demo_mesas()
        mesa = _db.session.scalar(sa.select(Mesa).where(Mesa.slug == SLUG))
        comuna = _db.session.scalar(sa.select(Comuna.id).where(Comuna.name == "Canela"))
        users = [
            create_user(
                NewAccount(
                    name=f"Votante {n}",
                    email=f"votante{n}@demo.example",
                    password=PASSWORD,
                    comuna_id=comuna,
                )
            )
            for n in range(VOTERS)
        ]
        _db.session.flush()
        for user in users:
            _db.session.add(
                Membership(
                    mesa=mesa,
                    person=Person(name=user.name, user_id=user.id),
                    role=Role.MEMBER,
                    actor_type=ActorType.SOCIAL,
                    started_on=dt.date(2024, 1, 1),
                )
            )
        initiatives = [
            Initiative(
                mesa=mesa,
                territory_id=mesa.territory_id,
                title=f"Concurrente {n}",
                summary=".",
                kind=InitiativeKind.ACTION,
                ownership=Ownership.PUBLIC,
                stage=Stage.IDEA,
                status=Status.IN_DELIBERATION,
            )
            for n in range(3)
        ]
        found = Round(mesa=mesa, title="Concurrente", method=Method.DOTS, points=10)
        found.items = [RoundItem(initiative=i, position=n) for n, i in enumerate(initiatives)]
        _db.session.add(found)
        _db.session.commit()
        ids = {
            "round": found.id,
            "items": [item.id for item in found.items],
            "users": [(u.id, u.login_id) for u in users],
        }
    yield ids
    with app.app_context():
        forget_since(before)


def high_water() -> dict[str, int]:
    """The highest id of every table, to remove afterwards all that this test committed."""
    marks = {}
    for table in _db.metadata.sorted_tables:
        if "id" in table.c:
            marks[table.name] = _db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0
    return marks


def forget_since(marks: dict[str, int]) -> None:
    for table in reversed(_db.metadata.sorted_tables):
        if table.name in marks:
            _db.session.execute(sa.delete(table).where(table.c.id > marks[table.name]))
    _db.session.commit()


def test_fifty_members_voting_at_the_same_moment_lose_no_ballot(app, crowd):
    app.test_client_class = Client
    url = f"/rondas/{crowd['round']}"
    first, second, third = crowd["items"]
    clients = []
    for _user_id, login_id in crowd["users"]:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = login_id
            session["_fresh"] = True
        clients.append((client, client.csrf_token(url)))
    start = threading.Barrier(VOTERS)
    statuses: list[int] = []

    def vote(n: int) -> None:
        client, token = clients[n]
        start.wait()
        response = client.post(
            f"{url}/voto",
            data={"csrf_token": token, f"v-{first}": str(n % 4), f"v-{second}": "3"},
            headers={"Referer": "https://localhost" + url},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=vote, args=(n,)) for n in range(VOTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302] * VOTERS
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

        def write(n: int) -> None:
            try:
                with engine.begin() as connection:
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
