"""The official places of Chile and territories whose comunas change over time."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.places.demo import PILOTS, load_pilot_territories
from portal.places.models import Comuna, Province, Region, Territory, TerritoryComuna
from portal.places.reference import read_cut, sync_places


def test_the_country_has_16_regions_56_provinces_and_346_comunas(db):
    assert db.scalar(sa.select(sa.func.count()).select_from(Region)) == 16
    assert db.scalar(sa.select(sa.func.count()).select_from(Province)) == 56
    assert db.scalar(sa.select(sa.func.count()).select_from(Comuna)) == 346


def test_known_codes_match_their_comunas_provinces_and_regions(db):
    samples = {
        "01107": ("Alto Hospicio", "Iquique", "Tarapacá"),
        "05101": ("Valparaíso", "Valparaíso", "Valparaíso"),
        "08201": ("Lebu", "Arauco", "Biobío"),
        "13101": ("Santiago", "Santiago", "Metropolitana de Santiago"),
        "14204": ("Río Bueno", "Ranco", "Los Ríos"),
        "15101": ("Arica", "Arica", "Arica y Parinacota"),
        "16101": ("Chillán", "Diguillín", "Ñuble"),
        "16207": ("Trehuaco", "Itata", "Ñuble"),
        "04302": ("Combarbalá", "Limarí", "Coquimbo"),
        "12202": ("Antártica", "Antártica Chilena", "Magallanes y de la Antártica Chilena"),
    }
    for code, (name, province, region) in samples.items():
        comuna = db.scalars(sa.select(Comuna).where(Comuna.code == code)).one()
        assert (comuna.name, comuna.province.name, comuna.province.region.name) == (
            name,
            province,
            region,
        ), code


def test_nuble_is_its_own_region_since_2018(db):
    nuble = db.scalars(sa.select(Region).where(Region.code == "16")).one()
    assert [p.code for p in nuble.provinces] == ["161", "162", "163"]
    biobio = db.scalars(sa.select(Region).where(Region.code == "08")).one()
    assert [p.name for p in biobio.provinces] == ["Concepción", "Arauco", "Biobío"]


def test_every_code_nests_in_its_province_and_region():
    rows = read_cut()
    assert len({r.comuna_code for r in rows}) == 346
    for row in rows:
        assert row.comuna_code.startswith(row.province_code)
        assert row.province_code.startswith(row.region_code)


def test_loading_places_twice_changes_nothing_and_corrects_a_changed_name(db):
    connection = db.connection()
    assert sync_places(connection) == 0
    connection.execute(sa.update(Comuna).where(Comuna.code == "04302").values(name="Combarbala"))
    assert sync_places(connection) == 1
    assert db.scalars(sa.select(Comuna.name).where(Comuna.code == "04302")).one() == "Combarbalá"


def test_pilot_territories_have_their_real_comunas(db):
    assert load_pilot_territories() == 6
    assert load_pilot_territories() == 0
    db.flush()
    today = dt.date(2026, 11, 21)
    names = {
        t.slug: sorted(c.name for c in t.comunas_on(today))
        for t in db.scalars(sa.select(Territory))
    }
    assert names["limari-choapa"] == ["Canela", "Combarbalá", "Monte Patria", "Punitaqui"]
    assert names["secano-maule-sur"] == ["Cauquenes", "Chanco", "Empedrado", "Pelluhue"]
    assert names["costa-araucania"] == [
        "Carahue",
        "Nueva Imperial",
        "Saavedra",
        "Teodoro Schmidt",
        "Toltén",
    ]
    assert len(names["arauco"]) == 7 and "Tirúa" in names["arauco"]
    assert len(names["valle-del-itata"]) == 9 and "San Nicolás" in names["valle-del-itata"]
    assert names["ranco"] == ["Futrono", "La Unión", "Lago Ranco", "Río Bueno"]
    assert {p.slug for p in PILOTS} == set(names)
    itata = db.scalars(sa.select(Territory).where(Territory.slug == "valle-del-itata")).one()
    assert itata.region.name == "Ñuble"


def test_a_territory_on_a_past_date_versus_today(db, make_territory, comuna):
    # Ovalle was part of it for a while and left at the end of 2015; Punitaqui joined in 2016.
    territory = make_territory(
        comunas=("Combarbalá", "Monte Patria"),
        since=dt.date(2014, 8, 2),
        left=(("Ovalle", dt.date(2014, 8, 2), dt.date(2016, 1, 1), "centro urbano"),),
    )
    territory.memberships.append(
        TerritoryComuna(comuna=comuna("Punitaqui"), valid_from=dt.date(2016, 1, 1))
    )
    db.commit()

    def names(day: dt.date) -> list[str]:
        return [c.name for c in territory.comunas_on(day)]

    assert names(dt.date(2014, 8, 1)) == []
    assert names(dt.date(2015, 6, 1)) == ["Combarbalá", "Monte Patria", "Ovalle"]
    assert names(dt.date(2015, 12, 31)) == ["Combarbalá", "Monte Patria", "Ovalle"]
    assert names(dt.date(2016, 1, 1)) == ["Combarbalá", "Monte Patria", "Punitaqui"]
    assert names(dt.date(2026, 11, 21)) == ["Combarbalá", "Monte Patria", "Punitaqui"]


def test_a_membership_cannot_end_before_it_starts(db, make_territory, comuna):
    import pytest
    from sqlalchemy.exc import IntegrityError

    territory = make_territory()
    territory.memberships.append(
        TerritoryComuna(
            comuna=comuna("Ovalle"), valid_from=dt.date(2016, 1, 1), valid_to=dt.date(2015, 1, 1)
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()
