"""Demo data for every domain, loaded by ``portal demo``. Idempotent."""

from __future__ import annotations

from portal.accounts.demo import load_demo_accounts
from portal.commitments.demo import load_demo_commitments
from portal.convenios.demo import load_demo_convenio
from portal.extensions import db
from portal.initiatives.demo import load_demo_initiatives
from portal.meetings.demo import approve_demo_acta, load_demo_sessions
from portal.mesas.demo import load_demo_members, load_demo_mesas
from portal.notifications.notices import quiet
from portal.places.demo import load_pilot_territories
from portal.places.reference import sync_places
from portal.plans.demo import load_demo_plan_versions, load_demo_plans
from portal.portfolios.demo import load_demo_portfolio
from portal.reference.services import load_default_gaps, load_demo_objectives
from portal.rounds.demo import load_demo_round


def load_demo_data() -> dict[str, int]:
    """Creates what is missing, in one transaction. Returns what was created, by kind. The
    demo's history is nobody's news: nothing is notified or mailed while it is written."""
    with quiet():
        created = _load()
    db.session.commit()
    return created


def _load() -> dict[str, int]:
    return {
        "places": sync_places(db.session.connection()),
        "territories": load_pilot_territories(),
        "mesas and organizations": load_demo_mesas(),
        "accounts": load_demo_accounts(),
        "memberships": load_demo_members(),
        "sessions": load_demo_sessions(),
        "gap dimensions": load_default_gaps(),
        "strategic objectives": load_demo_objectives(),
        "plan indicators": load_demo_plans(),
        "initiatives": load_demo_initiatives(),
        "prioritization rounds": load_demo_round(),
        "portfolios": load_demo_portfolio(),
        "plan versions agreed": load_demo_plan_versions(),
        "convenios": load_demo_convenio(),
        "commitments": load_demo_commitments(),
        "actas approved": approve_demo_acta(),
    }
