"""The one permission policy: ``can(user, action, obj)``. Routes, templates and tests ask it;
nothing else decides who may do what.

- the platform admin may do everything;
- a regional coordinator runs the territories and mesas of their region (the console's parts
  for them, and what the chair and secretary do at those mesas);
- a mesa's chair and secretary manage the mesa and its members;
- its members (service representatives included) take part; observers read;
- the anonymous citizen reads what is public.

A person's current roles at every mesa are read once per request (one query), so asking
``can`` many times on a page costs nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import abort, g, redirect, request, url_for
from flask_login import current_user

from portal.accounts import coordination
from portal.extensions import db
from portal.meetings.models import MeetingStatus, MinutesStatus
from portal.mesas.models import (
    MANAGING_ROLES,
    TAKING_PART_ROLES,
    Membership,
    Mesa,
    Person,
    Role,
)


def _seats(user) -> tuple[dict[int, frozenset[Role]], dict[int, frozenset[int]]]:  # type: ignore[no-untyped-def]
    """The person's current roles at every mesa, and the organizations they sit for there: one
    query, cached for the request."""
    if user is None or not user.is_authenticated:
        return {}, {}
    cache = g.setdefault("_mesa_seats", {})
    if user.id not in cache:
        rows = db.session.execute(
            sa.select(Membership.mesa_id, Membership.role, Membership.organization_id)
            .join(Person, Person.id == Membership.person_id)
            .where(Person.user_id == user.id, Membership.ended_on.is_(None))
        ).all()
        roles: dict[int, set[Role]] = {}
        organizations: dict[int, set[int]] = {}
        for mesa_id, role, organization_id in rows:
            roles.setdefault(mesa_id, set()).add(role)
            if organization_id is not None:
                organizations.setdefault(mesa_id, set()).add(organization_id)
        cache[user.id] = (
            {k: frozenset(v) for k, v in roles.items()},
            {k: frozenset(v) for k, v in organizations.items()},
        )
    return cache[user.id]


def current_roles(user) -> dict[int, frozenset[Role]]:  # type: ignore[no-untyped-def]
    """{mesa id: the person's current roles there}."""
    return _seats(user)[0]


def represented(user) -> dict[int, frozenset[int]]:  # type: ignore[no-untyped-def]
    """{mesa id: the organizations the person currently sits for there}."""
    return _seats(user)[1]


def _signed_in(user) -> bool:  # type: ignore[no-untyped-def]
    return user is not None and user.is_authenticated


def _admin(user) -> bool:  # type: ignore[no-untyped-def]
    return _signed_in(user) and user.is_admin


def _roles_at(user, mesa: Mesa) -> frozenset[Role]:  # type: ignore[no-untyped-def]
    return current_roles(user).get(mesa.id, frozenset())


def _coordinates_mesa(user, mesa: Mesa) -> bool:  # type: ignore[no-untyped-def]
    """A coordinator of the mesa's region (the territory's, for a temática or territorial)."""
    regions = coordination.regions_of(user)
    if not regions:
        return False
    region = mesa.region_id if mesa.region_id is not None else mesa.territory.region_id
    return region in regions


def _manages(user, mesa: Mesa) -> bool:  # type: ignore[no-untyped-def]
    return (
        _admin(user)
        or bool(_roles_at(user, mesa) & MANAGING_ROLES)
        or _coordinates_mesa(user, mesa)
    )


def _names_chair(user, mesa: Mesa) -> bool:  # type: ignore[no-untyped-def]
    return _admin(user) or Role.CHAIR in _roles_at(user, mesa) or _coordinates_mesa(user, mesa)


def _is_own(user, membership) -> bool:  # type: ignore[no-untyped-def]
    return _signed_in(user) and membership.person.user_id == user.id


def _changes_seat(user, membership) -> bool:  # type: ignore[no-untyped-def]
    """Those who manage the mesa change and end others' memberships; a chair's only the chair
    (or the admin); nobody their own (a member leaves with mesa.leave)."""
    return (
        _manages(user, membership.mesa)
        and not _is_own(user, membership)
        and (membership.role != Role.CHAIR or _names_chair(user, membership.mesa))
    )


def _proposes(user, initiative) -> bool:  # type: ignore[no-untyped-def]
    return _signed_in(user) and initiative.proposer_id == user.id


def _open_to_deliberation(initiative) -> bool:  # type: ignore[no-untyped-def]
    return initiative.is_public and not initiative.has_ended


def _on_regional_mesa(user, region_id: int) -> bool:  # type: ignore[no-untyped-def]
    """Chairs or is secretary of the mesa técnica regional of the region."""
    managed = [m for m, roles in current_roles(user).items() if roles & MANAGING_ROLES]
    if not managed:
        return False
    return bool(
        db.session.scalar(
            sa.select(Mesa.id)
            .where(Mesa.id.in_(managed), Mesa.kind == "regional", Mesa.region_id == region_id)
            .limit(1)
        )
    )


def _represents(user, commitment) -> bool:  # type: ignore[no-untyped-def]
    """Sits at the commitment's mesa for the institution that made it."""
    return commitment.organization_id in represented(user).get(commitment.mesa_id, ())


def _regional_team(user, territory) -> bool:  # type: ignore[no-untyped-def]
    """The admin, the coordinators of the territory's region and the mesa técnica regional."""
    return (
        _admin(user)
        or territory.region_id in coordination.regions_of(user)
        or _on_regional_mesa(user, territory.region_id)
    )


def _reports_execution(user, funding) -> bool:  # type: ignore[no-untyped-def]
    responsible = funding.line.initiative.responsible_id
    sits_for = set().union(*represented(user).values())
    return _manages(user, funding.line.version.portfolio.mesa) or (
        responsible is not None and responsible in sits_for
    )


def _sees_commitment(user, commitment) -> bool:  # type: ignore[no-untyped-def]
    return commitment.is_public or _admin(user) or bool(_roles_at(user, commitment.mesa))


def _manages_any_mesa(user) -> bool:  # type: ignore[no-untyped-def]
    return (
        _admin(user)
        or any(r & MANAGING_ROLES for r in current_roles(user).values())
        or bool(coordination.regions_of(user))
    )


RULES: dict[str, Callable[..., bool]] = {
    # Public pages: the mesa, its members by organization, its history.
    "mesa.view": lambda user, mesa: True,
    # The member directory and whatever the mesa keeps for its own people.
    "mesa.read_internal": lambda user, mesa: (
        _admin(user) or bool(_roles_at(user, mesa)) or _coordinates_mesa(user, mesa)
    ),
    # Propose, comment, vote: members, service representatives, secretary and chair.
    "mesa.take_part": lambda user, mesa: bool(_roles_at(user, mesa) & TAKING_PART_ROLES),
    # Change its status and details, approve requests, invite, add and end memberships.
    "mesa.manage": _manages,
    "mesa.request_join": lambda user, mesa: _signed_in(user) and not _roles_at(user, mesa),
    # Answer a request to join, while it waits for an answer.
    "mesa.decide_request": lambda user, join_request: _manages(user, join_request.mesa),
    "mesa.leave": lambda user, mesa: bool(_roles_at(user, mesa)),
    # Nobody changes their own role; only the chair (or the admin) names or removes a chair.
    "mesa.name_chair": _names_chair,
    "membership.change": _changes_seat,
    "membership.end": _changes_seat,
    # A session's acta, agreements and files: public once the acta is published; before that,
    # the mesa's own people read the draft.
    "meeting.read_record": lambda user, meeting: (
        meeting.record_is_public
        or _admin(user)
        or bool(_roles_at(user, meeting.mesa))
        or _coordinates_mesa(user, meeting.mesa)
    ),
    # Schedule it, keep its agenda and attendance, write its acta and agreements, add files.
    "meeting.manage": lambda user, meeting: _manages(user, meeting.mesa),
    # Those who manage a session keep its agenda, attendance and acta (unless it was
    # cancelled), take items off the agenda and cancel it (while it is only scheduled), start
    # it, mark it held, record in it and send its acta (when its state allows: STATES).
    "meeting.prepare": lambda user, meeting: _manages(user, meeting.mesa),
    "meeting.send_agenda": lambda user, meeting: _manages(user, meeting.mesa),
    "meeting.print_notices": lambda user, meeting: _manages(user, meeting.mesa),
    "meeting.remove_item": lambda user, meeting: _manages(user, meeting.mesa),
    "meeting.cancel": lambda user, meeting: _manages(user, meeting.mesa),
    "meeting.start": lambda user, meeting: _manages(user, meeting.mesa),
    "meeting.mark_held": lambda user, meeting: _manages(user, meeting.mesa),
    "meeting.record": lambda user, meeting: _manages(user, meeting.mesa),
    "minutes.circulate": lambda user, meeting: _manages(user, meeting.mesa),
    "minutes.record_approval": lambda user, meeting: _manages(user, meeting.mesa),
    "minutes.publish": lambda user, meeting: _manages(user, meeting.mesa),
    # Approving an acta outside a session is for the chair.
    "minutes.approve_as_chair": lambda user, meeting: (
        _admin(user) or Role.CHAIR in _roles_at(user, meeting.mesa)
    ),
    # Initiatives: members propose at their mesa; drafts are the proposer's until proposed.
    "initiative.propose": lambda user, mesa: (
        mesa.territory_id is not None and bool(_roles_at(user, mesa) & TAKING_PART_ROLES)
    ),
    "initiative.view": lambda user, initiative: (
        initiative.is_public or _proposes(user, initiative) or _manages(user, initiative.mesa)
    ),
    "initiative.edit": lambda user, initiative: (
        not initiative.has_ended
        and (_proposes(user, initiative) or _manages(user, initiative.mesa))
    ),
    # Move it along its path (proposed, in deliberation, prioritized…) or discard it.
    "initiative.advance": lambda user, initiative: _manages(user, initiative.mesa),
    "initiative.withdraw": lambda user, initiative: (
        not initiative.has_ended
        and (_proposes(user, initiative) or _manages(user, initiative.mesa))
    ),
    # Deliberation: while it is proposed and until it ends, the mesa's members speak and
    # support; the proposer answers; the chair and secretary hide what is abusive.
    "initiative.deliberate": lambda user, initiative: (
        _open_to_deliberation(initiative)
        and bool(_roles_at(user, initiative.mesa) & TAKING_PART_ROLES)
    ),
    "initiative.answer": lambda user, initiative: (
        _open_to_deliberation(initiative) and _proposes(user, initiative)
    ),
    "initiative.moderate": lambda user, initiative: _manages(user, initiative.mesa),
    # Rounds: while open, the mesa's chair and secretary close or cancel them, and enter the
    # room's counts of a round voted by show of hands.
    # A round is closed, cancelled and counted by the mesa's chair and secretary.
    "round.close": lambda user, found: _manages(user, found.mesa),
    "round.cancel": lambda user, found: _manages(user, found.mesa),
    "round.tally": lambda user, found: _manages(user, found.mesa),
    # Portfolios: the mesa territorial makes and agrees them and records the approvals; the
    # mesa técnica regional of the region reviews them.
    "portfolio.manage": lambda user, portfolio: _manages(user, portfolio.mesa),
    # Each source's decision on a line's money is recorded, with its document, by those who
    # carry the portfolio: the mesa territorial's managers and the mesa técnica regional.
    "portfolio.approve_funding": lambda user, portfolio: (
        _manages(user, portfolio.mesa) or _on_regional_mesa(user, portfolio.territory.region_id)
    ),
    # What was executed of a line's money: the institution responsible for the initiative (who
    # sits for it at any mesa), or the mesa territorial's managers.
    "funding.report_execution": _reports_execution,
    "portfolio.review": lambda user, portfolio: (
        _admin(user) or _on_regional_mesa(user, portfolio.territory.region_id)
    ),
    # Commitments: the chair and secretary record them in a session; the institution's
    # representative at the mesa (or the chair or secretary) reports progress and new dates;
    # only the mesa's chair or secretary validates the outcome (the mesa's word, not the
    # platform admin's); anyone who can read one may leave an observation.
    "commitment.record": lambda user, meeting: _manages(user, meeting.mesa),
    # An agreement in force is withdrawn, or followed by a commitment, by those who manage
    # its mesa.
    "agreement.withdraw": lambda user, agreement: _manages(user, agreement.mesa),
    "agreement.follow_up": lambda user, agreement: _manages(user, agreement.mesa),
    "commitment.view": _sees_commitment,
    "commitment.report": lambda user, commitment: (
        _manages(user, commitment.mesa) or _represents(user, commitment)
    ),
    "commitment.validate": lambda user, commitment: bool(
        _roles_at(user, commitment.mesa) & MANAGING_ROLES
    ),
    "commitment.cancel": lambda user, commitment: _manages(user, commitment.mesa),
    "commitment.observe": _sees_commitment,
    "commitment.moderate": lambda user, commitment: _manages(user, commitment.mesa),
    # The institution answers observations on its own commitments, through whoever sits for it.
    "commitment.answer": _represents,
    # The administration console: the admin everywhere; a regional coordinator the
    # territories and mesas of the regions they coordinate; people only the admin.
    "admin.console": lambda user, _obj: _admin(user) or bool(coordination.regions_of(user)),
    "admin.people": lambda user, _obj: _admin(user),
    # Merging two organizations changes every mesa's records: the platform admin.
    "admin.organizations": lambda user, _obj: _admin(user),
    # What the console did (reasons about people included) is read by the admins; the public
    # change log holds each action's fingerprint.
    "admin.log": lambda user, _obj: _admin(user),
    "admin.mail": lambda user, _obj: _admin(user),
    # The systems that receive events, and their secrets: the platform admin.
    "admin.webhooks": lambda user, _obj: _admin(user),
    "admin.api_keys": lambda user, _obj: _admin(user),
    "admin.region": lambda user, region_id: (
        _admin(user) or region_id in coordination.regions_of(user)
    ),
    "admin.territory": lambda user, territory: (
        _admin(user) or territory.region_id in coordination.regions_of(user)
    ),
    # The territory's plan: its matrix, measurements, versions and their sanction are kept by
    # the regional team (the region's coordinators and the mesa técnica regional).
    "plan.manage": lambda user, territory: _regional_team(user, territory),
    # Convenios are signed by the regional government with the other parties: the regional
    # team records them.
    "convenio.record": lambda user, territory: _regional_team(user, territory),
    # Reference data: the gap dimensions and the territories' strategic objectives.
    "reference.manage": lambda user, _obj: _admin(user),
    # The registry of organizations: the people who run mesas keep it.
    "organization.manage": lambda user, _obj: _manages_any_mesa(user),
    # The RUT of an organization is never public.
    "organization.view_private": lambda user, _obj: _manages_any_mesa(user),
}


# What must hold of the thing itself, whoever asks, for the action to be offered: a round
# still open, a commitment not yet concluded, a session that has started. Each reads the
# model's own property, where the state rule lives; the service refuses the same way, with a
# sentence, when the state changed while a form was being filled in.
STATES: dict[str, Callable[[Any], bool]] = {
    "mesa.request_join": lambda mesa: not mesa.is_closed,
    "mesa.decide_request": lambda join_request: join_request.is_pending,
    "meeting.prepare": lambda meeting: not meeting.is_cancelled,
    "meeting.send_agenda": lambda meeting: meeting.is_scheduled and not meeting.has_started,
    "meeting.remove_item": lambda meeting: meeting.is_scheduled,
    "meeting.cancel": lambda meeting: meeting.is_scheduled,
    "meeting.start": lambda meeting: meeting.may_start_now,
    "meeting.mark_held": lambda meeting: meeting.may_be_marked_held,
    "meeting.record": lambda meeting: meeting.takes_records,
    "commitment.record": lambda meeting: meeting.takes_records,
    "minutes.circulate": lambda meeting: (
        meeting.status == MeetingStatus.HELD
        and meeting.minutes is not None
        and meeting.minutes.is_draft
    ),
    "minutes.record_approval": lambda meeting: (
        meeting.minutes is not None and meeting.minutes.status == MinutesStatus.CIRCULATED
    ),
    "minutes.publish": lambda meeting: (
        meeting.minutes is not None and meeting.minutes.status == MinutesStatus.APPROVED
    ),
    "agreement.withdraw": lambda agreement: agreement.in_force,
    "agreement.follow_up": lambda agreement: agreement.in_force and agreement.meeting.takes_records,
    "round.close": lambda found: found.is_open,
    "round.cancel": lambda found: found.is_open,
    "round.tally": lambda found: found.is_open and found.by_tally,
    "commitment.report": lambda commitment: commitment.is_open,
    "funding.report_execution": lambda funding: bool(funding.approved),
    "commitment.validate": lambda commitment: commitment.is_open,
    "commitment.cancel": lambda commitment: commitment.is_open,
}


def _rule(action: str) -> Callable[..., bool]:
    try:
        return RULES[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}") from None


def can(user, action: str, obj: object = None) -> bool:  # type: ignore[no-untyped-def]
    """Whether ``user`` may do ``action`` on ``obj`` now: their role, and the state of the
    thing (pages offer only what can be done)."""
    if not _rule(action)(user, obj):
        return False
    state = STATES.get(action)
    return state is None or bool(state(obj))


def require(action: str, obj: object = None) -> None:
    """Stops the request unless the current user's role allows the action: to the login page
    if nobody is logged in, 403 otherwise. The state of the thing is left to the service, which
    refuses with a sentence on the form, keeping what was typed."""
    if _rule(action)(current_user, obj):
        return
    if not current_user.is_authenticated:
        abort(redirect(url_for("accounts.login", next=request.full_path.rstrip("?"))))
    abort(403)
