"""Mesas of the three kinds and the organizations registry: what the public sees."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.core.markdown import render
from portal.mesas.demo import load_demo_mesas
from portal.mesas.models import Mesa, MesaKind, MesaStatus, Organization, OrganizationKind
from portal.places.demo import load_pilot_territories
from tests.conftest import text_of


@pytest.fixture
def demo(db):
    load_pilot_territories()
    load_demo_mesas()
    db.commit()


def count(db, *where) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(Mesa).where(*where))


@pytest.mark.usefixtures("demo")
def test_each_pilot_territory_has_a_territorial_mesa_and_its_thematic_mesas(db):
    assert count(db, Mesa.kind == MesaKind.TERRITORIAL) == 6
    per_territory = db.execute(
        sa.select(Mesa.territory_id, sa.func.count())
        .where(Mesa.kind == MesaKind.THEMATIC)
        .group_by(Mesa.territory_id)
    ).all()
    assert len(per_territory) == 6 and all(2 <= n <= 4 for _, n in per_territory)
    # One mesa técnica regional for each region with a pilot territory.
    assert count(db, Mesa.kind == MesaKind.REGIONAL) == 6
    services = set(
        db.scalars(
            sa.select(Organization.short_name).where(
                Organization.kind == OrganizationKind.PUBLIC_SERVICE
            )
        )
    )
    assert {"INDAP", "SERCOTEC", "MOP Vialidad", "CONADI"} <= services
    assert load_demo_mesas() == 0  # idempotent


@pytest.mark.usefixtures("demo")
def test_a_territorial_mesa_page_shows_its_chair_status_and_thematic_mesas(client):
    page = client.get("/mesas/mesa-territorial-limari-choapa")
    assert page.status_code == 200
    text = text_of(page)
    assert "Mesa territorial" in text
    assert "La preside Delegado/a Presidencial Provincial de Limarí" in text
    assert "Activa (desde el 15 de octubre de 2014)" in text
    assert "Acta de constitución, 15 de octubre de 2014" in text
    assert "Sus mesas temáticas" in text
    for theme in ("Minería artesanal sustentable", "Ganadería caprina"):
        assert f"Mesa de {theme}, Limarí-Choapa" in text


@pytest.mark.usefixtures("demo")
def test_a_thematic_mesa_shows_its_theme_and_its_territorial_mesa(client):
    text = text_of(client.get("/mesas/valle-del-itata-vinos-patrimoniales"))
    assert "Mesa temática: Vinos patrimoniales" in text
    assert "Su mesa territorial" in text and "Mesa Territorial Valle del Itata" in text
    assert "Ya existía antes del programa" in text


@pytest.mark.usefixtures("demo")
def test_a_regional_mesa_lists_the_territories_whose_plans_it_reviews(client):
    text = text_of(client.get("/mesas/mesa-tecnica-regional-coquimbo"))
    assert "Mesa técnica regional" in text and "Gobernador/a Regional" in text
    assert "Territorios cuyos planes revisa" in text and "Limarí-Choapa" in text
    assert client.get("/mesas/no-existe").status_code == 404


@pytest.mark.usefixtures("demo")
def test_the_territory_page_lists_its_mesas_and_its_regional_mesa(client):
    html = client.get("/territorios/arauco").get_data(as_text=True)
    assert 'href="/mesas/mesa-territorial-arauco"' in html
    assert 'href="/mesas/arauco-gastronomia-identitaria-patrimonial"' in html
    assert 'href="/mesas/mesa-tecnica-regional-biobio"' in html
    assert "mesa-tecnica-regional-coquimbo" not in html


def test_a_territory_has_only_one_territorial_mesa(db, make_territory):
    territory = make_territory()

    def territorial(slug: str) -> Mesa:
        return Mesa(
            slug=slug,
            name=slug,
            kind=MesaKind.TERRITORIAL,
            territory=territory,
            status=MesaStatus.FORMING,
            status_since=dt.date(2026, 1, 1),
        )

    db.add(territorial("primera"))
    db.flush()
    db.add(territorial("segunda"))
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_a_regional_mesa_needs_a_region_and_no_territory(db, make_territory):
    db.add(
        Mesa(
            slug="sin-region",
            name="Sin región",
            kind=MesaKind.REGIONAL,
            territory=make_territory(),
            status=MesaStatus.FORMING,
            status_since=dt.date(2026, 1, 1),
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_markdown_is_kept_as_typed_and_rendered_inert():
    text = (
        "**Acuerdos** de la mesa\n\n<script>alert(1)</script>\n\n"
        '<img src=x onerror="alert(2)">\n\n[pincha](javascript:alert(3)) y '
        "[la ley](https://www.bcn.cl/)"
    )
    html = str(render(text))
    assert "<strong>Acuerdos</strong>" in html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert '<a href="https://www.bcn.cl/" rel="nofollow noopener noreferrer">la ley</a>' in html


@pytest.mark.usefixtures("demo")
def test_a_mesa_page_shows_its_description_sanitized(client, db):
    mesa = db.scalars(sa.select(Mesa).where(Mesa.slug == "mesa-territorial-arauco")).one()
    mesa.description = "Se reúne en la escuela.<script>alert('x')</script>"
    db.commit()
    html = client.get("/mesas/mesa-territorial-arauco").get_data(as_text=True)
    assert "Se reúne en la escuela." in html and "alert('x')" not in html
    assert db.scalar(sa.select(Mesa.description).where(Mesa.id == mesa.id)).endswith("</script>")


@pytest.mark.usefixtures("demo")
def test_mesa_and_territory_pages_make_a_fixed_number_of_queries(client, count_queries):
    with count_queries() as territorial:
        client.get("/mesas/mesa-territorial-limari-choapa")
    with count_queries() as regional:
        client.get("/mesas/mesa-tecnica-regional-coquimbo")
    # The mesa, its related mesas, its members, its status history, and territories reviewed;
    # and the version of the data, read first by the page cache (portal.pagecache).
    assert territorial.count <= 6 and regional.count <= 6
