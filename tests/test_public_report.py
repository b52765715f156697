"""The cuenta pública of a territory or a mesa for a period: what a leader prints for a community
assembly. Counts for a case built by hand, the clock moving a commitment into overdue, the
period, bad dates, and a page that stays small and cheap whatever the data."""

from __future__ import annotations

import datetime as dt
import gzip
import html as html_module
import re

import pytest

from portal.commitments.models import CommitmentStatus, ObservationStatus
from portal.mesas.models import ActorType, MesaKind
from tests.conftest import text_of
from tests.test_commitment_feeds import World, utc

NOW = utc(2027, 6, 15, 16)


@pytest.fixture
def clock_at(clock_at):  # type: ignore[no-untyped-def]
    """conftest's ``clock_at``, the portal's clock set to NOW to begin with."""
    clock_at(NOW)
    return clock_at


@pytest.fixture
def world(db, make_territory) -> World:  # type: ignore[no-untyped-def]
    return World(db, make_territory)


@pytest.fixture
def case(db, world, clock_at):  # type: ignore[no-untyped-def]
    """A territory's goat mesa and its mesa territorial in 2027, seen on 15 June 2027."""
    goat = world.mesa("Mesa caprina")
    territorial = world.mesa(
        "Mesa territorial", territory=goat.territory, kind=MesaKind.TERRITORIAL
    )
    elsewhere = world.mesa("Mesa de Arauco")
    mop = world.org("Ministerio de Obras Públicas", "MOP")
    indap = world.org("Instituto de Desarrollo Agropecuario", "INDAP")
    coop = world.org("Cooperativa Caprina Quebrada Alta", actor=ActorType.SOCIAL)
    uni = world.org("Universidad de La Serena", actor=ActorType.KNOWLEDGE)
    c = world.commitment
    # Fulfilled on time, and fulfilled late (after a new date: judged against the original).
    road = c(
        goat, mop, "Camino", taken=dt.date(2027, 1, 10), due=dt.date(2027, 5, 1), amount=100_000_000
    )
    world.validate(road, CommitmentStatus.FULFILLED, dt.date(2027, 4, 20), utc(2027, 5, 10, 15))
    well = c(
        goat, indap, "Pozo", taken=dt.date(2027, 1, 10), due=dt.date(2027, 3, 1), amount=20_000_000
    )
    world.reschedule(well, dt.date(2027, 5, 1), "Sequía.", utc(2027, 2, 20, 12))
    world.validate(well, CommitmentStatus.FULFILLED, dt.date(2027, 4, 25), utc(2027, 5, 12, 15))
    training = c(goat, indap, "Capacitación", taken=dt.date(2027, 2, 1), due=dt.date(2027, 12, 1))
    world.update(
        training, dt.date(2027, 6, 1), "Primer taller hecho.", utc(2027, 6, 1, 12), percent=40
    )
    fodder = c(
        goat, coop, "Forraje", taken=dt.date(2027, 2, 1), due=dt.date(2027, 7, 1), amount=5_000_000
    )
    shed = c(
        goat, mop, "Galpón", taken=dt.date(2027, 3, 1), due=dt.date(2027, 9, 1), amount=7_000_000
    )
    world.cancel(shed, "Lo financia el municipio.", utc(2027, 4, 1, 12))
    study = c(
        goat,
        uni,
        "Estudio de suelos",
        taken=dt.date(2027, 1, 10),
        due=dt.date(2027, 4, 1),
        amount=3_000_000,
    )
    world.validate(study, CommitmentStatus.NOT_FULFILLED, None, utc(2027, 4, 15, 15))
    # From 2025: still overdue nobody touched it; and one closed in 2025.
    old = c(goat, mop, "Señalética antigua", taken=dt.date(2025, 5, 1), due=dt.date(2026, 1, 1))
    closed = c(goat, indap, "Bodega 2025", taken=dt.date(2025, 3, 1), due=dt.date(2025, 6, 1))
    world.validate(closed, CommitmentStatus.FULFILLED, dt.date(2025, 6, 1), utc(2025, 6, 10, 15))
    # Of the mesa territorial: in the territory's report, not the goat mesa's.
    plan = c(
        territorial, indap, "Plan de riego", taken=dt.date(2027, 3, 1), due=dt.date(2027, 10, 1)
    )
    # Never in these reports: a private one, another territory's.
    secret = c(
        goat,
        mop,
        "Estudio reservado",
        taken=dt.date(2027, 2, 1),
        due=dt.date(2027, 8, 1),
        is_public=False,
    )
    c(elsewhere, mop, "Puente en Arauco", taken=dt.date(2027, 2, 1), due=dt.date(2027, 8, 1))
    world.observe(road, "Quedó bien, falta señalética.", utc(2027, 5, 20, 12))
    world.observe(road, "Aún sin revisar.", utc(2027, 5, 21, 12), ObservationStatus.PENDING)
    world.observe(secret, "No debe verse.", utc(2027, 5, 22, 12))
    world.observe(closed, "Del año 2025.", utc(2025, 7, 1, 12))
    db.commit()
    return {
        "territory": goat.territory,
        "goat": goat,
        "mop": mop,
        "indap": indap,
        "coop": coop,
        "uni": uni,
        "road": road,
        "well": well,
        "training": training,
        "fodder": fodder,
        "shed": shed,
        "study": study,
        "old": old,
        "plan": plan,
        "closed": closed,
    }


def rows(html: str, attribute: str) -> dict[str, list[str]]:
    """The cells of the table rows marked with ``data-<attribute>``, by its value."""
    found = {}
    for key, row in re.findall(rf'<tr data-{attribute}="([^"]+)">(.*?)</tr>', html, re.S):
        found[key] = [
            " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
    return found


def counts(html: str) -> dict[str, int]:
    return {key: int(cells[1]) for key, cells in rows(html, "state").items()}


def test_a_territory_report_counts_what_was_promised_and_what_happened(client, case):
    slug = case["territory"].slug
    response = client.get(f"/territorios/{slug}/cuenta-publica")
    assert response.status_code == 200
    html, page = response.get_data(as_text=True), text_of(response)
    name = case["territory"].name
    assert f"Cuenta pública: {name}" in page
    # The current year up to today by default.
    assert "Del 1 de enero de 2027 al 15 de junio de 2027" in page
    assert 'value="2027-01-01"' in html and 'value="2027-06-15"' in html
    assert counts(html) == {
        "pending": 2,
        "in_progress": 1,
        "awaiting_validation": 0,
        "overdue": 1,
        "fulfilled": 2,
        "partly_fulfilled": 0,
        "not_fulfilled": 1,
        "cancelled": 1,
    }
    assert (
        "En este período las mesas del territorio tomaron 7 compromisos. Esta cuenta sigue 8 "
        "compromisos vigentes durante el período. De ellos, 1 se cumplió a tiempo, 1 se cumplió "
        "con atraso, 1 no se cumplió, 1 está atrasado, 3 siguen en plazo y 1 fue cancelado. "
        "1 compromiso cambió de fecha."
    ) in page
    institutions = rows(html, "org")
    assert institutions[str(case["mop"].id)][1:] == ["3", "1", "1"]
    assert institutions[str(case["indap"].id)][1:] == ["3", "1", "0"]
    assert institutions[str(case["coop"].id)][1:] == ["1", "0", "0"]
    actors = rows(html, "actor")
    # Public: the road and the well, all fulfilled; the cancelled shed is left out.
    assert actors["public"][1:] == ["6", "$ 120.000.000", "$ 120.000.000"]
    assert actors["social"][1:] == ["1", "$ 5.000.000", "$ 0"]
    assert actors["knowledge"][1:] == ["1", "$ 3.000.000", "$ 0"]
    assert "private" not in actors
    listed = rows(html, "commitment")
    in_force = ("road", "well", "training", "fodder", "shed", "study", "old", "plan")
    assert set(listed) == {str(case[k].id) for k in in_force}
    # Institution, commitment, original date, current date, state, last update.
    well = listed[str(case["well"].id)]
    assert (
        well[0] == "INDAP" and well[1] == "Pozo Tomado el 10-01-2027, Mesa caprina · $ 20.000.000"
    )
    assert well[2] == "01-03-2027" and well[3].startswith("01-05-2027 reprogramado")
    assert listed[str(case["old"].id)][4].startswith("Atrasado")
    assert listed[str(case["training"].id)][5] == "01-06-2027 · 40 % Primer taller hecho."
    for hidden in (
        "Estudio reservado",
        "Puente en Arauco",
        "Bodega 2025",
        "No debe verse",
        "Aún sin revisar",
        "Del año 2025",
    ):
        assert hidden not in page
    # What the mesa validated, and what the community observed.
    assert "Quedó bien, falta señalética." in page
    assert "Vecina de Cogotí" in page
    assert "Generada el 15 de junio de 2027" in page


def test_a_commitment_falls_overdue_when_its_date_passes(client, case, clock_at):
    slug = case["goat"].slug
    url = f"/mesas/{slug}/cuenta-publica?desde=2027-01-01&hasta=2027-06-15"
    html = client.get(url).get_data(as_text=True)
    before = counts(html)
    assert before["overdue"] == 1 and before["pending"] == 1
    assert "En este período la mesa tomó 6 compromisos." in html
    clock_at(utc(2027, 8, 1, 16))
    response = client.get(url)
    html = response.get_data(as_text=True)
    after = counts(html)
    assert after["overdue"] == 2 and after["pending"] == 0
    assert sum(after.values()) == sum(before.values()) == 7
    fodder = rows(html, "commitment")[str(case["fodder"].id)]
    assert fodder[4] == "Atrasado 31 días de atraso"
    assert "Estados al 1 de agosto de 2027." in text_of(response)


def test_the_period_chooses_the_commitments_in_force(client, case):
    base = f"/territorios/{case['territory'].slug}/cuenta-publica"
    html = client.get(f"{base}?desde=2025-01-01&hasta=2025-12-31").get_data(as_text=True)
    assert set(rows(html, "commitment")) == {str(case["old"].id), str(case["closed"].id)}
    assert "En este período las mesas del territorio tomaron 2 compromisos." in html
    assert "Del año 2025." in html and "Quedó bien" not in html
    html = client.get(f"{base}?desde=2026-01-01&hasta=2026-12-31").get_data(as_text=True)
    assert set(rows(html, "commitment")) == {str(case["old"].id)}
    assert "tomaron 0 compromisos" in html
    html = client.get(f"{base}?desde=2024-01-01&hasta=2024-12-31").get_data(as_text=True)
    assert rows(html, "commitment") == {}
    assert "Ningún compromiso estuvo vigente durante el período." in html


# What is no date at all is shown in a text field, where it can be corrected: a date field
# would show it blank.
@pytest.mark.parametrize(
    ("query", "message", "field"),
    [
        (
            "desde=2027-02-30",
            "Escribe la fecha como día-mes-año, por ejemplo 31-12-2026.",
            '<input type="text" id="desde" name="desde" value="2027-02-30"',
        ),
        (
            "desde=ayer&hasta=2027-03-01",
            "Escribe la fecha como día-mes-año",
            '<input type="text" id="desde" name="desde" value="ayer"',
        ),
        (
            "hasta=15/13/2027",
            "Escribe la fecha como día-mes-año",
            '<input type="text" id="hasta" name="hasta" value="15/13/2027"',
        ),
        (
            "desde=2027-06-01&hasta=2027-01-01",
            "El inicio del período debe ser anterior a su término.",
            '<input type="date" id="desde" name="desde" value="2027-06-01"',
        ),
        (
            "desde=1999-12-31&hasta=9999-12-31",
            "Elige una fecha entre los años 2000 y 2100.",
            '<input type="date" id="hasta" name="hasta" value="9999-12-31"',
        ),
        (
            "desde=2020-01-01&hasta=2027-01-01",
            "El período puede durar como máximo 5 años.",
            '<input type="date" id="desde" name="desde" value="2020-01-01"',
        ),
    ],
)
def test_a_bad_period_is_refused_with_a_reason_and_what_was_typed(
    client, case, query, message, field
):
    response = client.get(f"/mesas/{case['goat'].slug}/cuenta-publica?{query}")
    assert response.status_code == 400
    assert message in text_of(response)
    html = response.get_data(as_text=True)
    assert field in html
    assert 'aria-invalid="true"' in html
    assert "data-state" not in html


@pytest.mark.parametrize(
    "url", ["/territorios/no-existe/cuenta-publica", "/mesas/no-existe/cuenta-publica"]
)
def test_unknown_places_have_no_report(client, db, url):
    assert client.get(url).status_code == 404


def test_the_report_costs_the_same_queries_and_stays_small_whatever_the_data(
    client, case, world, db, count_queries
):
    urls = (
        f"/territorios/{case['territory'].slug}/cuenta-publica",
        f"/mesas/{case['goat'].slug}/cuenta-publica",
    )

    def cost() -> list[int]:
        found = []
        for url in urls:
            with count_queries() as q:
                assert client.get(url).status_code == 200
            found.append(q.count)
        return found

    before = cost()
    goat = case["goat"]
    for n in range(12):
        org = world.org(f"Servicio {n}", f"S{n}", actor=list(ActorType)[n % 4])
        done = world.commitment(
            goat,
            org,
            f"Obra {n}",
            taken=dt.date(2027, 2, 1),
            due=dt.date(2027, 5, 1),
            amount=1_000_000 * n,
        )
        world.reschedule(done, dt.date(2027, 5, 20), "Atraso.", utc(2027, 4, 1, 12))
        world.update(done, dt.date(2027, 5, 2), "Avance.", utc(2027, 5, 2, 12), percent=50)
        world.validate(
            done, CommitmentStatus.PARTLY_FULFILLED, dt.date(2027, 5, 19), utc(2027, 5, 25, 12)
        )
        world.observe(done, f"Observación {n}.", utc(2027, 5, 26, 12))
    db.commit()
    assert cost() == before
    # The commitments (6 at most), the plan in force (6) and the portfolio's money (2).
    assert before[0] <= 14
    # A first visit downloads the page and its stylesheets: under 20 KB compressed.
    response = client.get(urls[0])
    html = response.get_data()
    weight = len(gzip.compress(html))
    for asset in re.findall(rb'href="(/static/[^"]+\.css[^"]*)"', html):
        weight += len(gzip.compress(client.get(asset.decode()).get_data()))
    assert weight < 20_000, weight


def test_the_report_reads_in_english_too(client, case):
    client.get("/idioma/en")
    response = client.get(f"/mesas/{case['goat'].slug}/cuenta-publica?desde=2027-01-01")
    page = text_of(response)
    assert f"Public report: {case['goat'].name}" in page
    assert "From January 1, 2027 to June 15, 2027" in page
    assert "In this period the mesa took 6 commitments." in page
    assert "Of them, 1 was fulfilled on time, 1 was fulfilled late, 1 was not fulfilled" in page


def test_dates_written_day_month_year_are_read_too(client, case):
    """On a phone without a date picker people type 15-06-2027 or 15/06/2027."""
    base = f"/mesas/{case['goat'].slug}/cuenta-publica"
    typed = client.get(f"{base}?desde=01-01-2027&hasta=15/06/2027")
    picked = client.get(f"{base}?desde=2027-01-01&hasta=2027-06-15")
    assert typed.status_code == picked.status_code == 200
    assert 'value="2027-06-15"' in typed.get_data(as_text=True)


def test_a_long_report_lists_its_commitments_a_page_at_a_time_with_the_whole_list_as_a_file(
    client, case, world, db
):
    goat = case["goat"]
    for n in range(55):
        world.commitment(
            goat, case["mop"], f"Tramo {n:02d}", taken=dt.date(2027, 2, 1), due=dt.date(2027, 9, 1)
        )
    db.commit()
    url = f"/mesas/{goat.slug}/cuenta-publica"
    first = client.get(url)
    html = first.get_data(as_text=True)
    total = sum(counts(html).values())
    assert total == 55 + 7  # the counts cover every commitment of the period
    assert len(rows(html, "commitment")) == 50
    assert "Compromisos 1 a 50 de 62" in text_of(first)
    assert "Página 1 de 2" in text_of(first)
    assert f'href="/datos/commitments.csv?mesa={goat.slug}"' in html
    second = client.get(f"{url}?pagina=2&desde=2027-01-01&hasta=2027-06-15")
    assert len(rows(second.get_data(as_text=True), "commitment")) == 12
    assert "Compromisos 51 a 62 de 62" in text_of(second)
    # Both pages together list each commitment once.
    listed = set(rows(html, "commitment")) | set(rows(second.get_data(as_text=True), "commitment"))
    assert len(listed) == 62
    for asked, message in (
        ("3", "No existe la página 3: la última es la 2."),
        ("cero", "número entero"),
    ):
        refused = client.get(f"{url}?pagina={asked}")
        assert refused.status_code == 400
        assert message in text_of(refused)
