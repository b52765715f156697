"""The mesas and their record: mesas and organizations (Popolo organizations), seats by
organization (Popolo memberships, a person's name only for the roles the public pages name),
sessions (Open Civic Data events) and the agreements of published actas (Popolo motions with
their vote events). Each list is paged by cursor and loads a page in a fixed number of
queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from portal.api import bp
from portal.api import paging as args
from portal.api.responses import iso
from portal.core import clock
from portal.extensions import db
from portal.meetings.models import (
    AgendaItem,
    Agreement,
    DecisionMode,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
)
from portal.mesas.models import (
    ActorType,
    Membership,
    Mesa,
    MesaKind,
    MesaStatus,
    Organization,
    OrganizationKind,
)


def organization_ref(org: Organization | None) -> dict[str, Any] | None:
    if org is None:
        return None
    return {"id": org.id, "name": org.name, "actor_type": org.actor_type.value}


def _mesa(mesa: Mesa) -> dict[str, Any]:
    return {
        "id": mesa.slug,
        "name": mesa.name,
        "classification": mesa.kind.value,
        "theme": mesa.theme or None,
        "area_id": mesa.territory.slug if mesa.territory is not None else None,
        "region": mesa.region.code if mesa.region is not None else None,
        "status": mesa.status.value,
        "status_since": iso(mesa.status_since),
        "founding_date": iso(mesa.founded_on),
        "pre_existing": mesa.pre_existing,
        "quorum_rule": mesa.quorum_rule.value,
        "url": url_for("mesas.mesa", slug=mesa.slug),
    }


@args.listing("Mesa")
def mesa_list() -> args.Listing:
    """Every mesa, with the filters of the public pages: territory, kind, status."""
    where = args.in_territory(Mesa.territory_id)
    kind = args.choice("kind", MesaKind)
    status = args.choice("status", MesaStatus)
    if kind is not None:
        where.append(Mesa.kind == kind)
    if status is not None:
        where.append(Mesa.status == status)
    query = sa.select(Mesa).where(*where)
    query = query.options(joinedload(Mesa.territory), joinedload(Mesa.region))
    return args.Listing(query, Mesa.id, lambda rows: map(_mesa, rows))


@bp.route("/mesas")
def mesas():
    return args.page(mesa_list())


def _organization(org: Organization) -> dict[str, Any]:
    return {
        "id": org.id,
        "name": org.name,
        "short_name": org.short_name or None,
        "classification": org.kind.value,
        "actor_type": org.actor_type.value,
        "comuna": org.comuna.code if org.comuna is not None else None,
        "website": org.website or None,
    }


@args.listing("Organization")
def organization_list() -> args.Listing:
    """The institutions and organizations that sit at mesas or commit (filters: kind, actor
    type)."""
    where = []
    kind = args.choice("kind", OrganizationKind)
    actor = args.choice("actor_type", ActorType)
    if kind is not None:
        where.append(Organization.kind == kind)
    if actor is not None:
        where.append(Organization.actor_type == actor)
    query = sa.select(Organization).where(*where).options(joinedload(Organization.comuna))
    return args.Listing(query, Organization.id, lambda rows: map(_organization, rows))


@bp.route("/organizations")
def organizations():
    return args.page(organization_list())


def _membership(seat: Membership) -> dict[str, Any]:
    return {
        "id": seat.id,
        "organization_id": seat.mesa.slug,
        "on_behalf_of": organization_ref(seat.organization),
        "actor_type": seat.actor_type.value,
        "role": seat.role.value,
        "is_delegate": seat.is_delegate,
        "start_date": iso(seat.started_on),
        "end_date": iso(seat.ended_on),
        # Popolo's person, only for the roles the public pages name (chair, secretary,
        # a public service's representative); everybody else is counted, never named.
        "person": {"name": seat.person.name} if seat.name_is_public else None,
    }


@args.listing("Membership")
def membership_list() -> args.Listing:
    """The seats at the mesas by organization (filters: mesa, organization, current)."""
    where = args.of_mesa(Membership.mesa_id)
    organization = args.number("organization")
    if organization is not None:
        where.append(Membership.organization_id == organization)
    current = args.flag("current")
    if current is not None:
        ongoing = Membership.ended_on.is_(None)
        where.append(ongoing if current else sa.not_(ongoing))
    query = sa.select(Membership).where(*where)
    query = query.options(
        joinedload(Membership.mesa),
        joinedload(Membership.organization),
        joinedload(Membership.person),
    )
    return args.Listing(query, Membership.id, lambda rows: map(_membership, rows))


@bp.route("/memberships")
def memberships():
    return args.page(membership_list())


# Open Civic Data's event status: a scheduled session that already ended has passed.
def _event_status(meeting: Meeting) -> str:
    if meeting.status == MeetingStatus.CANCELLED:
        return "cancelled"
    if meeting.status == MeetingStatus.HELD or meeting.ends_at <= clock.now():
        return "passed"
    return "confirmed"


def _session(meeting: Meeting, agenda: list[AgendaItem]) -> dict[str, Any]:
    minutes = meeting.minutes
    published = minutes is not None and minutes.status == MinutesStatus.PUBLISHED
    return {
        "id": meeting.id,
        "name": _("Session %(number)d, %(mesa)s", number=meeting.number, mesa=meeting.mesa.name),
        "mesa": meeting.mesa.slug,
        "number": meeting.number,
        "classification": meeting.kind.value,
        "start_time": iso(meeting.starts_at),
        "end_time": iso(meeting.ends_at),
        "timezone": clock.TIME_ZONE,
        "status": _event_status(meeting),
        "cancellation_reason": meeting.status_reason or None
        if meeting.status == MeetingStatus.CANCELLED
        else None,
        "modality": meeting.modality.value,
        "location": {"name": meeting.place} if meeting.place else None,
        "agenda": [
            {
                "order": item.position,
                "description": item.title,
                "initiative_id": item.initiative_id,
            }
            for item in agenda
        ],
        "record": None
        if not published
        else {
            "published_at": iso(minutes.published_at),
            "approved_on": iso(minutes.approved_on),
            "url": url_for("meetings.minutes", slug=meeting.mesa.slug, number=meeting.number),
        },
        "url": url_for("meetings.meeting", slug=meeting.mesa.slug, number=meeting.number),
    }


@args.listing("Session")
def session_list() -> args.Listing:
    """The mesas' sessions (filters: territory, mesa, since, until: the session's date)."""
    where = args.mesa_in_territory(Meeting.mesa_id)
    since, until = args.day("since"), args.day("until")
    if since is not None:
        where.append(Meeting.starts_at >= _midnight(since))
    if until is not None:
        where.append(Meeting.starts_at < _midnight(until, 1))
    query = sa.select(Meeting).where(*where)
    query = query.options(joinedload(Meeting.mesa), joinedload(Meeting.minutes))
    return args.Listing(query, Meeting.id, _sessions)


@bp.route("/sessions")
def sessions():
    return args.page(session_list())


def _sessions(meetings: list[Meeting]) -> Iterator[dict[str, Any]]:
    """The page's sessions with their agendas, read in one more query."""
    agendas: dict[int, list[AgendaItem]] = defaultdict(list)
    if meetings:
        items = db.session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.meeting_id.in_([m.id for m in meetings]))
            .order_by(AgendaItem.position, AgendaItem.id)
        )
        for item in items:
            agendas[item.meeting_id].append(item)
    return (_session(m, agendas[m.id]) for m in meetings)


def _midnight(day: dt.date, days: int = 0) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=days), dt.time(), clock.SANTIAGO)


def published_agreements() -> sa.ColumnElement[bool]:
    """Agreements are public once the acta of their session is."""
    return Agreement.meeting_id.in_(
        sa.select(Minutes.meeting_id).where(Minutes.status == MinutesStatus.PUBLISHED)
    )


def _agreement(agreement: Agreement) -> dict[str, Any]:
    meeting = agreement.meeting
    vote = None
    if agreement.decision_mode == DecisionMode.VOTE:
        vote = {
            "start_date": iso(meeting.day),
            "result": "pass",
            "counts": [
                {"option": "yes", "value": agreement.votes_for},
                {"option": "no", "value": agreement.votes_against},
                {"option": "abstain", "value": agreement.votes_abstaining},
            ],
        }
    return {
        "id": agreement.id,
        "identifier": agreement.label,
        "organization_id": agreement.mesa.slug,
        "session_id": meeting.id,
        "date": iso(meeting.day),
        "text": agreement.statement,
        "decision_mode": agreement.decision_mode.value,
        "dissent": agreement.dissent or None,
        "status": agreement.status.value,
        "status_reason": agreement.status_reason or None,
        "replaced_by": agreement.replaced_by_id,
        "review_on": iso(agreement.review_on),
        "initiative_ids": [i.id for i in agreement.initiatives],
        "vote_event": vote,
        "url": url_for(
            "meetings.agreement",
            slug=agreement.mesa.slug,
            year=agreement.year,
            number=agreement.number,
        ),
    }


@args.listing("Agreement")
def agreement_list() -> args.Listing:
    """The agreements of published actas (filters: territory, mesa, status)."""
    where = [published_agreements(), *args.mesa_in_territory(Agreement.mesa_id)]
    query = sa.select(Agreement).where(*where)
    query = query.options(
        joinedload(Agreement.mesa),
        joinedload(Agreement.meeting),
        selectinload(Agreement.initiatives),
    )
    return args.Listing(query, Agreement.id, lambda rows: map(_agreement, rows))


@bp.route("/agreements")
def agreements():
    return args.page(agreement_list())
