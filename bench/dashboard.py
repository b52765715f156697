"""Time of the public accountability pages, and of the API's lists (a page of 100 commitments
with their timelines, by cursor), at the scale of the benchmark data: 60 territories
with their mesas, sessions and portfolios, 40 institutions, 100,000 commitments and 500,000
progress updates; and the same pages on a small dataset (6 territories, 1,000 commitments),
whose SQL query count must be the same.

    .venv/bin/python bench/dashboard.py                    # SQLite in a temporary folder
    PORTAL_BENCH_DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/dashboard.py
    .venv/bin/python bench/dashboard.py --runs 100 --only full

Each page is asked for through the Flask test client, once to warm up and then ``--runs``
times; the median and 95th percentile of those times are printed with the page's query count
and its first-visit weight (HTML and CSS, gzip-compressed, like bench/pages.py). The pages are
those of the territory with the most commitments and of the institution with the most, so the
numbers are the worst case of the data. The data is seeded, so runs compare. PostgreSQL: the
tables of the database named by the URL are dropped and made again; give it one of its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import random
import re
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from portal import create_app
from portal.api.paging import encode
from portal.benchdata import INSTITUTIONS
from portal.commitments.models import (
    Commitment,
    CommitmentStatus,
    ProgressUpdate,
    commitment_comunas,
    commitment_initiatives,
)
from portal.core import clock
from portal.extensions import db
from portal.initiatives.models import Initiative, InitiativeKind, Ownership, Stage, Status
from portal.meetings.models import Meeting, MeetingKind, MeetingStatus, Modality
from portal.mesas.models import Mesa, MesaKind, MesaStatus, Organization
from portal.places.models import Comuna, Region, Territory, TerritoryComuna
from portal.places.reference import sync_places
from portal.portfolios.models import (
    LineFunding,
    Phase,
    Portfolio,
    PortfolioLine,
    PortfolioVersion,
)

SEED = 2026


@dataclass(frozen=True)
class Scale:
    name: str
    territories: int
    commitments: int
    updates: int


SCALES = {
    "small": Scale("small", 6, 1_000, 5_000),
    "full": Scale("full", 60, 100_000, 500_000),
}
THEMES = ("ganadería caprina", "turismo", "berries", "minería artesanal")
MEETINGS_PER_MESA = 8
LINES_PER_PORTFOLIO = 20


def _ids(table: sa.Table) -> list[int]:
    return list(db.session.scalars(sa.select(table.c.id).order_by(table.c.id)))


def _insert(table: sa.Table, rows: list[dict], batch: int = 20_000) -> None:
    for start in range(0, len(rows), batch):
        db.session.execute(sa.insert(table), rows[start : start + batch])


def build(scale: Scale) -> None:
    rng = random.Random(SEED)  # noqa: S311 - benchmark data, not secrets
    today = clock.today()
    now = dt.datetime.now(dt.UTC)
    region = db.session.scalar(sa.select(Region.id).where(Region.code == "04"))
    comunas = list(db.session.scalars(sa.select(Comuna.id).order_by(Comuna.id)))

    _insert(
        Organization.__table__,
        [
            {"name": name, "short_name": "", "kind": kind, "actor_type": actor, "created_at": now}
            for name, kind, actor, _ in INSTITUTIONS
        ],
    )
    organizations = _ids(Organization.__table__)
    org_weights = [w for *_, w in INSTITUTIONS]

    _insert(
        Territory.__table__,
        [
            {
                "name": f"Territorio de banco {t:02d}",
                "slug": f"banco-{t:02d}",
                "region_id": region,
                "phase": "triennial_plan",
                "status": "rezagado",
                "decree": "",
                "created_at": now,
            }
            for t in range(scale.territories)
        ],
    )
    territories = _ids(Territory.__table__)
    comunas_of = {
        t: [comunas[(4 * i + k) % len(comunas)] for k in range(4)]
        for i, t in enumerate(territories)
    }
    _insert(
        TerritoryComuna.__table__,
        [
            {"territory_id": t, "comuna_id": c, "valid_from": dt.date(2014, 8, 2), "note": ""}
            for t in territories
            for c in comunas_of[t]
        ],
    )

    mesa_rows = []
    for i, t in enumerate(territories):
        mesa_rows.append(("territorial", f"Mesa territorial {i:02d}", t))
        mesa_rows += [("thematic", f"Mesa de {theme} {i:02d}", t) for theme in THEMES]
    _insert(
        Mesa.__table__,
        [
            {
                "slug": f"banco-mesa-{n}",
                "name": name,
                "kind": kind,
                "theme": "",
                "territory_id": t,
                "description": "",
                "status": MesaStatus.ACTIVE,
                "status_since": dt.date(2024, 1, 1),
                "pre_existing": False,
                "chair_title": "",
                "quorum_rule": "majority",
                "created_at": now,
            }
            for n, (kind, name, t) in enumerate(mesa_rows)
        ],
    )
    mesas = db.session.execute(sa.select(Mesa.id, Mesa.territory_id, Mesa.kind)).all()
    mesas_of: dict[int, list[int]] = {t: [] for t in territories}
    territorial = {}
    for mesa_id, t, kind in mesas:
        mesas_of[t].append(mesa_id)
        if kind == MesaKind.TERRITORIAL:
            territorial[t] = mesa_id

    start = dt.datetime.combine(today, dt.time(14), dt.UTC) - dt.timedelta(days=900)
    _insert(
        Meeting.__table__,
        [
            {
                "mesa_id": mesa_id,
                "number": k + 1,
                "starts_at": start + dt.timedelta(days=100 * k),
                "ends_at": start + dt.timedelta(days=100 * k, hours=2),
                "place": "Sede",
                "online_url": "",
                "modality": Modality.IN_PERSON,
                "kind": MeetingKind.ORDINARY,
                "status": MeetingStatus.HELD,
                "status_reason": "",
                "unnamed_attendees": 0,
                "created_at": now,
                "updated_at": now,
            }
            for mesa_id, _, _ in mesas
            for k in range(MEETINGS_PER_MESA)
        ],
    )
    meetings_of: dict[int, list[tuple[int, dt.date]]] = {}
    for meeting_id, mesa_id, starts_at in db.session.execute(
        sa.select(Meeting.id, Meeting.mesa_id, Meeting.starts_at)
    ):
        meetings_of.setdefault(mesa_id, []).append((meeting_id, starts_at.date()))

    # Each territory's portfolio: one version of 20 initiatives with their money.
    initiative_rows = []
    for t in territories:
        for k in range(LINES_PER_PORTFOLIO):
            initiative_rows.append(
                {
                    "mesa_id": territorial[t],
                    "territory_id": t,
                    "title": f"Iniciativa {t}-{k}",
                    "summary": ".",
                    "description": "",
                    "kind": InitiativeKind.INVESTMENT,
                    "ownership": Ownership.PUBLIC,
                    "localities": "",
                    "bip_code": "",
                    "evaluation_result": "pending",
                    "stage": Stage.PROFILE,
                    "status": rng.choice(
                        (
                            Status.IN_PORTFOLIO,
                            Status.APPROVED,
                            Status.IN_EXECUTION,
                            Status.COMPLETED,
                        )
                    ),
                    "created_at": now,
                    "updated_at": now,
                }
            )
    _insert(Initiative.__table__, initiative_rows)
    initiatives_of: dict[int, list[int]] = {t: [] for t in territories}
    for initiative_id, t in db.session.execute(sa.select(Initiative.id, Initiative.territory_id)):
        initiatives_of[t].append(initiative_id)
    _insert(
        Portfolio.__table__,
        [
            {
                "territory_id": t,
                "mesa_id": territorial[t],
                "title": f"Cartera {t}",
                "phase": Phase.TRIENNIAL,
                "created_at": now,
            }
            for t in territories
        ],
    )
    portfolios = db.session.execute(sa.select(Portfolio.id, Portfolio.territory_id)).all()
    _insert(
        PortfolioVersion.__table__,
        [{"portfolio_id": p, "number": 1, "reason": "", "created_at": now} for p, _ in portfolios],
    )
    versions = dict(
        db.session.execute(
            sa.select(Portfolio.territory_id, PortfolioVersion.id).join(
                PortfolioVersion, PortfolioVersion.portfolio_id == Portfolio.id
            )
        ).all()
    )
    _insert(
        PortfolioLine.__table__,
        [
            {"version_id": versions[t], "position": k + 1, "initiative_id": i}
            for t in territories
            for k, i in enumerate(initiatives_of[t])
        ],
    )
    _insert(
        LineFunding.__table__,
        [
            {
                "line_id": line_id,
                "source": source,
                "amount": rng.randrange(10, 900) * 1_000_000,
                "approver": "CORE",
            }
            for (line_id,) in db.session.execute(sa.select(PortfolioLine.id))
            for source in rng.sample(("fndr", "sectoral", "community"), rng.randrange(1, 3))
        ],
    )

    # Commitments: territories of uneven size, institutions of uneven weight.
    territory_weights = [rng.uniform(0.5, 1.5) for _ in territories]
    commitment_rows, comuna_rows, link_rows = [], [], []
    for cid in range(1, scale.commitments + 1):
        t = rng.choices(territories, territory_weights)[0]
        mesa_id = rng.choice(mesas_of[t])
        meeting_id, committed_on = rng.choice(meetings_of[mesa_id])
        original = committed_on + dt.timedelta(days=rng.randrange(30, 540))
        due = original + dt.timedelta(days=rng.choice((0, 0, 0, 0, 60, 120)))
        if due < today:
            status = rng.choices(
                (
                    CommitmentStatus.FULFILLED,
                    CommitmentStatus.PARTLY_FULFILLED,
                    CommitmentStatus.NOT_FULFILLED,
                    CommitmentStatus.CANCELLED,
                    CommitmentStatus.IN_PROGRESS,
                    CommitmentStatus.PENDING,
                ),
                (55, 10, 8, 5, 15, 7),
            )[0]
        else:
            status = rng.choices(
                (
                    CommitmentStatus.IN_PROGRESS,
                    CommitmentStatus.PENDING,
                    CommitmentStatus.FULFILLED,
                    CommitmentStatus.CANCELLED,
                ),
                (60, 30, 5, 5),
            )[0]
        done = None
        if status in (CommitmentStatus.FULFILLED, CommitmentStatus.PARTLY_FULFILLED):
            done = min(original + dt.timedelta(days=rng.randrange(-60, 120)), today)
        is_open = status in (CommitmentStatus.PENDING, CommitmentStatus.IN_PROGRESS)
        first_update = (
            min(committed_on + dt.timedelta(days=rng.randrange(1, 150)), today)
            if rng.random() < 0.8
            else None
        )
        commitment_rows.append(
            {
                "id": cid,
                "mesa_id": mesa_id,
                "territory_id": t,
                "meeting_id": meeting_id,
                "organization_id": rng.choices(organizations, org_weights)[0],
                "official": "Director regional",
                "deliverable": f"Entrega comprometida número {cid}, con su lugar y su alcance",
                "amount": rng.randrange(1, 500) * 1_000_000 if rng.random() < 0.6 else None,
                "original_due_on": original,
                "due_on": due,
                "status": status,
                "status_reason": "",
                "progress": rng.randrange(0, 101, 10) if first_update else None,
                "reported_done_on": today if is_open and rng.random() < 0.05 else None,
                "done_on": done,
                "first_update_on": first_update,
                "is_public": rng.random() < 0.95,
                "created_at": now,
                "committed_on": committed_on,
                "updated_at": now,
            }
        )
        if rng.random() < 0.7:
            comuna_rows.append({"commitment_id": cid, "comuna_id": rng.choice(comunas_of[t])})
        if rng.random() < 0.3:
            link_rows.append({"commitment_id": cid, "initiative_id": rng.choice(initiatives_of[t])})
    _insert(Commitment.__table__, commitment_rows)
    _insert(commitment_comunas, comuna_rows)
    _insert(commitment_initiatives, link_rows)

    # Progress updates, spread over the commitments that have a first one.
    updated = [row for row in commitment_rows if row["first_update_on"]]
    update_rows = []
    for n in range(scale.updates):
        row = updated[n % len(updated)]
        update_rows.append(
            {
                "commitment_id": row["id"],
                "reported_on": row["first_update_on"] + dt.timedelta(days=30 * (n // len(updated))),
                "text": "Se avanzó según lo previsto.",
                "percent": rng.randrange(0, 101, 10),
                "created_at": now,
            }
        )
    _insert(ProgressUpdate.__table__, update_rows)
    db.session.commit()
    with db.engine.begin() as connection:
        connection.execute(sa.text("ANALYZE"))


def targets() -> dict[str, str]:
    """The pages timed: those of the largest territory and the largest institution."""
    public = Commitment.is_public.is_(True)
    territory, org = (
        db.session.execute(
            sa.select(column)
            .where(public)
            .group_by(column)
            .order_by(sa.func.count().desc(), column)
            .limit(1)
        ).scalar_one()
        for column in (Commitment.territory_id, Commitment.organization_id)
    )
    slug = db.session.get(Territory, territory).slug
    middle = db.session.scalar(sa.select(sa.func.max(Commitment.id))) // 2
    mesa = db.session.scalar(sa.select(Mesa.id).where(Mesa.territory_id == territory).limit(1))
    return {
        "territory": f"/territorios/{slug}/compromisos",
        "territory, filtered": (
            f"/territorios/{slug}/compromisos?mesa={mesa}&institucion={org}&estado=overdue"
            "&periodo=anio-pasado&pagina=1"
        ),
        "territory, page 3": f"/territorios/{slug}/compromisos?pagina=3",
        "scorecard": f"/organizaciones/{org}/compromisos",
        "contributions": f"/territorios/{slug}/aportes",
        # The API (issue 17): a page of 100 commitments with their timelines, first, filtered
        # and from the middle of the list (by cursor); the institution's scorecard; the gap
        # coverage the index module reads.
        "API 100 commitments": f"/api/v1/commitments?territory={slug}&limit=100",
        "API 100, filtered": f"/api/v1/commitments?territory={slug}&state=overdue&limit=100",
        "API 100, mid-list": f"/api/v1/commitments?limit=100&cursor={encode(middle)}",
        "API 100 initiatives": f"/api/v1/initiatives?territory={slug}&limit=100",
        "API scorecard": f"/api/v1/organizations/{org}/scorecard",
        "API gap coverage": f"/api/v1/territories/{slug}/gap-coverage",
    }


def weight(client, url: str) -> int:  # type: ignore[no-untyped-def]
    html = client.get(url).get_data()
    total = len(gzip.compress(html))
    for asset in re.findall(rb'href="(/static/[^"]+\.css[^"]*)"', html):
        total += len(gzip.compress(client.get(asset.decode()).get_data()))
    return total


def measure(app, runs: int) -> dict[str, tuple[float, float, int, int]]:  # type: ignore[no-untyped-def]
    """For each page: median ms, p95 ms, queries, first-visit bytes gzip-compressed."""
    client = app.test_client()
    with app.app_context():
        pages = targets()
        engine = db.engine
    results = {}
    for name, url in pages.items():
        response = client.get(url)  # warm up: templates, statement cache
        assert response.status_code == 200, (url, response.status_code)
        statements: list[str] = []

        def listener(*args) -> None:  # type: ignore[no-untyped-def]
            statements.append(args[2])  # noqa: B023 - removed before the next page

        sa.event.listen(engine, "before_cursor_execute", listener)
        client.get(url)
        sa.event.remove(engine, "before_cursor_execute", listener)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        results[name] = (statistics.median(times), p95, len(statements), weight(client, url))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--only", choices=sorted(SCALES))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("PORTAL_BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'b.db'}"
        app = create_app(
            {
                "INSTANCE_PATH": tmp,
                "SQLALCHEMY_DATABASE_URI": url,
                "SESSION_COOKIE_SECURE": False,
                "RATELIMIT_ENABLED": False,
            }
        )
        queries = {}
        for scale in SCALES.values():
            if args.only and scale.name != args.only:
                continue
            with app.app_context():
                db.drop_all()
                db.create_all()
                with db.engine.begin() as connection:
                    sync_places(connection)
                started = time.perf_counter()
                build(scale)
                built = time.perf_counter() - started
                print(
                    f"\n{db.engine.dialect.name}, {scale.name}: {scale.territories} territories, "
                    f"{scale.commitments:,} commitments, {scale.updates:,} updates "
                    f"(built in {built:.0f} s)",
                    flush=True,
                )
                db.session.remove()
            print(f"{'page':22} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'gz bytes':>9}")
            for name, (median, p95, count, size) in measure(app, args.runs).items():
                print(f"{name:22} {median:10.1f} {p95:8.1f} {count:8d} {size:9d}", flush=True)
                queries.setdefault(name, {})[scale.name] = count
        if len(SCALES) == 2 and not args.only:
            same = all(len(set(by_scale.values())) == 1 for by_scale in queries.values())
            print("\nquery counts equal on both datasets:", "yes" if same else f"NO {queries}")
        with app.app_context():
            db.session.remove()
            db.drop_all()


if __name__ == "__main__":
    main()
