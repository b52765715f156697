"""Public accountability pages as a citizen without an account reads them: a territory's
commitments by status, an institution's scorecard, and who contributes what.

The new strings are not in the Spanish catalog yet, so pages are read in English."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import sqlalchemy as sa

from portal.commitments.models import Commitment, CommitmentStatus, commitment_initiatives
from portal.core import clock
from portal.initiatives.models import FundingSource, Stage
from portal.initiatives.models import Status as InitiativeStatus
from portal.meetings.models import Meeting
from portal.mesas.models import ActorType, Mesa, MesaKind, Organization
from portal.portfolios.models import (
    LineFunding,
    Phase,
    Portfolio,
    PortfolioLine,
    PortfolioVersion,
)
from tests import factories
from tests.conftest import text_of
from tests.test_pages import first_visit_weight

S = CommitmentStatus


class World:
    """Territories, mesas (each with its session 1), institutions and commitments, built with
    the factories; a commitment's dates are given in days from today."""

    def __init__(self, db, make_territory, comuna) -> None:  # type: ignore[no-untyped-def]
        self.db = db
        self.make_territory = make_territory
        self.comuna = comuna
        self.today = clock.today()
        self.n = 0
        self.meetings: dict[int, Meeting] = {}

    def territory(self, comunas=("Canela", "Combarbalá")):  # type: ignore[no-untyped-def]
        return self.make_territory(comunas=comunas)

    def mesa(self, territory, name: str = "", kind: MesaKind = MesaKind.THEMATIC) -> Mesa:  # type: ignore[no-untyped-def]
        self.n += 1
        mesa = factories.mesa(
            self.db,
            territory,
            name or f"Mesa de prueba {self.n}",
            slug=f"mesa-rendicion-{self.n}",
            kind=kind,
        )
        self.meetings[mesa.id] = factories.meeting(
            self.db,
            mesa,
            starts_at=dt.datetime(2025, 3, 1, 14, tzinfo=dt.UTC),
            place="Sede vecinal",
        )
        return mesa

    def org(self, name: str, actor_type: ActorType = ActorType.PUBLIC) -> Organization:
        return factories.organization(self.db, name, actor_type=actor_type)

    def commitment(  # type: ignore[no-untyped-def]
        self,
        mesa: Mesa,
        org: Organization,
        what: str,
        due_in: int,
        status: CommitmentStatus = S.PENDING,
        *,
        original_in: int | None = None,
        done_in: int | None = None,
        reported_in: int | None = None,
        committed_ago: int = 100,
        first_update_after: int | None = None,
        amount: int | None = None,
        public: bool = True,
        comunas=(),
    ) -> Commitment:
        """Dates in days from today (negative: in the past)."""

        def day(days: int | None) -> dt.date | None:
            return None if days is None else self.today + dt.timedelta(days=days)

        committed_on = self.today - dt.timedelta(days=committed_ago)
        return factories.commitment(
            self.db,
            self.meetings[mesa.id],
            org,
            what,
            due_on=day(due_in),
            original_due_on=day(due_in if original_in is None else original_in),
            committed_on=committed_on,
            status=status,
            done_on=day(done_in),
            reported_done_on=day(reported_in),
            first_update_on=None
            if first_update_after is None
            else committed_on + dt.timedelta(days=first_update_after),
            amount=amount,
            is_public=public,
            comunas=[self.comuna(name) for name in comunas],
        )


@pytest.fixture
def world(db, make_territory, comuna) -> World:  # type: ignore[no-untyped-def]
    return World(db, make_territory, comuna)


@pytest.fixture
def english(client):  # type: ignore[no-untyped-def]
    client.get("/idioma/en")
    return client


@pytest.fixture
def later(app):  # type: ignore[no-untyped-def]
    """Moves the portal's clock forward by some days."""

    def move(days: int) -> None:
        app.config["CLOCK_SHIFT"] = dt.timedelta(days=days)

    yield move
    app.config.pop("CLOCK_SHIFT", None)


def dashboard(territory) -> str:  # type: ignore[no-untyped-def]
    return f"/territorios/{territory.slug}/compromisos"


def status_table(page) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The rows of the table of counts by status: {status: number}."""
    body = page.get_data(as_text=True)
    table = body.split('id="tabla-estados"', 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r'<tr id="estado-(\w+)">.*?<td class="number">([\d.,]+)</td>', table)
    return {status: int(n.replace(",", "").replace(".", "")) for status, n in rows}


def listed(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The deliverables in the page's list of commitments, in order."""
    body = page.get_data(as_text=True)
    return [
        html.unescape(t) for t in re.findall(r'<li>\s*<a href="/compromisos/\d+">([^<]+)</a>', body)
    ]


EMPTY = dict.fromkeys(
    (
        "fulfilled",
        "partly_fulfilled",
        "not_fulfilled",
        "overdue",
        "awaiting_validation",
        "in_progress",
        "pending",
        "cancelled",
    ),
    0,
)


def test_an_open_commitment_whose_date_passes_counts_as_overdue(world, english, later):
    territory = world.territory()
    mesa = world.mesa(territory)
    vialidad = world.org("Dirección de Vialidad")
    world.commitment(mesa, vialidad, "Ripiar el camino a Mincha", 10)
    world.commitment(mesa, vialidad, "Limpiar cunetas", 20, S.IN_PROGRESS)
    world.commitment(mesa, vialidad, "Señalética", 5, S.IN_PROGRESS, reported_in=-1)
    world.commitment(mesa, vialidad, "Puente", -30, S.FULFILLED, done_in=-31)
    world.commitment(mesa, vialidad, "Garita", -3, S.IN_PROGRESS)
    world.commitment(mesa, vialidad, "Paradero", -40, S.CANCELLED)
    world.db.commit()

    page = english.get(dashboard(territory))
    assert page.status_code == 200
    assert status_table(page) == {
        **EMPTY,
        "fulfilled": 1,
        "overdue": 1,
        "awaiting_validation": 1,
        "in_progress": 1,
        "pending": 1,
        "cancelled": 1,
    }
    assert "6 public commitments in all." in text_of(page)

    later(15)  # the pending one and the reported one pass their dates
    page = english.get(dashboard(territory))
    assert status_table(page) == {
        **EMPTY,
        "fulfilled": 1,
        "overdue": 3,
        "in_progress": 1,
        "cancelled": 1,
    }
    overdue = english.get(dashboard(territory) + "?estado=overdue")
    assert listed(overdue) == ["Garita", "Señalética", "Ripiar el camino a Mincha"]
    assert "Overdue: 3 commitments" in text_of(overdue)


def test_the_chart_is_an_image_with_a_title_and_the_same_numbers_as_the_table(world, english):
    territory = world.territory()
    mesa = world.mesa(territory)
    sag = world.org("Servicio Agrícola y Ganadero")
    for days in (-5, -6, 30):
        world.commitment(mesa, sag, f"Vacunar el rebaño {days}", days)
    world.db.commit()

    body = english.get(dashboard(territory)).get_data(as_text=True)
    svg = re.search(r"<svg [^>]*>.*?</svg>", body, re.S)
    assert svg, "the chart is drawn on the server, inline"
    assert 'role="img"' in svg.group(0)
    assert 'aria-labelledby="grafico-estados-title"' in svg.group(0)
    assert '<title id="grafico-estados-title">' in svg.group(0)
    texts = re.findall(r"<text [^>]*>([^<]+)</text>", svg.group(0))
    assert "Overdue: 2 (67%)" in texts
    assert "Pending: 1 (33%)" in texts
    assert "<script" not in body


def test_a_private_commitment_is_never_counted_listed_or_added_up(world, english):
    territory = world.territory()
    mesa = world.mesa(territory)
    indap = world.org("Instituto de Desarrollo Agropecuario")
    world.commitment(mesa, indap, "Riego tecnificado", 30, amount=5_000_000)
    world.commitment(
        mesa,
        indap,
        "Convenio reservado",
        -10,
        amount=900_000_000,
        public=False,
        first_update_after=1,
    )
    world.db.commit()

    page = english.get(dashboard(territory))
    assert sum(status_table(page).values()) == 1
    assert "Convenio reservado" not in page.get_data(as_text=True)
    assert listed(page) == ["Riego tecnificado"]
    hidden = english.get(dashboard(territory) + "?estado=overdue")
    assert listed(hidden) == []

    card = english.get(f"/organizaciones/{indap.id}/compromisos")
    assert "Convenio reservado" not in card.get_data(as_text=True)
    assert score(card)["Commitments received"] == "1"
    assert score(card)["Overdue now"] == "0"
    assert "1 commitment has no update yet" in text_of(card)

    money = english.get(f"/territorios/{territory.slug}/aportes")
    assert "$ 5.000.000" in text_of(money)
    assert "900.000.000" not in money.get_data(as_text=True)


def test_the_list_filters_by_mesa_institution_status_comuna_and_due_date(world, english):
    territory = world.territory(("Canela", "Combarbalá", "Punitaqui"))
    goats = world.mesa(territory, "Mesa caprina")
    tourism = world.mesa(territory, "Mesa de turismo")
    indap = world.org("INDAP de prueba")
    sernatur = world.org("SERNATUR de prueba")
    world.commitment(goats, indap, "Forraje", 10, comunas=("Canela",))
    world.commitment(goats, indap, "Corrales", 40, S.IN_PROGRESS, comunas=("Combarbalá",))
    world.commitment(goats, sernatur, "Ruta del queso", 70, comunas=("Canela", "Punitaqui"))
    world.commitment(tourism, sernatur, "Miradores", -2, comunas=("Punitaqui",))
    world.commitment(tourism, sernatur, "Folletos", -60, S.FULFILLED, done_in=-61)
    world.db.commit()
    url = dashboard(territory)

    assert listed(english.get(f"{url}?mesa={goats.id}")) == [
        "Forraje",
        "Corrales",
        "Ruta del queso",
    ]
    by_institution = english.get(f"{url}?institucion={sernatur.id}")
    assert listed(by_institution) == ["Miradores", "Ruta del queso", "Folletos"]
    # The counts follow the filters, except the status that they break down.
    assert status_table(by_institution) == {**EMPTY, "overdue": 1, "pending": 1, "fulfilled": 1}
    assert listed(english.get(f"{url}?estado=in_progress")) == ["Corrales"]
    assert listed(english.get(f"{url}?estado=pending")) == ["Forraje", "Ruta del queso"]
    canela = world.comuna("Canela").id
    assert listed(english.get(f"{url}?comuna={canela}")) == ["Forraje", "Ruta del queso"]
    soon = world.today + dt.timedelta(days=45)
    both = english.get(f"{url}?desde={world.today:%Y-%m-%d}&hasta={soon:%d-%m-%Y}")
    assert listed(both) == ["Forraje", "Corrales"]
    combined = english.get(f"{url}?mesa={tourism.id}&estado=overdue&comuna=")
    assert listed(combined) == ["Miradores"]
    this_year = english.get(f"{url}?periodo=anio")
    expected = [
        c
        for c, due in (
            ("Miradores", -2),
            ("Forraje", 10),
            ("Corrales", 40),
            ("Ruta del queso", 70),
            ("Folletos", -60),
        )
        if (world.today + dt.timedelta(days=due)).year == world.today.year
    ]
    assert listed(this_year) == expected
    # The filters chosen stay chosen, and the pages keep them.
    page = english.get(f"{url}?mesa={goats.id}").get_data(as_text=True)
    assert f'<option value="{goats.id}" selected>' in page


def test_the_list_is_paged_by_25_and_the_pages_keep_the_filters(world, english):
    territory = world.territory()
    mesa = world.mesa(territory)
    org = world.org("CONAF de prueba")
    for n in range(30):
        world.commitment(mesa, org, f"Plantar bosque {n:02d}", n + 1)
    world.db.commit()
    first = english.get(f"{dashboard(territory)}?estado=pending")
    assert len(listed(first)) == 25
    assert "Page 1 of 2" in text_of(first)
    following = re.search(r'href="([^"]+)" rel="next"', first.get_data(as_text=True))
    assert following, "a link to the next page"
    link = html.unescape(following.group(1))
    assert "estado=pending" in link and "pagina=2" in link
    second = english.get(link)
    assert listed(second) == [f"Plantar bosque {n}" for n in range(25, 30)]


def score(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    body = page.get_data(as_text=True)
    block = body.split('<dl class="score">', 1)[1].split("</dl>", 1)[0]
    return {
        html.unescape(k): html.unescape(v)
        for k, v in re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", block)
    }


def by_territory(page) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    body = page.get_data(as_text=True)
    block = body.split('id="por-territorio"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', block)
    return {
        html.unescape(name): re.findall(r'<td class="number">([^<]*)</td>', cells)
        for name, cells in rows
    }


def test_the_scorecard_counts_on_time_late_overdue_average_delay_and_median_first_update(
    world, english
):
    north = world.territory()
    south = world.territory(("Cauquenes",))
    here, there = world.mesa(north), world.mesa(south)
    dga = world.org("Dirección General de Aguas")
    other = world.org("Otra institución")
    # On time: done the day first agreed. First update 3 days after the session.
    world.commitment(here, dga, "A", -50, S.FULFILLED, done_in=-50, first_update_after=3)
    # Late by 10 days, although a new date (later still) had been agreed: the first date counts.
    world.commitment(
        here, dga, "B", -20, S.FULFILLED, original_in=-40, done_in=-30, first_update_after=5
    )
    # Late by 4 days, in the other territory.
    world.commitment(there, dga, "C", -14, S.FULFILLED, done_in=-10, first_update_after=10)
    # Overdue now, and open within its date.
    world.commitment(there, dga, "D", -1, S.IN_PROGRESS, first_update_after=20)
    world.commitment(here, dga, "E", 30)
    world.commitment(here, dga, "F", -5, S.PARTLY_FULFILLED, done_in=-4)
    world.commitment(here, other, "Not theirs", -5)
    world.db.commit()

    card = english.get(f"/organizaciones/{dga.id}/compromisos")
    assert card.status_code == 200
    assert score(card) == {
        "Commitments received": "6",
        "Fulfilled on time": "1",
        "Fulfilled late": "2",
        "Overdue now": "1",
        "Average delay": "4.7 days",  # (0 + 10 + 4) / 3
        "Days to a first update (median)": "7.5 days",  # of 3, 5, 10 and 20
    }
    text = text_of(card)
    assert "2 commitments have no update yet and are not counted here." in text
    assert "Over the 3 commitments fulfilled (on time or late)" in text
    assert "1 are still open and within their date, 1 were partly fulfilled" in text
    assert by_territory(card) == {
        north.name: ["4", "1", "1", "0", "5", "4"],  # delay (0 + 10) / 2; median of 3 and 5
        south.name: ["2", "0", "1", "1", "4", "15"],  # median of 10 and 20
        "Total": ["6", "1", "2", "1", "4.7", "7.5"],
    }
    assert listed(card) == ["D", "E", "A", "B", "C", "F"]
    assert "Not theirs" not in card.get_data(as_text=True)


def test_on_time_and_late_are_one_rule_in_python_and_in_sql(world):
    """The cuenta pública and the scorecard count in SQL (``Commitment.fulfilled``) what a
    commitment's page says of it (``Commitment.on_time``)."""
    mesa = world.mesa(world.territory())
    sag = world.org("SAG de prueba")
    made = {
        "on the day": world.commitment(mesa, sag, "A", -9, S.FULFILLED, done_in=-9),
        "early": world.commitment(mesa, sag, "B", -9, S.FULFILLED, done_in=-12),
        "by a new date": world.commitment(
            mesa, sag, "C", -2, S.FULFILLED, original_in=-9, done_in=-3
        ),
        "late": world.commitment(mesa, sag, "D", -9, S.FULFILLED, done_in=-8),
        "without a date": world.commitment(mesa, sag, "E", -9, S.FULFILLED),
        "partly": world.commitment(mesa, sag, "F", -9, S.PARTLY_FULFILLED, done_in=-9),
        "open": world.commitment(mesa, sag, "G", 5, S.IN_PROGRESS),
    }
    world.db.commit()
    judged = {name: commitment.on_time for name, commitment in made.items()}
    assert judged == {
        "on the day": True,
        "early": True,
        "by a new date": False,
        "late": False,
        "without a date": None,
        "partly": None,
        "open": None,
    }

    def where(clause) -> set[int]:  # type: ignore[no-untyped-def]
        return set(world.db.scalars(sa.select(Commitment.id).where(clause)))

    for on_time in (True, False):
        assert where(Commitment.fulfilled(on_time=on_time)) == {
            made[name].id for name, value in judged.items() if value is on_time
        }


def test_the_territory_page_sums_up_each_institution_and_links_its_scorecard(world, english):
    territory = world.territory()
    mesa = world.mesa(territory)
    sag = world.org("SAG de prueba")
    world.commitment(mesa, sag, "Uno", -3)
    world.commitment(mesa, sag, "Dos", 3)
    world.commitment(mesa, sag, "Tres", -9, S.FULFILLED, done_in=-9)
    world.db.commit()
    body = english.get(dashboard(territory)).get_data(as_text=True)
    row = re.search(
        rf'<a href="/organizaciones/{sag.id}/compromisos">SAG de prueba</a></th>(.*?)</tr>', body
    )
    assert row, "the institution links to its scorecard"
    assert re.findall(r'<td class="number">(\d+)</td>', row.group(1)) == ["3", "1", "1", "1"]


def contribution_rows(page) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """{kind of actor: [how many commitments, committed, fulfilled, share]}."""
    body = page.get_data(as_text=True)
    block = body.split('id="tabla-aportes"', 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)<br><span class="meta">(\d+) commitments?</span></th>'
        r"(.*?)</tr>",
        block,
    )
    return {
        name: [n, *re.findall(r'<td class="number">([^<]*)</td>', cells)] for name, n, cells in rows
    }


def test_contributions_add_up_each_kind_of_actor_side_by_side(world, english):
    territory = world.territory()
    mesa = world.mesa(territory)
    mop = world.org("MOP de prueba", ActorType.PUBLIC)
    gore = world.org("Gobierno Regional de prueba", ActorType.PUBLIC)
    mine = world.org("Minera de prueba", ActorType.PRIVATE)
    junta = world.org("Junta de vecinos de prueba", ActorType.SOCIAL)
    world.org("Universidad de prueba", ActorType.KNOWLEDGE)
    world.commitment(mesa, mop, "Camino", -5, S.FULFILLED, done_in=-6, amount=300_000_000)
    world.commitment(mesa, gore, "Sede", 40, amount=120_000_000)
    world.commitment(mesa, gore, "Anulado", 40, S.CANCELLED, amount=999_000_000)
    world.commitment(mesa, mine, "Becas", 40, amount=20_000_000)
    world.commitment(mesa, junta, "Mano de obra", -1, S.FULFILLED, done_in=-2, amount=5_000_000)
    world.commitment(mesa, junta, "Terreno", 10)  # no amount: not added up
    world.db.commit()

    page = english.get(f"/territorios/{territory.slug}/aportes")
    assert page.status_code == 200
    assert contribution_rows(page) == {
        "Public sector": ["2", "$ 420.000.000", "$ 300.000.000", "94%"],
        "Private sector": ["1", "$ 20.000.000", "$ 0", "4%"],
        "Community": ["1", "$ 5.000.000", "$ 5.000.000", "1%"],
        "Knowledge": ["0", "$ 0", "$ 0", "0%"],
    }
    body = page.get_data(as_text=True)
    assert "999.000.000" not in body
    # Inside each column, each institution with a link to its scorecard.
    assert re.search(
        rf'<a href="/organizaciones/{gore.id}/compromisos">Gobierno Regional de prueba</a></th>'
        r'<td class="number">\$ 120.000.000</td><td class="number">\$ 0</td>',
        body,
    )
    assert 'role="img"' in body and "committed: $ 420.000.000" in body


def test_the_portfolio_progress_counts_its_lines_money_and_commitments(world, english):
    territory = world.territory()
    mesa = world.mesa(territory, kind=MesaKind.TERRITORIAL)
    org = world.org("DOH de prueba")
    initiatives = []
    for title, status in (
        ("Agua potable rural", InitiativeStatus.IN_EXECUTION),
        ("Centro de acopio", InitiativeStatus.APPROVED),
    ):
        initiatives.append(
            factories.initiative(
                world.db, mesa, title, summary=".", stage=Stage.PROFILE, status=status
            )
        )
    portfolio = Portfolio(territory=territory, mesa=mesa, title="Cartera 2027", phase=Phase.ANNUAL)
    version = PortfolioVersion(portfolio=portfolio, number=1)
    world.db.add_all([portfolio, version])
    world.db.flush()
    for position, (i, amounts) in enumerate(
        zip(initiatives, ((40_000_000, 10_000_000), (25_000_000,)), strict=True), 1
    ):
        line = PortfolioLine(version=version, position=position, initiative_id=i.id)
        world.db.add(line)
        sources = (FundingSource.FNDR, FundingSource.COMMUNITY)
        for source, amount in zip(sources, amounts, strict=False):
            world.db.add(LineFunding(line=line, source=source, amount=amount, approver="CORE"))
    done = world.commitment(mesa, org, "Estanque", -10, S.FULFILLED, done_in=-10)
    late = world.commitment(mesa, org, "Red", -1)
    secret = world.commitment(mesa, org, "Reservado", -1, public=False)
    world.commitment(mesa, org, "Sin iniciativa", 5)
    world.db.flush()
    world.db.execute(
        sa.insert(commitment_initiatives),
        [
            {"commitment_id": c.id, "initiative_id": i.id}
            for c, i in (
                (done, initiatives[0]),
                (late, initiatives[0]),
                (late, initiatives[1]),
                (secret, initiatives[1]),
            )
        ],
    )
    world.db.commit()

    page = english.get(dashboard(territory))
    body = page.get_data(as_text=True)
    block = body.split('id="cartera"', 1)[1]
    assert "Cartera 2027" in block and "version 1" in block
    assert re.search(
        r"In execution</th><td class=\"number\">1</td><td class=\"number\">\$ 50.000.000", block
    )
    assert re.search(
        r"Approved</th><td class=\"number\">1</td><td class=\"number\">\$ 25.000.000", block
    )
    assert re.search(
        r"Total</th><td class=\"number\">2</td><td class=\"number\">\$ 75.000.000", block
    )
    text = text_of(page).split("Progress of the portfolio", 1)[1]
    assert "2 public commitments are tied to these initiatives: Fulfilled: 1 Overdue: 1" in text


@pytest.mark.parametrize(
    ("query", "message", "kept"),
    [
        ("mesa=abc", "Choose a mesa from the list (“abc” is not one).", None),
        ("institucion=999999", "Choose an institution from the list (“999999” is not one).", None),
        ("estado=perdido", "Choose a status from the list.", None),
        ("comuna=-3", "Choose a comuna from the list (“-3” is not one).", None),
        (
            "desde=31-02-2026",
            "Write the date as day-month-year, for example 31-12-2026.",
            "31-02-2026",
        ),
        ("hasta=mañana", "Write the date as day-month-year, for example 31-12-2026.", "mañana"),
        (
            "desde=2026-05-01&hasta=01-04-2026",
            "The “to” date must be on or after the “from” date.",
            "01-04-2026",
        ),
        ("periodo=siempre", "Choose a period from the list.", None),
        (
            "periodo=anio&desde=01-01-2026",
            "Choose a period or write dates, not both.",
            "01-01-2026",
        ),
        ("pagina=cero", "The page number must be a whole number, 1 or more.", None),
        ("pagina=0", "The page number must be a whole number, 1 or more.", None),
        ("pagina=7", "There is no page 7: the last one is 1.", None),
    ],
)
def test_a_filter_that_cannot_be_read_gets_a_400_that_says_why(
    world, english, query, message, kept
):
    territory = world.territory()
    world.commitment(world.mesa(territory), world.org("Municipalidad de prueba"), "Plaza", 3)
    world.db.commit()
    page = english.get(f"{dashboard(territory)}?{query}")
    assert page.status_code == 400
    assert message in text_of(page)
    assert "This search cannot be done" in text_of(page)
    if kept:
        assert f'value="{html.escape(kept)}"' in page.get_data(as_text=True)
    assert listed(page) == []


def test_a_scorecard_page_that_cannot_be_read_gets_a_400(world, english):
    org = world.org("Servicio de prueba")
    world.commitment(world.mesa(world.territory()), org, "Algo", 3)
    world.db.commit()
    for query, message in (
        ("pagina=uno", "The page number must be a whole number, 1 or more."),
        ("pagina=2", "There is no page 2: the last one is 1."),
    ):
        page = english.get(f"/organizaciones/{org.id}/compromisos?{query}")
        assert page.status_code == 400
        assert message in text_of(page)


def test_unknown_territories_and_institutions_are_not_found(world, client):
    org = world.org("Sin compromisos")
    world.db.commit()
    assert client.get("/territorios/no-existe/compromisos").status_code == 404
    assert client.get("/territorios/no-existe/aportes").status_code == 404
    assert client.get("/organizaciones/999999/compromisos").status_code == 404
    assert client.get(f"/organizaciones/{org.id}/compromisos").status_code == 200


def test_the_pages_work_in_spanish_without_an_account(world, client):
    territory = world.territory()
    world.commitment(world.mesa(territory), world.org("INIA de prueba"), "Ensayo", -3, amount=10)
    world.db.commit()
    for url in (dashboard(territory), f"/territorios/{territory.slug}/aportes"):
        page = client.get(url)
        assert page.status_code == 200
        assert '<html lang="es' in page.get_data(as_text=True)


def grow(world, territory, n: int) -> None:  # type: ignore[no-untyped-def]
    """``n`` more commitments of every kind in ``territory``, elsewhere, with new mesas,
    institutions and comunas."""
    elsewhere = world.territory(("Cauquenes",))
    statuses = list(S)
    for k in range(n):
        for where in (territory, elsewhere):
            mesa = world.mesa(where)
            org = world.org(f"Institución {world.n}-{k}", list(ActorType)[k % 4])
            world.commitment(
                mesa,
                org,
                f"Entrega {world.n}-{k}",
                k - n // 2,
                statuses[k % len(statuses)],
                done_in=-k if statuses[k % len(statuses)] == S.FULFILLED else None,
                first_update_after=k % 7 or None,
                amount=k * 1000,
                comunas=("Canela",) if where is territory else (),
            )


def test_the_number_of_queries_does_not_grow_with_the_data(world, english, count_queries):
    territory = world.territory()
    mesa = world.mesa(territory)
    org = world.org("Institución que crece")
    world.commitment(mesa, org, "Primera", -1, comunas=("Canela",), first_update_after=2)
    world.db.commit()
    canela = world.comuna("Canela").id
    urls = [
        dashboard(territory),
        f"{dashboard(territory)}?mesa={mesa.id}&institucion={org.id}&estado=overdue"
        f"&comuna={canela}&periodo=anio",
        f"/organizaciones/{org.id}/compromisos",
        f"/territorios/{territory.slug}/aportes",
    ]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with count_queries() as q:
                assert english.get(url).status_code == 200
            found.append(q.count)
        return found

    before = counts()
    grow(world, territory, 30)
    for k in range(30):
        world.commitment(
            mesa, org, f"Más {k}", k - 15, comunas=("Canela",), first_update_after=k + 1
        )
    world.db.commit()
    assert counts() == before
    assert max(before) <= 10


def test_a_dashboard_weighs_under_20_kb_on_a_first_visit(world, client):
    territory = world.territory()
    mesas = [world.mesa(territory) for _ in range(8)]
    orgs = [world.org(f"Servicio público número {k}") for k in range(40)]
    for k in range(400):
        world.commitment(
            mesas[k % 8],
            orgs[k % 40],
            f"Compromiso con un texto de entrega de largo razonable número {k}" * 2,
            k - 200,
            list(S)[k % 6],
            amount=k * 1_000_000,
        )
    world.db.commit()
    for url in (
        dashboard(territory),
        f"/organizaciones/{orgs[0].id}/compromisos",
        f"/territorios/{territory.slug}/aportes",
    ):
        total, sizes = first_visit_weight(client, url)
        assert total < 20_000, sizes


# One commitment, one state, on every page ----------------------------------------------------


def states_on(page_html: str) -> dict[int, str]:
    """{commitment id: the state the page gives it}, from each list item or row that links to
    a commitment and carries its state."""
    found: dict[int, str] = {}
    for item in re.finditer(r"<li\b.*?</li>|<tr\b.*?</tr>", page_html, re.S):
        link = re.search(r'href="/compromisos/(\d+)"', item.group(0))
        state = re.search(r'data-state="(\w+)"', item.group(0))
        if link and state:
            found[int(link.group(1))] = state.group(1)
    return found


OPEN_STATES = {"pending", "in_progress", "awaiting_validation", "overdue"}


def test_every_page_gives_a_commitment_the_same_state(world, client, clock_at):
    """The search said "Pendiente" for an overdue commitment and the printed cuenta pública
    had no "awaiting validation"; the state is now decided in one place
    (portal.commitments.states) and every page says the same."""
    clock_at(dt.datetime(2027, 6, 15, 15, tzinfo=dt.UTC))
    world.today = clock.today()
    territory = world.territory()
    mesa = world.mesa(territory)
    vialidad = world.org("Dirección de Vialidad")
    expected = {}
    for what, due_in, status, extra, state in (
        ("camino pendiente", 10, S.PENDING, {}, "pending"),
        ("camino en obras", 20, S.IN_PROGRESS, {}, "in_progress"),
        ("camino entregado", 5, S.IN_PROGRESS, {"reported_in": -1}, "awaiting_validation"),
        ("camino atrasado", -3, S.PENDING, {}, "overdue"),
        ("camino entregado tarde", -3, S.IN_PROGRESS, {"reported_in": -1}, "overdue"),
        ("camino cumplido", -30, S.FULFILLED, {"done_in": -31}, "fulfilled"),
        ("camino a medias", -20, S.PARTLY_FULFILLED, {"done_in": -21}, "partly_fulfilled"),
        ("camino no hecho", -25, S.NOT_FULFILLED, {}, "not_fulfilled"),
        ("camino cancelado", -40, S.CANCELLED, {}, "cancelled"),
    ):
        c = world.commitment(mesa, vialidad, what, due_in, status, committed_ago=30, **extra)
        expected[c.id] = state
    world.db.commit()

    pages = {
        "dashboard": f"/territorios/{territory.slug}/compromisos",
        "scorecard": f"/organizaciones/{vialidad.id}/compromisos",
        "cuenta pública": f"/territorios/{territory.slug}/cuenta-publica?desde=01-01-2027",
        "search": f"/territorios/{territory.slug}/buscar?q=camino",
        "session": f"/mesas/{mesa.slug}/sesiones/1",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        shown = states_on(response.get_data(as_text=True))
        if name == "cuenta pública":
            # It lists what is open, and what closed in the period with its validation (none
            # here): the open ones, each in its state.
            assert shown == {i: s for i, s in expected.items() if s in OPEN_STATES}, name
        else:
            assert shown == expected, name
    for commitment_id, state in expected.items():
        page = client.get(f"/compromisos/{commitment_id}").get_data(as_text=True)
        badge = re.search(r'class="status-line">.*?data-state="(\w+)"', page, re.S)
        assert badge is not None and badge.group(1) == state
