"""Portfolios: made from a closed round at the mesa territorial, immutable versions with a
reason and a diff, and the approval steps in their order."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import Notice
from portal.core import clock
from portal.core.refusals import Refused
from portal.initiatives.models import FundingLine, FundingSource, Initiative, Stage, Status
from portal.meetings.models import Agreement
from portal.mesas.models import ActorType, Role
from portal.portfolios import money
from portal.portfolios import services as portfolio_services
from portal.portfolios.models import (
    Decision,
    LineFunding,
    Phase,
    PortfolioLine,
    PortfolioStep,
    PortfolioVersion,
    StepKind,
)
from portal.rounds import services as round_services
from portal.rounds.models import Method, Round
from tests import factories
from tests.conftest import text_of

TERRITORIAL = "mesa-territorial-limari-choapa"
REGIONAL = "mesa-tecnica-regional-coquimbo"


@pytest.fixture
def closed_round(app, db, make_user):  # type: ignore[no-untyped-def]
    """At the mesa territorial: three presented initiatives, an approval round with a budget
    of $ 100 million closed in a held session; a secretary here and one at the regional."""
    factories.demo_data(db)
    mesa = factories.demo_mesa(db, TERRITORIAL)
    regional = factories.demo_mesa(db, REGIONAL)
    people = {role: make_user(name=f"Persona {role}") for role in ("secretary", "reviewer")}
    voters = [make_user() for _ in range(3)]
    public = ActorType.PUBLIC
    factories.seat(db, mesa, people["secretary"], Role.SECRETARY, actor_type=public)
    factories.seat(db, regional, people["reviewer"], Role.SECRETARY, actor_type=public)
    for voter in voters:
        factories.seat(db, mesa, voter, Role.MEMBER, actor_type=public)
    plan = (
        ("Agua", 40_000_000, {FundingSource.FNDR: 30_000_000, FundingSource.COMMUNITY: 10_000_000}),
        ("Camino", 50_000_000, {FundingSource.SECTORAL: 50_000_000}),
        ("Quesos", 30_000_000, {}),
    )
    initiatives = [
        factories.initiative(
            db,
            mesa,
            title,
            summary=".",
            cost=cost,
            stage=Stage.PROFILE,
            status=Status.PRESENTED,
            funding=[
                FundingLine(
                    source=s, amount=a, ministry="MOP" if s == FundingSource.SECTORAL else ""
                )
                for s, a in funding.items()
            ],
        )
        for title, cost, funding in plan
    ]
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    meeting = factories.meeting(db, mesa, starts_at=start, place="Ovalle")
    found = round_services.open_round(
        mesa,
        round_services.Setup(
            title="Cartera 2027",
            method=Method.APPROVAL,
            initiatives=initiatives,
            max_choices=3,
            budget=100_000_000,
        ),
        people["secretary"],
    )
    db.flush()
    item = {i.initiative_id: i.id for i in found.items}
    for voter in voters:
        round_services.cast(
            found, voter, {(item[initiatives[0].id], None): 1, (item[initiatives[1].id], None): 1}
        )
    with app.test_request_context():
        round_services.close(found, meeting, people["secretary"])
    db.commit()
    return found, people


def test_a_portfolio_from_a_round_its_versions_and_its_approval(db, client, login, closed_round):
    found, people = closed_round
    login(people["secretary"])
    response = client.submit(
        f"/rondas/{found.id}/cartera",
        {"title": "Cartera anual 2027", "phase": "annual", "rule": "equal_shares"},
    )
    assert response.status_code == 302
    version = db.scalar(sa.select(PortfolioVersion))
    titles = [line.initiative.title for line in version.lines]
    assert titles == ["Agua", "Camino"]
    statuses = db.scalars(sa.select(Initiative.status).order_by(Initiative.title)).all()
    assert statuses == [Status.IN_PORTFOLIO, Status.IN_PORTFOLIO, Status.PRESENTED]
    portfolio_id = version.portfolio_id
    steps = f"/carteras/{portfolio_id}/pasos"
    today = clock.today().isoformat()

    # The sources no longer approve in one step: they approve each line's money.
    response = client.submit(steps, {"kind": "source_approved", "on": today})
    assert response.status_code == 422
    agreement = db.scalar(sa.select(Agreement.id))
    response = client.submit(steps, {"kind": "agreed", "on": today, "agreement": str(agreement)})
    assert response.status_code == 302
    # The mesa territorial does not review its own portfolio.
    response = client.submit(steps, {"kind": "reviewed", "on": today, "observations": "Bien."})
    assert response.status_code == 422
    login(people["reviewer"])
    response = client.submit(
        steps,
        {"kind": "reviewed", "on": today, "observations": "Falta el aporte municipal del camino."},
    )
    assert response.status_code == 302

    # The observation is answered with a new version: the camino gets less sectoral money.
    login(people["secretary"])
    response = client.submit(
        f"/carteras/{portfolio_id}/nueva-version",
        {
            "keep-" + str(titles_ids(db)["Agua"]): "1",
            f"a-{titles_ids(db)['Agua']}-fndr": "30.000.000",
            f"a-{titles_ids(db)['Agua']}-community": "10.000.000",
            "reason": "",
        },
    )
    assert response.status_code == 422
    assert db.scalar(sa.select(sa.func.count()).select_from(PortfolioVersion)) == 1
    response = client.submit(
        f"/carteras/{portfolio_id}/nueva-version",
        {
            "keep-" + str(titles_ids(db)["Agua"]): "1",
            f"a-{titles_ids(db)['Agua']}-fndr": "25.000.000",
            f"a-{titles_ids(db)['Agua']}-community": "10.000.000",
            "reason": "El camino pasa al plan de la Dirección de Vialidad; se ajusta el agua.",
        },
    )
    assert response.status_code == 302
    # Version 1 did not change.
    first = db.scalar(sa.select(PortfolioVersion).where(PortfolioVersion.number == 1))
    assert [line.initiative.title for line in first.lines] == ["Agua", "Camino"]
    client.submit("/cuenta/salir", {}, form_url="/")
    page = text_of(client.get(f"/carteras/{portfolio_id}/versiones/2"))
    assert "El camino pasa al plan de la Dirección de Vialidad" in page
    assert "Quitado: Camino" in page
    assert "FNDR (gobierno regional) M$ 30.000 → M$ 25.000" in page
    assert "reemplazada por una versión posterior" in text_of(
        client.get(f"/carteras/{portfolio_id}/versiones/1")
    )
    public = text_of(client.get("/territorios/limari-choapa/cartera"))
    assert "Cartera anual 2027" in public and "Versión 2" in public and "M$ 35.000" in public

    # Approvals go on the latest version; each source needs its document.
    login(people["secretary"])
    agreement = db.scalar(sa.select(Agreement.id))
    client.submit(steps, {"kind": "agreed", "on": today, "agreement": str(agreement)})
    login(people["reviewer"])
    client.submit(steps, {"kind": "reviewed", "on": today, "observations": "Sin observaciones."})
    login(people["secretary"])

    def money(source: FundingSource) -> str:
        funding = db.scalar(
            sa.select(LineFunding.id)
            .join(PortfolioLine, PortfolioLine.id == LineFunding.line_id)
            .join(PortfolioVersion, PortfolioVersion.id == PortfolioLine.version_id)
            .where(PortfolioVersion.number == 2, LineFunding.source == source)
        )
        return f"/carteras/{portfolio_id}/dinero/{funding}"

    decision = {
        "on": today,
        "budget_year": str(clock.today().year),
        "document": "Acuerdo CORE N° 45",
    }
    fndr = money(FundingSource.FNDR)
    response = client.submit(
        fndr + "/aprobacion", {**decision, "decision": "partial", "amount": "26.000.000"}
    )
    assert response.status_code == 422
    assert (
        "Una aprobación no puede ser por más de lo solicitado (M$ 25.000); una aprobación parcial"
        " es por menos."
    ) in text_of(response)
    response = client.submit(fndr + "/aprobacion", {**decision, "decision": "approved"})
    assert response.status_code == 302
    response = client.submit(fndr + "/aprobacion", {**decision, "decision": "approved"})
    assert response.status_code == 409  # decided stays decided
    # The mesa that carries the portfolio hears of it (the three voters seated there).
    told = db.scalars(sa.select(Notice.subject).where(Notice.kind == "funding_decided")).all()
    assert told == ["Agua: Aprobado completo por Consejo Regional (CORE)"] * 3
    community = money(FundingSource.COMMUNITY)
    response = client.submit(community + "/aprobacion", {**decision, "decision": "rejected"})
    assert response.status_code == 422 and "Di por qué se rechazó." in text_of(response)
    response = client.submit(
        community + "/aprobacion",
        {**decision, "decision": "rejected", "reason": "La junta de vecinos no puede aportar."},
    )
    assert response.status_code == 302
    # Execution: never above what was approved; rejected money is not executed.
    year = str(clock.today().year)
    response = client.submit(fndr + "/ejecucion", {"year": year, "amount": "30.000.000"})
    assert response.status_code == 422 and "no puede pasar el monto aprobado" in text_of(response)
    response = client.submit(fndr + "/ejecucion", {"year": year, "amount": "10.000.000"})
    assert response.status_code == 302
    response = client.post(
        community + "/ejecucion",
        data={"csrf_token": client.csrf_token(fndr + "/ejecucion"), "year": year, "amount": "1"},
        headers={"Referer": "https://localhost/"},
    )
    assert response.status_code == 409
    page = text_of(client.get(f"/carteras/{portfolio_id}/versiones/2"))
    assert f"Aprobado completo: M$ 25.000, presupuesto {year} (Acuerdo CORE N° 45" in page
    assert "Rechazado, presupuesto" in page and "La junta de vecinos no puede aportar." in page
    assert f"Ejecutado: {year}: M$ 10.000" in page
    assert "Solicitado M$ 35.000; aprobado M$ 25.000; ejecutado M$ 10.000." in page
    assert "1. Agua Avance: Aún no se informa avance." in page


def titles_ids(db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return dict(db.execute(sa.select(Initiative.title, Initiative.id)).all())


def test_only_the_mesa_territorial_makes_a_portfolio(db, client, login, closed_round, make_user):
    found, people = closed_round
    login(people["reviewer"])
    response = client.submit(
        f"/rondas/{found.id}/cartera", {"title": "X", "phase": "annual", "rule": "greedy"}
    )
    assert response.status_code == 403
    assert db.scalar(sa.select(sa.func.count()).select_from(PortfolioLine)) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(LineFunding)) == 0
    assert db.scalar(sa.select(Round.status)) == "closed"


def test_portfolio_pages_do_not_query_more_with_more_lines(
    db, client, login, closed_round, count_queries
):
    found, people = closed_round
    login(people["secretary"])
    client.submit(
        f"/rondas/{found.id}/cartera", {"title": "C", "phase": "annual", "rule": "greedy"}
    )
    version = db.scalar(sa.select(PortfolioVersion))
    urls = ("/territorios/limari-choapa/cartera", f"/carteras/{version.portfolio_id}/versiones/1")

    def cost() -> list[int]:
        counts = []
        for url in urls:
            with count_queries() as q:
                assert client.get(url).status_code == 200
            counts.append(q.count)
        return counts

    before = cost()
    extra = db.scalars(sa.select(Initiative).where(Initiative.title == "Quesos")).one()
    line = PortfolioLine(version=version, position=9, initiative=extra)
    db.add_all([line, LineFunding(line=line, source=FundingSource.FNDR, amount=1, approver="CORE")])
    db.commit()
    assert cost() == before


def test_a_new_version_adds_what_the_mesa_prioritized_and_nothing_else(
    db, client, login, closed_round
):
    found, people = closed_round
    login(people["secretary"])
    client.submit(
        f"/rondas/{found.id}/cartera",
        {"title": "Cartera anual 2027", "phase": "annual", "rule": "equal_shares"},
    )
    version = db.scalar(sa.select(PortfolioVersion))
    portfolio_id = version.portfolio_id
    mesa = version.portfolio.mesa
    never = factories.initiative(db, mesa, "Turismo rural", status=Status.PRESENTED, cost=5)
    db.commit()
    ids = titles_ids(db)
    keep_all = {}
    for line in version.lines:
        keep_all[f"keep-{line.initiative_id}"] = "1"
        for f in line.funding:
            keep_all[f"a-{line.initiative_id}-{f.source.value}"] = str(f.amount)
    path = f"/carteras/{portfolio_id}/nueva-version"
    page = text_of(client.get(path))
    # Quesos was weighed in the closed round (it did not fit the budget): it may enter now.
    assert "Quesos" in page and "Turismo rural" not in page

    refused = client.submit(
        path, {**keep_all, "add": str(never.id), "reason": "Se suma el turismo."}
    )
    assert refused.status_code == 422
    assert "Solo puede entrar a la cartera una iniciativa que la mesa territorial" in text_of(
        refused
    )
    assert db.scalar(sa.select(sa.func.count()).select_from(PortfolioVersion)) == 1

    made = client.submit(
        path, {**keep_all, "add": str(ids["Quesos"]), "reason": "Llegó más presupuesto."}
    )
    assert made.status_code == 302
    second = db.scalar(sa.select(PortfolioVersion).where(PortfolioVersion.number == 2))
    assert [line.initiative.title for line in second.lines] == ["Agua", "Camino", "Quesos"]
    quesos = second.lines[-1]
    assert [(f.source, f.amount) for f in quesos.funding] == [(FundingSource.FNDR, 30_000_000)]
    assert db.get(Initiative, ids["Quesos"]).status == Status.IN_PORTFOLIO
    assert "Agregado: Quesos" in text_of(client.get(f"/carteras/{portfolio_id}/versiones/2"))


def test_the_responsible_institution_reports_execution_and_partial_approvals_say_why(
    app, db, closed_round, make_user
):
    found, people = closed_round
    with app.test_request_context():
        portfolio = portfolio_services.from_round(
            found, "greedy", "Cartera", Phase.ANNUAL, people["secretary"]
        )
        version = portfolio_services.latest(portfolio)
        db.add(PortfolioStep(version=version, kind=StepKind.REVIEWED, on=clock.today()))
        line = version.lines[0]
        indap = factories.demo_organization(db, "INDAP")
        line.initiative.responsible_id = indap.id
        funding = line.funding[0]
        partial = money.Approval(
            decision=Decision.PARTIAL,
            amount=funding.amount // 2,
            in_kind=False,
            reason="",
            document="Oficio 12",
            budget_year=clock.today().year,
            on=clock.today(),
        )
        with pytest.raises(Refused) as refused:
            money.approve(funding, partial, people["secretary"])
        assert str(refused.value.message) == "Di por qué se aprobó solo una parte."
        money.approve(
            funding, dataclasses.replace(partial, reason="Falta presupuesto."), people["secretary"]
        )
        assert funding.approved == funding.amount // 2
        # Who sits for INDAP, at any mesa, reports; someone sitting for another does not.
        reporter, other = make_user(), make_user()
        goats = factories.goat_mesa(db)
        factories.seat(db, goats, reporter, Role.SERVICE_REP, indap)
        factories.seat(db, goats, other, Role.SERVICE_REP, factories.demo_organization(db, "SAG"))
        db.flush()
        assert permissions.can(reporter, "funding.report_execution", funding)
        assert not permissions.can(other, "funding.report_execution", funding)
        money.report_execution(funding, clock.today().year, 1000, "", reporter)
        money.report_execution(funding, clock.today().year, 2000, "Corrige", reporter)
        assert funding.executed == 2000  # the later report of the year counts
