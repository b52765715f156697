"""Demo initiatives of the goat mesa of Limarí-Choapa, at different points of their path, and
an old one that was discarded (so that the form finds it as similar)."""

from __future__ import annotations

import sqlalchemy as sa

from portal.accounts.models import User
from portal.extensions import db
from portal.initiatives import services
from portal.initiatives.models import (
    BeneficiaryUnit,
    EvaluationMethod,
    FundingSource,
    Initiative,
    InitiativeKind,
    Ownership,
    Stage,
    Status,
)
from portal.mesas.demo import GOAT_MESA
from portal.mesas.models import Mesa, Organization
from portal.places.models import Comuna
from portal.reference.models import GapDimension, StrategicObjective

# title, summary, kind, cost, {source: amount}, gap codes, comunas, how far along its path
DEMO = (
    (
        "Abastos de agua para crianceros de Cogotí",
        "Estanques acumuladores y bombas solares para 40 familias crianceras del sector "
        "Cogotí, que hoy acarrean agua en camión aljibe en verano.",
        InitiativeKind.INVESTMENT,
        185_000_000,
        {FundingSource.FNDR: 150_000_000, FundingSource.SECTORAL: 35_000_000},
        ("D4",),
        ("Combarbalá",),
        Status.PRIORITIZED,
    ),
    (
        "Sala de procesos para queso de cabra con resolución sanitaria",
        "Una sala común que cumpla la norma sanitaria, para que las queseras de la "
        "cooperativa vendan formalmente en Ovalle y La Serena.",
        InitiativeKind.INVESTMENT,
        96_500_000,
        {FundingSource.CONVERGENCE: 80_000_000, FundingSource.COMMUNITY: 16_500_000},
        ("D6", "D1"),
        ("Combarbalá", "Monte Patria"),
        Status.IN_DELIBERATION,
    ),
    (
        "Botiquín veterinario comunitario para el secano",
        "Un botiquín con vacunas, antiparasitarios y material de parto, a cargo de dos "
        "crianceras capacitadas, para no perder cabritos esperando al veterinario.",
        InitiativeKind.INVESTMENT,
        18_000_000,
        {FundingSource.SECTORAL: 15_000_000, FundingSource.COMMUNITY: 3_000_000},
        ("D6",),
        ("Canela", "Punitaqui"),
        Status.IN_DELIBERATION,
    ),
    (
        "Galpón de parición en Quebrada Alta",
        "Un galpón techado donde las cabras paran en invierno, con corrales para las crías, "
        "compartido por las familias del sector.",
        InitiativeKind.INVESTMENT,
        45_000_000,
        {FundingSource.FNDR: 45_000_000},
        ("D4",),
        ("Monte Patria",),
        Status.IN_DELIBERATION,
    ),
    (
        "Calendario de visitas técnicas de INDAP a los corrales",
        "Que INDAP acuerde con la mesa un calendario de visitas técnicas por sector, "
        "publicado con anticipación.",
        InitiativeKind.MANAGEMENT,
        None,
        {},
        ("D6",),
        ("Canela", "Combarbalá", "Monte Patria", "Punitaqui"),
        Status.PROPOSED,
    ),
)
OLD = (
    "Camión aljibe comunitario para el secano",
    "Compra de un camión aljibe para repartir agua a los crianceros en verano.",
)


def load_demo_initiatives() -> int:
    mesa = db.session.scalar(sa.select(Mesa).where(Mesa.slug == GOAT_MESA))
    member = db.session.scalar(sa.select(User).where(User.email == "integrante@demo.example"))
    secretary = db.session.scalar(sa.select(User).where(User.email == "secretaria@demo.example"))
    if mesa is None or member is None or secretary is None:
        return 0
    if db.session.scalar(sa.select(Initiative.id).where(Initiative.mesa_id == mesa.id).limit(1)):
        return 0
    gaps = {g.code: g for g in db.session.scalars(sa.select(GapDimension))}
    objective = db.session.scalar(
        sa.select(StrategicObjective)
        .where(StrategicObjective.territory_id == mesa.territory_id)
        .order_by(StrategicObjective.position)
        .limit(1)
    )
    comunas = {c.name: c for c in db.session.scalars(sa.select(Comuna))}
    cooperative = db.session.scalar(
        sa.select(Organization).where(Organization.name == "Cooperativa Caprina Quebrada Alta")
    )
    indap = db.session.scalar(sa.select(Organization).where(Organization.short_name == "INDAP"))
    created = 0
    for title, summary, kind, cost, funding, gap_codes, places, reach in DEMO:
        details = services.Details(
            title=title,
            summary=summary,
            description="",
            kind=kind,
            ownership=Ownership.PUBLIC if kind != InitiativeKind.ACTION else Ownership.PRIVATE,
            stage=Stage.PROFILE if cost else Stage.IDEA,
            gaps=[gaps[c] for c in gap_codes if c in gaps],
            objective=objective,
            comunas=[comunas[name] for name in places if name in comunas],
            beneficiaries=40 if cost else None,
            beneficiary_unit=BeneficiaryUnit.FAMILIES if cost else None,
            estimated_cost=cost,
            funding=funding,
            ministry="INDAP" if FundingSource.SECTORAL in funding else "",
            responsible=indap,
            proposing_organization=cooperative,
            evaluation_method=EvaluationMethod.COST_EFFICIENCY if cost else None,
        )
        initiative = services.propose(mesa, details, member, as_draft=False)
        while initiative.status != reach:
            following = services.next_status(initiative)
            assert following is not None
            services.change_status(initiative, following, "", secretary)
        created += 1
    old = services.propose(
        mesa,
        services.Details(
            title=OLD[0],
            summary=OLD[1],
            description="",
            kind=InitiativeKind.INVESTMENT,
            ownership=Ownership.PUBLIC,
            stage=Stage.IDEA,
            estimated_cost=65_000_000,
        ),
        member,
        as_draft=False,
    )
    services.change_status(
        old,
        Status.DISCARDED,
        "La municipalidad ya reparte agua con su propio camión; se prioriza el acumulador.",
        secretary,
    )
    return created + 1
