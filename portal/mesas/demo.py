"""Demo mesas and organizations for the six pilot territories.

Themes are the real ones of seeds/000:809-821. Local organizations are invented; public
services are real institutions. Dates of founding are invented for the demo.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.accounts.models import User
from portal.core.text import slugify
from portal.extensions import db
from portal.mesas.models import (
    ActorType,
    FoundingInstrument,
    Membership,
    Mesa,
    MesaKind,
    MesaStatus,
    Organization,
    OrganizationKind,
    Person,
    Role,
)
from portal.mesas.services import person_for
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
                    f"La mesa de {territory.name}, de lo público y lo privado. "
                    "Aquí se sientan los que vienen de cada mesa temática, los alcaldes y los "
                    "servicios. Se junta una vez al mes."
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


# Members ---------------------------------------------------------------------------------------

# Invented people: a first name and two surnames, combined so that nobody real is meant.
FIRST_NAMES = (
    "Ana",
    "Bernardo",
    "Carmen",
    "Daniel",
    "Elena",
    "Fabián",
    "Gloria",
    "Héctor",
    "Irene",
    "Jorge",
    "Karina",
    "Leonel",
    "Mónica",
    "Nelson",
    "Olga",
    "Pedro",
    "Raquel",
    "Sergio",
    "Tamara",
    "Víctor",
    "Ximena",
    "Yolanda",
)
SURNAMES = (
    "Aguilera",
    "Barrera",
    "Castillo",
    "Donoso",
    "Espinoza",
    "Fuentes",
    "Gallardo",
    "Henríquez",
    "Ibarra",
    "Jara",
    "Leiva",
    "Maturana",
    "Navarro",
    "Ortega",
    "Palma",
    "Quiroz",
    "Riquelme",
    "Salinas",
    "Toledo",
    "Urrutia",
    "Valdés",
    "Zamorano",
)
GOAT_MESA = "limari-choapa-ganaderia-caprina"
# demo account: (role, organization short name or name)
ROLE_ACCOUNTS = {
    "presidencia@demo.example": (Role.CHAIR, "Cooperativa Caprina Quebrada Alta"),
    "secretaria@demo.example": (Role.SECRETARY, "Gobierno Regional de Coquimbo"),
    "integrante@demo.example": (Role.MEMBER, "Cooperativa Caprina Quebrada Alta"),
    "indap@demo.example": (Role.SERVICE_REP, "INDAP"),
    "observador@demo.example": (Role.OBSERVER, "Centro de Estudios Rurales del Sur"),
}
# What each kind of mesa's members look like: (role, kind of organization, how many).
SEATS = {
    MesaKind.THEMATIC: (
        (Role.CHAIR, "local", 1),
        (Role.SECRETARY, "gore", 1),
        (Role.MEMBER, "local", 5),
        (Role.SERVICE_REP, "service", 2),
        (Role.OBSERVER, "knowledge", 1),
    ),
    MesaKind.TERRITORIAL: (
        (Role.CHAIR, "none", 1),
        (Role.SECRETARY, "gore", 1),
        (Role.MEMBER, "municipality", 2),
        (Role.MEMBER, "local", 3),
        (Role.SERVICE_REP, "service", 3),
    ),
    MesaKind.REGIONAL: (
        (Role.CHAIR, "gore", 1),
        (Role.SECRETARY, "gore", 1),
        (Role.SERVICE_REP, "service", 4),
    ),
}


def _invented_name(n: int) -> str:
    return (
        f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {SURNAMES[(n * 7) % len(SURNAMES)]} "
        f"{SURNAMES[(n * 3 + 5) % len(SURNAMES)]}"
    )


def _organizations_for(mesa: Mesa, everything: list[Organization]) -> dict[str, list]:
    region = mesa.region if mesa.region else mesa.territory.region  # type: ignore[union-attr]
    comunas = {m.comuna_id for m in mesa.territory.memberships} if mesa.territory else set()
    local = [
        o
        for o in everything
        if o.kind not in (OrganizationKind.PUBLIC_SERVICE, OrganizationKind.MUNICIPALITY)
        and o.actor_type in (ActorType.PRIVATE, ActorType.SOCIAL)
        and o.comuna_id in comunas
    ]
    return {
        "local": local or [None],
        "none": [None],
        "gore": [o for o in everything if o.name == f"Gobierno Regional de {region.name}"],
        "service": [o for o in everything if o.kind == OrganizationKind.PUBLIC_SERVICE],
        "municipality": [
            o
            for o in everything
            if o.comuna_id in comunas and o.kind == OrganizationKind.MUNICIPALITY
        ]
        or [None],
        "knowledge": [o for o in everything if o.actor_type == ActorType.KNOWLEDGE],
    }


def _seat(
    mesa: Mesa, person: Person, role: Role, org: Organization | None, started: dt.date, **kw: bool
) -> None:
    db.session.add(
        Membership(
            mesa=mesa,
            person=person,
            role=role,
            organization=org,
            actor_type=org.actor_type if org else ActorType.SOCIAL,
            started_on=started,
            **kw,
        )
    )


def load_demo_members() -> int:
    """Members for every demo mesa that has none yet: people kept on record (no account), and
    the demo accounts of each role at the goat mesa of Limarí-Choapa."""

    mesas = list(db.session.scalars(sa.select(Mesa).order_by(Mesa.id)))
    seated = set(db.session.scalars(sa.select(Membership.mesa_id).distinct()))
    everything = list(db.session.scalars(sa.select(Organization).order_by(Organization.name)))
    by_name = {o.name: o for o in everything} | {
        o.short_name: o for o in everything if o.short_name
    }
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    created = 0
    n = 0
    for mesa in mesas:
        if mesa.id in seated:
            continue
        started = mesa.founded_on or mesa.status_since
        if mesa.slug == GOAT_MESA:
            for email, (role, org_name) in ROLE_ACCOUNTS.items():
                if email not in users:
                    continue
                person = person_for(users[email])
                _seat(mesa, person, role, by_name.get(org_name), started, share_email=True)
                created += 1
        pools = _organizations_for(mesa, everything)
        taken_roles = {Role.CHAIR, Role.SECRETARY} if mesa.slug == GOAT_MESA else set()
        for role, pool_name, how_many in SEATS[mesa.kind]:
            if role in taken_roles:
                continue
            pool = pools[pool_name] or [None]
            for i in range(how_many):
                n += 1
                org = pool[(n + i) % len(pool)]
                # The first member of each thematic mesa is its delegate.
                delegate = mesa.kind == MesaKind.THEMATIC and role == Role.MEMBER and i == 0
                person = Person(name=_invented_name(n))
                _seat(mesa, person, role, org, started, is_delegate=delegate)
                created += 1
    return created
