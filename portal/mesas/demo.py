"""Demo mesas and organizations for the six pilot territories.

Themes are the real ones of seeds/000:809-821. Local organizations are invented; public
services are real institutions. Dates of founding are invented for the demo.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.core.text import slugify
from portal.extensions import db
from portal.mesas.models import (
    ActorType,
    FoundingInstrument,
    Mesa,
    MesaKind,
    MesaStatus,
    Organization,
    OrganizationKind,
)
from portal.places.models import Comuna, Region, Territory

MINING = "Minería artesanal sustentable"
GOATS = "Ganadería caprina"
TOURISM = "Turismo de intereses especiales"
BERRIES = "Berries y frutos secos"
WINE = "Vinos patrimoniales"
CULTURE = "Educación y cultura"
FOOD = "Gastronomía identitaria patrimonial"

# territory slug: (province named in the chair's title, founded on, thematic mesas)
TERRITORIAL = {
    "limari-choapa": ("Limarí", dt.date(2014, 10, 15), (MINING, GOATS, TOURISM)),
    "secano-maule-sur": ("Cauquenes", dt.date(2014, 11, 5), (BERRIES, WINE, TOURISM)),
    "arauco": ("Arauco", dt.date(2014, 11, 20), (TOURISM, FOOD, CULTURE)),
    "ranco": ("Ranco", dt.date(2016, 4, 8), (TOURISM, FOOD, CULTURE)),
    "valle-del-itata": ("Itata", dt.date(2016, 3, 22), (WINE, BERRIES, TOURISM)),
    "costa-araucania": ("Cautín", dt.date(2017, 5, 12), (FOOD, TOURISM)),
}
# A mesa that already existed and which the program joined (seeds/000:937).
PRE_EXISTING = {("valle-del-itata", WINE)}

PUBLIC_SERVICES = (
    ("Dirección de Vialidad, Ministerio de Obras Públicas", "MOP Vialidad"),
    ("Dirección de Obras Hidráulicas, Ministerio de Obras Públicas", "MOP DOH"),
    ("Instituto de Desarrollo Agropecuario", "INDAP"),
    ("Servicio de Cooperación Técnica", "SERCOTEC"),
    ("Corporación de Fomento de la Producción", "CORFO"),
    ("Fondo de Solidaridad e Inversión Social", "FOSIS"),
    ("Servicio Agrícola y Ganadero", "SAG"),
    ("Corporación Nacional Forestal", "CONAF"),
    ("Corporación Nacional de Desarrollo Indígena", "CONADI"),
    ("Instituto de Investigaciones Agropecuarias", "INIA"),
    ("Servicio Nacional de Turismo", "SERNATUR"),
    ("Junta Nacional de Auxilio Escolar y Becas", "JUNAEB"),
    ("Ministerio de Vivienda y Urbanismo", "MINVU"),
    ("Empresa Nacional de Minería", "ENAMI"),
)

# Invented local organizations: (name, kind, actor type, comuna)
LOCAL_ORGANIZATIONS = (
    (
        "Cooperativa Caprina Quebrada Alta",
        OrganizationKind.COOPERATIVE,
        ActorType.PRIVATE,
        "Combarbalá",
    ),
    (
        "Asociación de Pirquineros del Secano",
        OrganizationKind.PRODUCERS_ASSOCIATION,
        ActorType.PRIVATE,
        "Canela",
    ),
    (
        "Junta de Vecinos Los Algarrobos",
        OrganizationKind.COMMUNITY_ORGANIZATION,
        ActorType.SOCIAL,
        "Punitaqui",
    ),
    (
        "Cooperativa de Berries Costa Maulina",
        OrganizationKind.COOPERATIVE,
        ActorType.PRIVATE,
        "Cauquenes",
    ),
    (
        "Viñateros Campesinos del Secano",
        OrganizationKind.PRODUCERS_ASSOCIATION,
        ActorType.PRIVATE,
        "Coelemu",
    ),
    (
        "Agrupación de Turismo Rural Lago Ranco",
        OrganizationKind.PRODUCERS_ASSOCIATION,
        ActorType.PRIVATE,
        "Lago Ranco",
    ),
    (
        "Comunidad Indígena Lafkenche Costa Sur",
        OrganizationKind.INDIGENOUS_COMMUNITY,
        ActorType.SOCIAL,
        "Saavedra",
    ),
    (
        "Red de Cocineras Tradicionales de Arauco",
        OrganizationKind.COMMUNITY_ORGANIZATION,
        ActorType.SOCIAL,
        "Cañete",
    ),
    (
        "Centro de Estudios Rurales del Sur",
        OrganizationKind.UNIVERSITY,
        ActorType.KNOWLEDGE,
        "Cauquenes",
    ),
)


def _add_organizations(
    comunas: dict[str, Comuna], regions: list[Region], pilot_comunas: list[Comuna]
) -> int:
    existing = set(db.session.scalars(sa.select(Organization.name)))
    wanted: list[Organization] = [
        Organization(
            name=name,
            short_name=short,
            kind=OrganizationKind.PUBLIC_SERVICE,
            actor_type=ActorType.PUBLIC,
        )
        for name, short in PUBLIC_SERVICES
    ]
    wanted += [
        Organization(
            name=f"Gobierno Regional de {region.name}",
            short_name="GORE",
            kind=OrganizationKind.REGIONAL_GOVERNMENT,
            actor_type=ActorType.PUBLIC,
        )
        for region in regions
    ]
    wanted += [
        Organization(
            name=f"Municipalidad de {c.name}",
            kind=OrganizationKind.MUNICIPALITY,
            actor_type=ActorType.PUBLIC,
            comuna=c,
        )
        for c in pilot_comunas
    ]
    wanted += [
        Organization(name=name, kind=kind, actor_type=actor, comuna=comunas[comuna])
        for name, kind, actor, comuna in LOCAL_ORGANIZATIONS
    ]
    created = [o for o in wanted if o.name not in existing]
    db.session.add_all(created)
    return len(created)


def load_demo_mesas() -> int:
    """Create the demo organizations and mesas that are missing. Returns how many."""
    territories = {t.slug: t for t in db.session.scalars(sa.select(Territory))}
    comunas = {c.name: c for c in db.session.scalars(sa.select(Comuna))}
    pilots = [territories[slug] for slug in TERRITORIAL if slug in territories]
    regions = sorted({t.region for t in pilots}, key=lambda r: r.position)
    pilot_comunas = sorted({m.comuna for t in pilots for m in t.memberships}, key=lambda c: c.name)
    created = _add_organizations(comunas, regions, pilot_comunas)

    existing = set(db.session.scalars(sa.select(Mesa.slug)))
    mesas: list[Mesa] = []
    for territory in pilots:
        province, founded, themes = TERRITORIAL[territory.slug]
        mesas.append(
            Mesa(
                slug=slugify(f"mesa territorial {territory.name}"),
                name=f"Mesa Territorial {territory.name}",
                kind=MesaKind.TERRITORIAL,
                territory=territory,
                status=MesaStatus.ACTIVE,
                status_since=founded,
                founding_instrument=FoundingInstrument.CONSTITUTIVE_MINUTES,
                founded_on=founded,
                chair_title=f"Delegado/a Presidencial Provincial de {province}",
                description=(
                    f"Mesa público-privada de desarrollo del territorio {territory.name}. "
                    "Reúne a delegados de las mesas temáticas, alcaldes y servicios públicos."
                ),
            )
        )
        for theme in themes:
            mesas.append(
                Mesa(
                    slug=slugify(f"{territory.name} {theme}"),
                    name=f"Mesa de {theme}, {territory.name}",
                    kind=MesaKind.THEMATIC,
                    theme=theme,
                    territory=territory,
                    status=MesaStatus.ACTIVE,
                    status_since=founded,
                    pre_existing=(territory.slug, theme) in PRE_EXISTING,
                    founding_instrument=FoundingInstrument.CONSTITUTIVE_MINUTES,
                    founded_on=founded,
                    chair_title="Presidencia elegida por la mesa",
                )
            )
    for region in regions:
        mesas.append(
            Mesa(
                slug=slugify(f"mesa tecnica regional {region.name}"),
                name=f"Mesa Técnica Regional de {region.name}",
                kind=MesaKind.REGIONAL,
                region=region,
                status=MesaStatus.ACTIVE,
                status_since=dt.date(2015, 1, 1),
                chair_title="Gobernador/a Regional",
            )
        )
    fresh = [m for m in mesas if m.slug not in existing]
    db.session.add_all(fresh)
    return created + len(fresh)
