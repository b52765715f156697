"""The kinds of notice, and how each person wants each kind mailed: at once, in a daily or
weekly digest, or never (the notice still shows in the portal). Every mail carries a link that
stops its kind without signing in."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from portal.accounts.models import User
from portal.core import clock
from portal.core.links import external_url
from portal.extensions import db
from portal.notifications.models import Cadence, Preference

# Every kind of notice, in the groups the preferences page shows. Kinds not listed (account
# security, invitations) are always mailed: they are the answer to something the person did.
GROUPS: dict[str, dict[str, object]] = {
    "membership": {
        "label": _l("Membership of my mesas"),
        "kinds": {
            "join_requested": _l("Someone asks to join a mesa I manage"),
            "join_approved": _l("My request to join was approved"),
            "join_declined": _l("My request to join was declined"),
            "invitation_accepted": _l("Someone accepted my invitation"),
        },
    },
    "sessions": {
        "label": _l("Sessions, actas and agreements"),
        "kinds": {
            "meeting_scheduled": _l("A session was scheduled"),
            "meeting_moved": _l("A session was moved"),
            "meeting_cancelled": _l("A session was cancelled"),
            "agenda_published": _l("A session's agenda was published"),
            "meeting_soon": _l("Reminder: a session in two days"),
            "minutes_circulated": _l("An acta was sent for review"),
            "minutes_approved": _l("An acta was approved"),
            "minutes_published": _l("An acta was published"),
            "minutes_unapproved": _l("Reminder: an acta still unapproved"),
            "agreement_recorded": _l("An agreement was recorded"),
            "agreement_review": _l("An agreement's review date came"),
        },
    },
    "initiatives": {
        "label": _l("Initiatives, rounds and portfolios"),
        "kinds": {
            "initiative_comment": _l("A comment on an initiative I proposed"),
            "initiative_status": _l("An initiative I proposed changed status"),
            "round_opened": _l("A prioritization round opened"),
            "round_closing": _l("Reminder: a round closes in two days and I have not voted"),
            "round_closed": _l("A round closed, with its result"),
            "portfolio_agreed": _l("A portfolio version was agreed"),
            "portfolio_step": _l("A step of a portfolio was approved"),
            "funding_decided": _l("A source decided on a line's money"),
            "plan_agreed": _l("A version of the territory's plan was agreed"),
            "plan_sanctioned": _l("A version of the territory's plan came into force"),
        },
    },
    "commitments": {
        "label": _l("Commitments"),
        "kinds": {
            "commitment_assigned": _l("A commitment was given to my institution"),
            "commitment_reported": _l("Progress was reported and waits for validation"),
            "commitment_validated": _l("A report was validated"),
            "commitment_rescheduled": _l("A commitment got a new date"),
            "commitment_due": _l("Reminder: a commitment falls due"),
            "commitment_overdue": _l("Reminder: overdue commitments (weekly)"),
            "observation_waiting": _l("A citizen's observation waits for review"),
            "observation_answered": _l("The secretary reviewed my observation"),
            "observation_replied": _l("The institution answered my observation"),
        },
    },
    "following": {
        "label": _l("What I follow"),
        "kinds": {
            "followed": _l("News of a territory, mesa, initiative or commitment I follow"),
        },
    },
}

KINDS: dict[str, object] = {
    kind: label
    for group in GROUPS.values()
    for kind, label in group["kinds"].items()  # type: ignore[attr-defined]
}

CADENCE_LABELS = {
    Cadence.NOW: _l("At once"),
    Cadence.DAILY: _l("Daily digest"),
    Cadence.WEEKLY: _l("Weekly digest"),
    Cadence.NEVER: _l("Never by mail"),
}


def kind_label(kind: str) -> str:
    return str(KINDS.get(kind, kind))


def chosen(user: User) -> dict[str, Cadence]:
    """The person's choices, one query; kinds without a row are mailed at once."""
    rows = db.session.execute(
        sa.select(Preference.kind, Preference.cadence).where(Preference.user_id == user.id)
    )
    return {kind: cadence for kind, cadence in rows}


def cadence(user: User, kind: str) -> Cadence:
    if kind not in KINDS:
        return Cadence.NOW
    found = db.session.scalar(
        sa.select(Preference.cadence).where(Preference.user_id == user.id, Preference.kind == kind)
    )
    return found or Cadence.NOW


def choose(user: User, kind: str, value: Cadence) -> bool:
    """Records the person's choice for one kind; True if it changed."""
    row = db.session.scalar(
        sa.select(Preference).where(Preference.user_id == user.id, Preference.kind == kind)
    )
    if row is None:
        if value == Cadence.NOW:
            return False
        db.session.add(Preference(user_id=user.id, kind=kind, cadence=value))
        return True
    if row.cadence == value:
        return False
    row.cadence = value
    row.changed_at = clock.now()
    return True


# Stopping one kind from the mail itself --------------------------------------------------------


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="portal.unsubscribe")


def unsubscribe_token(user: User, kind: str) -> str:
    return _signer().dumps({"u": user.id, "k": kind})


def unsubscribe_url(user: User, kind: str) -> str | None:
    """The address that stops this kind for this person (None for kinds that cannot stop)."""
    if kind not in KINDS:
        return None
    return external_url("notifications.unsubscribe", token=unsubscribe_token(user, kind))


def read_unsubscribe(token: str) -> tuple[User, str] | None:
    """(person, kind) the token names, or None when it is not one of ours."""
    try:
        data = _signer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in KINDS:
        return None
    user_id = data.get("u")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        return None
    return user, data["k"]
