"""The demo's portfolio: the mesa territorial of Limarí-Choapa weighs what its mesas
temáticas prioritized, counted by show of hands in its session (a hall without signal), makes
the annual portfolio of what fits its budget by score, agrees it, the mesa técnica regional
reviews it and the regional council approves the FNDR money of each line."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app

from portal.accounts.models import User
from portal.core import clock
from portal.extensions import db
from portal.initiatives.models import FundingSource
from portal.meetings import services as meeting_services
from portal.meetings.models import MeetingKind, Modality
from portal.mesas.models import Mesa
from portal.portfolios import money
from portal.portfolios import services as portfolio_services
from portal.portfolios.models import Decision, Phase, Portfolio, StepKind
from portal.rounds import services as round_services
from portal.rounds.models import Method

TERRITORIAL_MESA = "mesa-territorial-limari-choapa"
# Hands raised for each initiative in the room, by the first word of its title.
HANDS = {"Abastos": 14, "Sala": 11, "Botiquín": 12, "Galpón": 6, "Calendario": 9}


def load_demo_portfolio() -> int:
    """Returns how many portfolios it made (0 if the demo already has one)."""
    mesa = db.session.scalar(sa.select(Mesa).where(Mesa.slug == TERRITORIAL_MESA))
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@demo.example"))
    if mesa is None or admin is None:
        return 0
    if db.session.scalar(sa.select(Portfolio.id).where(Portfolio.mesa_id == mesa.id).limit(1)):
        return 0
    candidates = round_services.eligible(mesa)
    if len(candidates) < 2:
        return 0
    today = clock.today()
    held_on = today - dt.timedelta(days=5)
    session = meeting_services.schedule(
        mesa,
        meeting_services.Details(
            day=held_on,
            starts=dt.time(15, 0),
            ends=dt.time(17, 30),
            place="Gobernación Provincial de Limarí, Ovalle",
            online_url="",
            modality=Modality.IN_PERSON,
            kind=MeetingKind.ORDINARY,
        ),
        True,
        admin,
    )
    with current_app.test_request_context():
        found = round_services.open_round(
            mesa,
            round_services.Setup(
                title="Cartera anual 2027 de Limarí-Choapa",
                method=Method.APPROVAL,
                initiatives=candidates,
                max_choices=3,
                by_tally=True,
                budget=250_000_000,
            ),
            admin,
        )
        db.session.flush()
        round_services.enter_tallies(
            found, {item.id: HANDS.get(item.initiative.title.split()[0], 5) for item in found.items}
        )
        agreement = round_services.close(found, session, admin)
        portfolio = portfolio_services.from_round(
            found, "greedy", "Cartera anual 2027 de Limarí-Choapa", Phase.ANNUAL, admin
        )
    version = portfolio_services.latest(portfolio)
    portfolio_services.record_step(version, StepKind.AGREED, held_on, admin, agreement=agreement)
    portfolio_services.record_step(
        version,
        StepKind.REVIEWED,
        today - dt.timedelta(days=2),
        admin,
        observations="Sin observaciones de fondo. Se pide acompañar el costo del galpón con "
        "dos cotizaciones al postular.",
    )
    # The regional council approves the FNDR money of each line, for next year's budget.
    for line in version.lines:
        for funding in line.funding:
            if funding.source == FundingSource.FNDR:
                money.approve(
                    funding,
                    money.Approval(
                        decision=Decision.APPROVED,
                        amount=None,
                        in_kind=False,
                        reason="",
                        document="Acuerdo CORE N° 45",
                        budget_year=today.year + 1,
                        on=today,
                    ),
                    admin,
                )
    return 1
