"""The six pilot territories of the Plan de Desarrollo para Territorios Rezagados.

Source: ``shared/seeds/000``, lines 229-232 and 650-698: Decreto N° 1.116 of 2014 (published
2 August 2014) named Limarí-Choapa, Maule Sur and Arauco; Decreto N° 1.929 of 2015 added Ranco
and Valle del Itata; Decreto N° 1.490 of 2016 added Costa Araucanía from 2017. The first three
have triennial plans 2016-2018, Itata and Ranco 2017-2019, Costa Araucanía was writing its
first annual plan (lines 840-850). Only the year of the 2015 decree is given; its comunas are
dated from the first day of that year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from portal.extensions import db
from portal.places.models import (
    Comuna,
    Region,
    Territory,
    TerritoryPhase,
    TerritoryStatus,
)
from portal.places.services import Stage, create_territory


@dataclass(frozen=True)
class PilotTerritory:
    slug: str
    name: str
    region_code: str
    phase: TerritoryPhase
    decree: str
    since: dt.date
    comuna_codes: tuple[str, ...]


PILOTS = (
    PilotTerritory(
        "limari-choapa",
        "Limarí-Choapa",
        "04",
        TerritoryPhase.TRIENNIAL_PLAN,
        "Decreto N° 1.116 de 2014",
        dt.date(2014, 8, 2),
        ("04302", "04303", "04304", "04202"),  # Combarbalá, Monte Patria, Punitaqui, Canela
    ),
    PilotTerritory(
        "secano-maule-sur",
        "Secano Maule Sur",
        "07",
        TerritoryPhase.TRIENNIAL_PLAN,
        "Decreto N° 1.116 de 2014",
        dt.date(2014, 8, 2),
        ("07201", "07202", "07203", "07104"),  # Cauquenes, Chanco, Pelluhue, Empedrado
    ),
    PilotTerritory(
        "arauco",
        "Arauco",
        "08",
        TerritoryPhase.TRIENNIAL_PLAN,
        "Decreto N° 1.116 de 2014",
        dt.date(2014, 8, 2),
        ("08201", "08202", "08203", "08204", "08205", "08206", "08207"),
    ),
    PilotTerritory(
        "ranco",
        "Ranco",
        "14",
        TerritoryPhase.TRIENNIAL_PLAN,
        "Decreto N° 1.929 de 2015",
        dt.date(2015, 1, 1),
        ("14201", "14202", "14203", "14204"),
    ),
    PilotTerritory(
        "valle-del-itata",
        "Valle del Itata",
        "16",
        TerritoryPhase.TRIENNIAL_PLAN,
        "Decreto N° 1.929 de 2015",
        dt.date(2015, 1, 1),
        # Cobquecura, Coelemu, Ninhue, Portezuelo, Quirihue, Quillón, Ránquil, San Nicolás,
        # Trehuaco
        ("16202", "16203", "16204", "16205", "16201", "16107", "16206", "16305", "16207"),
    ),
    PilotTerritory(
        "costa-araucania",
        "Costa Araucanía",
        "09",
        TerritoryPhase.ANNUAL_PLAN,
        "Decreto N° 1.490 de 2016",
        dt.date(2017, 1, 1),
        # Nueva Imperial, Carahue, Toltén, Saavedra, Teodoro Schmidt
        ("09111", "09102", "09118", "09116", "09117"),
    ),
)


def load_pilot_territories() -> int:
    """Create the pilot territories that are missing. Returns how many were created."""
    created = 0
    existing = set(db.session.scalars(sa.select(Territory.slug)))
    regions = {r.code: r for r in db.session.scalars(sa.select(Region))}
    comunas = {c.code: c for c in db.session.scalars(sa.select(Comuna))}
    for pilot in PILOTS:
        if pilot.slug in existing:
            continue
        create_territory(
            pilot.name,
            regions[pilot.region_code],
            [comunas[code] for code in pilot.comuna_codes],
            Stage(pilot.phase, TerritoryStatus.LAGGING, pilot.since, decree=pilot.decree),
            slug=pilot.slug,
        )
        created += 1
    return created
