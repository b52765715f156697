"""The benchmark data (``portal.benchdata``): what a tiny scale of it writes is what
``counts_for`` says, it is written through the application's session (the change log verifies,
the search finds it), and the accounts it makes can sign in where they sit."""

from __future__ import annotations

import dataclasses
import math
import re

import pytest
import sqlalchemy as sa

from portal.accounts.services import authenticate
from portal.audit.chain import verify
from portal.benchdata import ACCOUNT_EMAILS, Counts, bench_data_command, build, counts_for
from portal.commitments.models import Commitment, ProgressUpdate
from portal.core import clock
from portal.initiatives.models import Initiative, Status
from portal.meetings.models import Agreement, Meeting, MeetingStatus, Minutes, MinutesRevision
from portal.meetings.models import MinutesStatus as Acta
from portal.mesas.models import Membership, Mesa, MesaKind, Organization, Person, Role
from portal.pagecache.models import DataVersion
from portal.places.models import Territory, TerritoryComuna
from portal.plans.models import Indicator, IndicatorTarget, Measurement, Plan, PlanVersion
from portal.portfolios.models import Portfolio, PortfolioLine
from portal.reference.models import StrategicObjective
from portal.search.models import DocumentKind, SearchDocument
from portal.search.queries import search
from portal.search.text import query_stems

SCALE = 0.005
PASSWORD = "cabras del banco 2026"
TABLES = {
    "territories": Territory,
    "territory_comunas": TerritoryComuna,
    "mesas": Mesa,
    "organizations": Organization,
    "people": Person,
    "memberships": Membership,
    "sessions": Meeting,
    "agreements": Agreement,
    "initiatives": Initiative,
    "portfolios": Portfolio,
    "portfolio_lines": PortfolioLine,
    "plans": Plan,
    "objectives": StrategicObjective,
    "indicators": Indicator,
    "targets": IndicatorTarget,
    "measurements": Measurement,
    "commitments": Commitment,
    "updates": ProgressUpdate,
}


def rows(db, model) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(sa.select(sa.func.count()).select_from(model))


def count(db, statement) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(sa.select(sa.func.count()).select_from(statement.subquery()))


def test_the_national_scale_and_its_fractions():
    national = counts_for(1)
    assert (national.territories, national.mesas, national.people) == (60, 600, 30_000)
    assert (national.sessions, national.agreements) == (3_000, 6_000)
    assert (national.initiatives, national.commitments, national.updates) == (
        30_000,
        100_000,
        500_000,
    )
    assert (national.portfolios, national.portfolio_lines, national.organizations) == (
        60,
        1_200,
        40,
    )
    assert national.memberships == 30_000 + 2 * 540
    assert counts_for(2).commitments == 200_000 and counts_for(0.1).territories == 6
    tiny = counts_for(0.0001)
    assert all(getattr(tiny, f.name) >= 1 for f in dataclasses.fields(tiny) if f.name != "accounts")
    for wrong in (0, -1, 2.5, math.nan):
        with pytest.raises(ValueError, match="above 0 and at most 2"):
            counts_for(wrong)


def test_a_small_scale_is_built_as_the_application_writes(db):
    """One build (each takes a few seconds), looked at as a user of the benchmark would."""
    before = {name: rows(db, model) for name, model in TABLES.items()}
    assert set(TABLES) == {f.name for f in dataclasses.fields(Counts)} - {"accounts"}
    version = db.scalar(sa.select(DataVersion.number))
    lines: list[str] = []

    built = build(SCALE, password=PASSWORD, echo=lines.append)

    assert built == dataclasses.replace(counts_for(SCALE), accounts=ACCOUNT_EMAILS)
    assert any(line.strip().startswith("commitments and progress updates") for line in lines)
    written = {name: rows(db, model) - before[name] for name, model in TABLES.items()}
    assert written == {name: getattr(built, name) for name in TABLES}
    # Written through the session: the data version moved on with every batch.
    assert db.scalar(sa.select(DataVersion.number)) > version
    check_sessions(db, built)
    check_updates(db, built)
    check_log_and_search(db, built)
    check_accounts(db, built)


def check_sessions(db, built: Counts) -> None:  # type: ignore[no-untyped-def]
    """Held sessions, each with its acta published and its agreements."""
    now = clock.now()
    meetings = db.scalars(sa.select(Meeting)).all()
    assert len(meetings) == built.sessions
    assert all(m.status == MeetingStatus.HELD and m.ends_at < now for m in meetings)
    published = sa.select(Minutes.id).where(
        Minutes.status == Acta.PUBLISHED, Minutes.published_at <= now
    )
    assert count(db, published) == built.sessions
    assert count(db, sa.select(MinutesRevision.minutes_id).distinct()) == built.sessions
    without_agreement = sa.select(Meeting.id).where(
        ~sa.exists().where(Agreement.meeting_id == Meeting.id)
    )
    assert count(db, without_agreement) == 0
    # Each territory's plan is agreed in a session of its mesa territorial, and sanctioned.
    agreed = (
        sa.select(PlanVersion.id)
        .join(Agreement, Agreement.id == PlanVersion.agreement_id)
        .join(Mesa, Mesa.id == Agreement.mesa_id)
        .where(Mesa.kind == MesaKind.TERRITORIAL, PlanVersion.sanctioned_on.is_not(None))
    )
    assert count(db, agreed) == built.plans
    # Never only drafts.
    statuses = set(db.scalars(sa.select(Initiative.status).distinct()))
    assert len(statuses - {Status.DRAFT}) >= 4


def check_updates(db, built: Counts) -> None:  # type: ignore[no-untyped-def]
    first = (
        sa.select(ProgressUpdate.commitment_id, sa.func.min(ProgressUpdate.reported_on).label("on"))
        .group_by(ProgressUpdate.commitment_id)
        .subquery()
    )
    pairs = db.execute(
        sa.select(Commitment.first_update_on, first.c.on).outerjoin(
            first, first.c.commitment_id == Commitment.id
        )
    ).all()
    assert len(pairs) == built.commitments
    # The date of the first update is the first update's, and only a commitment with updates
    # has one.
    assert all(recorded == actual for recorded, actual in pairs)
    assert sum(actual is not None for _, actual in pairs) > built.commitments / 2
    latest = db.scalar(sa.select(sa.func.max(ProgressUpdate.reported_on)))
    assert latest <= clock.today()


def check_log_and_search(db, built: Counts) -> None:  # type: ignore[no-untyped-def]
    report = verify()
    assert report.ok, report.problems[:5]
    assert report.entries >= built.commitments + built.updates + built.initiatives
    kinds = dict(
        db.execute(
            sa.select(SearchDocument.kind, sa.func.count()).group_by(SearchDocument.kind)
        ).all()
    )
    assert kinds == {
        DocumentKind.INITIATIVE: built.initiatives,
        DocumentKind.AGREEMENT: built.agreements,
        DocumentKind.COMMITMENT: built.commitments,
    }

    commitment = db.scalars(
        sa.select(Commitment).where(Commitment.is_public).order_by(Commitment.id).limit(1)
    ).one()
    word = max(re.findall(r"\w+", commitment.deliverable), key=len)
    territory = db.get(Territory, commitment.territory_id)
    found, page, pages = set(), 1, 1
    while page <= pages:
        results = search(territory, query_stems(word), page)
        found |= {(hit.kind, hit.ref_id) for hit in results.hits}
        page, pages = page + 1, results.pages
    assert (DocumentKind.COMMITMENT, commitment.id) in found


def check_accounts(db, built: Counts) -> None:  # type: ignore[no-untyped-def]
    assert built.accounts == ACCOUNT_EMAILS
    busiest = db.scalar(
        sa.select(Commitment.mesa_id)
        .group_by(Commitment.mesa_id)
        .order_by(sa.func.count().desc(), Commitment.mesa_id)
        .limit(1)
    )
    roles = {}
    for email in built.accounts:
        user = authenticate(email, PASSWORD)
        assert user is not None and user.is_verified
        roles[email] = db.execute(
            sa.select(Membership.role, Membership.organization_id)
            .join(Person, Person.id == Membership.person_id)
            .where(Person.user_id == user.id, Membership.mesa_id == busiest)
        ).one()
    chair, secretary, service = (roles[email] for email in built.accounts)
    assert chair.role == Role.CHAIR and secretary.role == Role.SECRETARY
    assert service.role == Role.SERVICE_REP and service.organization_id is not None
    assert authenticate(built.accounts[0], "not the password") is None


def test_the_command_refuses_a_scale_out_of_range(app, db):
    runner = app.test_cli_runner()
    for scale in ("0", "-1", "2.5", "nan"):
        result = runner.invoke(bench_data_command, ["--scale", scale])
        assert result.exit_code == 2, result.output
        assert "above 0 and at most 2" in result.output
    assert rows(db, Territory) == 0


def test_the_command_fills_only_an_empty_database(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        bench_data_command,
        ["--scale", "0.002", "--seed", "7"],
        env={"PORTAL_BENCH_PASSWORD": None},  # no accounts without a password
    )
    assert result.exit_code == 0, result.output
    assert "Built in" in result.output and "200 commitments" in result.output
    assert "Accounts" not in result.output

    again = runner.invoke(bench_data_command, ["--scale", "0.002"])
    assert again.exit_code == 2
    assert "bench-data fills an empty database; use a database of its own" in again.output


def test_build_refuses_a_database_with_territories(db, make_territory):
    make_territory()
    with pytest.raises(ValueError, match="fills an empty database"):
        build(SCALE, echo=lambda _line: None)
