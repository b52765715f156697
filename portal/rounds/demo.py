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


def load_demo_round() -> int:
    """A closed dot-voting round at the goat mesa, on its two proposals under deliberation,
    voted by the demo accounts and closed in the session held last week."""
    mesa = db.session.scalar(sa.select(Mesa).where(Mesa.slug == GOAT_MESA))
    if mesa is None or db.session.scalar(sa.select(Round.id).where(Round.mesa_id == mesa.id)):
        return 0
    emails = ("integrante@demo.example", "indap@demo.example", "presidencia@demo.example")
    voters = list(db.session.scalars(sa.select(User).where(User.email.in_(emails))))
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
    with current_app.test_request_context():
        found = round_services.open_round(
            mesa,
            round_services.Setup(
                title="Prioridades de la mesa caprina 2027",
                method=Method.DOTS,
                initiatives=candidates,
                points=10,
                secret=True,
            ),
            secretary,
        )
        db.session.flush()
        items = [item.id for item in found.items]
        for n, voter in enumerate(voters):
            first = items[n % len(items)]
            second = items[(n + 1) % len(items)]
            round_services.cast(found, voter, {(first, None): 7, (second, None): 3})
        round_services.close(found, meeting, secretary)
    return 1
