"""The demo's convenio: the regional government of Coquimbo, the goat cooperative and INDAP
pool money and work for the cheese room of Limarí-Choapa. Invented, for trying the portal."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.accounts.models import User
from portal.convenios import services
from portal.convenios.models import Convenio, ConvenioKind
from portal.core import clock
from portal.extensions import db
from portal.initiatives.models import Initiative
from portal.mesas.models import Organization
from portal.places.models import Territory

PARTIES = (
    ("Gobierno Regional de Coquimbo", "Gobernador regional", 90_000_000, False, "Obras civiles"),
    ("Instituto de Desarrollo Agropecuario", "Director regional", 25_000_000, False, "Equipos"),
    (
        "Cooperativa Caprina Quebrada Alta",
        "Presidenta de la cooperativa",
        8_000_000,
        True,
        "El terreno y 60 jornadas de trabajo de sus socias",
    ),
)


def load_demo_convenio() -> int:
    """Records the convenio if Limarí-Choapa has none. Returns how many were recorded."""
    territory = db.session.scalar(sa.select(Territory).where(Territory.slug == "limari-choapa"))
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@demo.example"))
    if territory is None or admin is None:
        return 0
    if db.session.scalar(sa.select(Convenio.id).where(Convenio.territory_id == territory.id)):
        return 0
    organizations = {
        o.name: o.id
        for o in db.session.scalars(
            sa.select(Organization).where(Organization.name.in_([p[0] for p in PARTIES]))
        )
    }
    if len(organizations) < len(PARTIES):
        return 0
    room = db.session.scalar(
        sa.select(Initiative.id).where(
            Initiative.territory_id == territory.id, Initiative.title.like("Sala de procesos%")
        )
    )
    today = clock.today()
    services.record(
        territory,
        services.ConvenioData(
            kind=ConvenioKind.CONVENIO,
            title="Convenio para la sala de procesos de queso de cabra de Quebrada Alta",
            purpose="Construir y equipar una sala común con resolución sanitaria.",
            signed_on=today - dt.timedelta(days=40),
            starts_on=today - dt.timedelta(days=40),
            ends_on=today + dt.timedelta(days=690),
            renewal_on=today + dt.timedelta(days=600),
            document="Resolución exenta N° 1.245 del Gobierno Regional de Coquimbo",
            parties=[
                services.Party(organizations[name], role, amount, in_kind, what)
                for name, role, amount, in_kind, what in PARTIES
            ],
            initiative_ids=[room] if room is not None else [],
        ),
        admin,
    )
    return 1
