"""The demo's closed round at the goat mesa."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from portal.accounts.models import User
from portal.extensions import db
from portal.meetings.models import Meeting, MeetingStatus
from portal.mesas.demo import GOAT_MESA
from portal.mesas.models import Mesa
from portal.rounds import services as round_services
from portal.rounds.models import Method, Round

# What each demo voter approves, by the first word of the initiative's title.
PICKS = {
    "integrante@demo.example": ("Sala", "Botiquín", "Calendario"),
    "indap@demo.example": ("Botiquín", "Galpón", "Calendario"),
    "presidencia@demo.example": ("Sala", "Botiquín", "Galpón"),
}


def load_demo_round() -> int:
    """A closed approval round with a budget at the goat mesa, on its proposals, voted by the
    demo accounts and closed in the session held last week."""
    mesa = db.session.scalar(sa.select(Mesa).where(Mesa.slug == GOAT_MESA))
    if mesa is None or db.session.scalar(sa.select(Round.id).where(Round.mesa_id == mesa.id)):
        return 0
    voters = list(db.session.scalars(sa.select(User).where(User.email.in_(PICKS))))
    secretary = db.session.scalar(sa.select(User).where(User.email == "secretaria@demo.example"))
    meeting = db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.mesa_id == mesa.id, Meeting.status == MeetingStatus.HELD)
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )
    candidates = round_services.eligible(mesa)
    if len(candidates) < 2 or not voters or secretary is None or meeting is None:
        return 0
    # Approval with a budget: the result shows the ranking, what fits in $ 120 millones by the
    # Method of Equal Shares with its explanation, and the initiative without a cost left out
    # of the budget with its reason; the first two go on to the mesa territorial.
    with current_app.test_request_context():
        found = round_services.open_round(
            mesa,
            round_services.Setup(
                title="Prioridades de la mesa caprina 2027",
                method=Method.APPROVAL,
                initiatives=candidates,
                max_choices=3,
                secret=True,
                budget=120_000_000,
            ),
            secretary,
        )
        db.session.flush()
        by_title = {item.initiative.title.split()[0]: item.id for item in found.items}
        for voter in voters:
            values = {(by_title[word], None): 1 for word in PICKS[voter.email] if word in by_title}
            round_services.cast(found, voter, values)
        round_services.close(found, meeting, secretary, prioritize=2)
    return 1
