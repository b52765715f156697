"""Time to close a prioritization round of 300 initiatives and 5,000 ballots, through the
database, as the portal does it: rank with the tie-break rule, select what fits the budget with
greedy and with the Method of Equal Shares, record the agreement.

    .venv/bin/python bench/close_round.py                    # SQLite in a temporary folder
    PORTAL_BENCH_DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/close_round.py

Prints the time to store the ballots, the time to close with each method, and what each rule
selected. The data is seeded, so runs compare.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from portal import create_app
from portal.accounts.models import User
from portal.demo import load_demo_data
from portal.extensions import db
from portal.initiatives.models import Initiative, InitiativeKind, Ownership, Stage, Status
from portal.meetings.models import Meeting, MeetingKind, MeetingStatus, Modality
from portal.mesas.models import ActorType, Membership, Mesa, Person, Role
from portal.rounds.models import Ballot, BallotEntry, Method
from portal.rounds.services import Setup, close, open_round

INITIATIVES = 300
VOTERS = 5_000
SEED = 2026


def build(method: Method) -> tuple[object, Meeting]:
    rng = random.Random(SEED)  # noqa: S311 - benchmark data, not secrets
    mesa = db.session.scalar(sa.select(Mesa).where(Mesa.slug == "mesa-territorial-limari-choapa"))
    initiatives = [
        Initiative(
            mesa=mesa,
            territory_id=mesa.territory_id,
            title=f"Iniciativa de banco {method.value} {n}",
            summary=".",
            kind=InitiativeKind.INVESTMENT,
            ownership=Ownership.PUBLIC,
            stage=Stage.PROFILE,
            status=Status.PRESENTED,
            estimated_cost=rng.randrange(5_000, 300_001) * 1_000,
        )
        for n in range(INITIATIVES)
    ]
    db.session.add_all(initiatives)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    meeting = Meeting(
        mesa=mesa,
        number=db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.max(Meeting.number), 0) + 1).where(
                Meeting.mesa_id == mesa.id
            )
        ),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="Ovalle",
        modality=Modality.IN_PERSON,
        kind=MeetingKind.ORDINARY,
        status=MeetingStatus.HELD,
    )
    db.session.add(meeting)
    db.session.flush()
    budget = sum(i.estimated_cost for i in initiatives) // 6
    found = open_round(
        mesa,
        Setup(
            title=f"Banco {method.value}",
            method=method,
            initiatives=initiatives,
            points=10,
            max_choices=15,
            budget=budget,
        ),
        db.session.scalar(sa.select(User).where(User.email == "admin@demo.example")),
    )
    db.session.flush()
    weights = [1 / (k + 1) ** 0.7 for k in range(INITIATIVES)]
    items = [item.id for item in found.items]
    ballots = [Ballot(round_id=found.id, user_id=voter) for voter in voters()]
    db.session.add_all(ballots)
    db.session.flush()
    entries = []
    for ballot in ballots:
        chosen = set()
        while len(chosen) < rng.randrange(5, 16):
            chosen.add(rng.choices(items, weights)[0])
        if method == Method.APPROVAL:
            entries += [{"ballot_id": ballot.id, "item_id": i, "value": 1} for i in chosen]
        else:
            points = 10
            for i in sorted(chosen):
                give = min(points, rng.randrange(1, 4))
                if give:
                    entries.append({"ballot_id": ballot.id, "item_id": i, "value": give})
                points -= give
    db.session.execute(sa.insert(BallotEntry), entries)
    db.session.commit()
    return found, meeting


def voters() -> list[int]:
    """5,000 members of the mesa territorial, created once."""
    existing = list(
        db.session.scalars(sa.select(User.id).where(User.email.like("banco%@demo.example")))
    )
    if len(existing) >= VOTERS:
        return existing[:VOTERS]
    mesa = db.session.scalar(sa.select(Mesa).where(Mesa.slug == "mesa-territorial-limari-choapa"))
    rows = [
        {
            "name": f"Banco {n}",
            "email": f"banco{n}@demo.example",
            "password_hash": "-",
            "locale": "es",
            "active": True,
            "is_admin": False,
            "created_at": dt.datetime.now(dt.UTC),
        }
        for n in range(VOTERS)
    ]
    db.session.execute(sa.insert(User), rows)
    ids = list(db.session.scalars(sa.select(User.id).where(User.email.like("banco%@demo.example"))))
    for user_id in ids:
        db.session.add(
            Membership(
                mesa=mesa,
                person=Person(name="Banco", user_id=user_id),
                role=Role.MEMBER,
                actor_type=ActorType.SOCIAL,
                started_on=dt.date(2024, 1, 1),
            )
        )
    db.session.flush()
    return ids


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("PORTAL_BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'b.db'}"
        app = create_app({"INSTANCE_PATH": tmp, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context(), app.test_request_context():
            db.drop_all()
            db.create_all()
            load_demo_data()
            print(f"database: {db.engine.dialect.name}", flush=True)
            for method in (Method.APPROVAL, Method.DOTS):
                started = time.perf_counter()
                found, meeting = build(method)
                stored = time.perf_counter() - started
                started = time.perf_counter()
                close(found, meeting, db.session.scalar(sa.select(User).where(User.is_admin)))
                db.session.commit()
                closing = time.perf_counter() - started
                greedy = sum(1 for i in found.items if i.selected_greedy)
                shares = sum(1 for i in found.items if i.selected_equal_shares)
                print(
                    f"{method.value:9} {INITIATIVES} initiatives, {VOTERS} ballots: stored in "
                    f"{stored:.1f} s, closed in {closing:.2f} s (ranking, greedy and Equal "
                    f"Shares, agreement); greedy selects {greedy}, Equal Shares {shares}",
                    flush=True,
                )
            db.session.remove()
            db.drop_all()


if __name__ == "__main__":
    main()
