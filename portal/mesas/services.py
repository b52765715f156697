"""The rules of memberships: joining, inviting, adding, ending, and the status of a mesa.

No request object in here. Each function changes the session and leaves the commit to the
caller, so one action is one transaction. A rule that refuses raises ``Refused`` with the
message the person will read, before anything is changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.accounts.services import normalize_email
from portal.core import clock
from portal.core.formatting import date as format_day
from portal.core.links import external_url
from portal.core.refusals import INVALID, Refused
from portal.core.text import numbered, slugify
from portal.core.tokens import new_token, token_hash
from portal.extensions import db
from portal.mesas import labels
from portal.mesas.models import (
    MANAGING_ROLES,
    ActorType,
    FoundingInstrument,
    Invitation,
    JoinRequest,
    Membership,
    Mesa,
    MesaKind,
    MesaStatus,
    MesaStatusChange,
    Organization,
    Person,
    QuorumRule,
    RequestStatus,
    Role,
)
from portal.notifications import outbox
from portal.notifications.notices import notify
from portal.places.models import Region, Territory

INVITATION_DAYS = 14


# Creating a mesa ----------------------------------------------------------------------------


@dataclass
class NewMesa:
    kind: MesaKind
    name: str
    territory: Territory | None = None
    region: Region | None = None
    theme: str = ""
    chair_title: str = ""
    quorum_rule: QuorumRule = QuorumRule.MAJORITY
    pre_existing: bool = False
    founded_on: dt.date | None = None
    founding_instrument: FoundingInstrument | None = None
    prior_record: str = ""


def free_mesa_slug(name: str) -> str:
    base = slugify(name, max_length=90) or "mesa"
    like = sa.select(Mesa.slug).where(Mesa.slug.like(f"{base}%"))
    return numbered(base, set(db.session.scalars(like)))


def create_mesa(data: NewMesa) -> Mesa:
    """A mesa of one of the three kinds, forming from today. A mesa that existed before the
    program keeps its founding date and its earlier record (seeds/000:937)."""
    if data.kind == MesaKind.REGIONAL:
        if data.region is None:
            raise Refused(_l("Choose the region of the mesa técnica."), status=INVALID)
        territory, region = None, data.region
    else:
        if data.territory is None:
            raise Refused(_l("Choose the territory of the mesa."), status=INVALID)
        territory, region = data.territory, None
    if data.kind == MesaKind.TERRITORIAL and db.session.scalar(
        sa.select(Mesa.id).where(Mesa.kind == MesaKind.TERRITORIAL, Mesa.territory == territory)
    ):
        raise Refused(
            _l("%(territory)s already has its mesa territorial.", territory=territory.name),
            status=INVALID,
        )
    mesa = Mesa(
        slug=free_mesa_slug(data.name),
        name=data.name,
        kind=data.kind,
        theme=data.theme if data.kind == MesaKind.THEMATIC else "",
        territory=territory,
        region=region,
        status=MesaStatus.FORMING,
        status_since=clock.today(),
        pre_existing=data.pre_existing,
        founded_on=data.founded_on,
        founding_instrument=data.founding_instrument,
        chair_title=data.chair_title,
        quorum_rule=data.quorum_rule,
        prior_record=data.prior_record if data.pre_existing else "",
    )
    db.session.add(mesa)
    db.session.flush()
    return mesa


@dataclass
class Seat:
    """Where and how someone sits: the part of a membership a manager chooses."""

    role: Role
    organization: Organization | None
    actor_type: ActorType
    is_delegate: bool = False


def person_for(user: User) -> Person:
    """The person record of an account, created the first time it is needed."""
    person = db.session.scalar(sa.select(Person).where(Person.user_id == user.id))
    if person is None:
        person = Person(name=user.name, user=user)
        db.session.add(person)
        db.session.flush()
    return person


def current_membership(mesa: Mesa, person: Person | None) -> Membership | None:
    if person is None or person.id is None:
        return None
    return db.session.scalar(
        sa.select(Membership).where(
            Membership.mesa_id == mesa.id,
            Membership.person_id == person.id,
            Membership.ended_on.is_(None),
        )
    )


def membership_of_user(mesa: Mesa, user: User) -> Membership | None:
    return db.session.scalar(
        sa.select(Membership)
        .join(Person, Person.id == Membership.person_id)
        .where(
            Membership.mesa_id == mesa.id,
            Person.user_id == user.id,
            Membership.ended_on.is_(None),
        )
    )


def pending_request(mesa: Mesa, user: User) -> JoinRequest | None:
    return db.session.scalar(
        sa.select(JoinRequest).where(
            JoinRequest.mesa_id == mesa.id,
            JoinRequest.user_id == user.id,
            JoinRequest.status == RequestStatus.PENDING,
        )
    )


def managers_with_account(mesa: Mesa) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Person, Person.user_id == User.id)
            .join(Membership, Membership.person_id == Person.id)
            .where(
                Membership.mesa_id == mesa.id,
                Membership.ended_on.is_(None),
                Membership.role.in_(MANAGING_ROLES),
                User.active.is_(True),
            )
            .distinct()
        )
    )


def _seat(
    mesa: Mesa, person: Person, seat: Seat, started_on: dt.date, by: User | None
) -> Membership:
    if current_membership(mesa, person) is not None:
        raise Refused(
            _l("%(name)s already sits at this mesa.", name=person.display_name), status=409
        )
    membership = Membership(
        mesa=mesa,
        person=person,
        role=seat.role,
        organization=seat.organization,
        actor_type=seat.actor_type,
        # Only a mesa temática sends delegates to the mesa territorial.
        is_delegate=seat.is_delegate and mesa.kind == MesaKind.THEMATIC,
        started_on=started_on,
        created_by_id=by.id if by else None,
    )
    db.session.add(membership)
    db.session.flush()
    return membership


def _notify(user: User, template: str, link: str, **context: object) -> None:
    notify(user, template, link=link, labels=labels, **context)


# Joining ---------------------------------------------------------------------------------


def request_to_join(
    mesa: Mesa, user: User, organization: Organization | None, message: str
) -> JoinRequest:
    if mesa.is_closed:
        raise Refused(_l("This mesa is closed and does not take new members."))
    if membership_of_user(mesa, user) is not None:
        raise Refused(_l("You already sit at this mesa."))
    if pending_request(mesa, user) is not None:
        raise Refused(_l("You already asked to join this mesa; the answer is pending."))
    request = JoinRequest(mesa=mesa, user=user, organization=organization, message=message)
    db.session.add(request)
    db.session.flush()
    for manager in managers_with_account(mesa):
        _notify(
            manager,
            "join_requested",
            link=url_for("mesas.decide", slug=mesa.slug, request_id=request.id),
            mesa=mesa,
            request=request,
        )
    return request


def _undecided(request: JoinRequest) -> None:
    if request.is_pending:
        return
    if request.status == RequestStatus.WITHDRAWN:
        raise Refused(_l("This request was withdrawn by the person who sent it."))
    when = format_day(request.decided_at) if request.decided_at else ""
    who = request.decided_by.name if request.decided_by else ""
    if request.status == RequestStatus.APPROVED:
        raise Refused(
            _l("This request was already approved by %(who)s on %(when)s.", who=who, when=when)
        )
    raise Refused(
        _l("This request was already declined by %(who)s on %(when)s.", who=who, when=when)
    )


def approve(request: JoinRequest, by: User, seat: Seat) -> Membership:
    _undecided(request)
    membership = _seat(request.mesa, person_for(request.user), seat, clock.today(), by)
    request.status = RequestStatus.APPROVED
    request.decided_at = clock.now()
    request.decided_by = by
    request.membership_id = membership.id
    _notify(
        request.user,
        "join_approved",
        link=url_for("mesas.mesa", slug=request.mesa.slug),
        mesa=request.mesa,
        membership=membership,
    )
    return membership


def decline(request: JoinRequest, by: User, reason: str) -> None:
    _undecided(request)
    request.status = RequestStatus.DECLINED
    request.decided_at = clock.now()
    request.decided_by = by
    request.reason = reason
    _notify(
        request.user,
        "join_declined",
        link=url_for("mesas.mesa", slug=request.mesa.slug),
        mesa=request.mesa,
        reason=reason,
    )


def withdraw(request: JoinRequest) -> None:
    _undecided(request)
    request.status = RequestStatus.WITHDRAWN
    request.decided_at = clock.now()


# Members the secretary adds, changes and ends -------------------------------------------------


def add_member(
    mesa: Mesa,
    name: str,
    phone: str | None,
    seat: Seat,
    started_on: dt.date,
    by: User,
    share_phone: bool = False,
) -> Membership:
    """A member without an account (and so without email): a record the mesa keeps."""
    person = Person(name=name, phone=phone)
    db.session.add(person)
    db.session.flush()
    membership = _seat(mesa, person, seat, started_on, by)
    membership.share_phone = share_phone and bool(phone)
    return membership


def change_seat(membership: Membership, seat: Seat, by: User) -> Membership:
    """Organization, actor type and delegate flag change in place. A new role is a new
    membership from today, so the history shows who held which role when."""
    if not membership.is_current:
        raise Refused(_l("This membership has ended; it can no longer change."))
    today = clock.today()
    if seat.role != membership.role and membership.started_on < today:
        membership.ended_on = today
        membership.end_reason = str(_l("Role changed"))
        db.session.flush()
        new = _seat(membership.mesa, membership.person, seat, today, by)
        new.share_email = membership.share_email
        new.share_phone = membership.share_phone
        return new
    membership.role = seat.role
    membership.organization = seat.organization
    membership.actor_type = seat.actor_type
    membership.is_delegate = seat.is_delegate and membership.mesa.kind == MesaKind.THEMATIC
    return membership


def _check_past_date(on: dt.date, not_before: dt.date, message: str) -> None:
    """The date of something that happened: not before ``not_before``, not in the future."""
    if on < not_before:
        raise Refused(message, status=INVALID)
    if on > clock.today():
        raise Refused(_l("The date cannot be in the future."), status=INVALID)


def end_membership(membership: Membership, on: dt.date, reason: str) -> None:
    if not membership.is_current:
        raise Refused(
            _l("This membership already ended on %(date)s.", date=format_day(membership.ended_on))
        )
    _check_past_date(
        on,
        not_before=membership.started_on,
        message=_l(
            "The end date cannot be before the membership started (%(date)s).",
            date=format_day(membership.started_on),
        ),
    )
    membership.ended_on = on
    membership.end_reason = reason


def link_account(membership: Membership, user: User) -> None:
    """Joins a member kept on record to the account they opened later. Their memberships at
    every mesa move to the account's person."""
    record = membership.person
    if record.user_id is not None:
        raise Refused(_l("This member already has an account."))
    existing = db.session.scalar(sa.select(Person).where(Person.user_id == user.id))
    if existing is None:
        record.user = user
        return
    mesas_of_record = set(
        db.session.scalars(
            sa.select(Membership.mesa_id).where(
                Membership.person_id == record.id, Membership.ended_on.is_(None)
            )
        )
    )
    mesas_of_account = set(
        db.session.scalars(
            sa.select(Membership.mesa_id).where(
                Membership.person_id == existing.id, Membership.ended_on.is_(None)
            )
        )
    )
    if mesas_of_record & mesas_of_account:
        raise Refused(
            _l(
                "That account already sits at this mesa as somebody else. End one of the two "
                "memberships first."
            )
        )
    db.session.execute(
        sa.update(Membership).where(Membership.person_id == record.id).values(person_id=existing.id)
    )
    db.session.delete(record)


# Invitations ---------------------------------------------------------------------------------


def invite(
    mesa: Mesa, email: str, name: str, seat: Seat, by: User, record: Membership | None = None
) -> str:
    """Creates the invitation and queues its mail, with the link that holds the token (shown
    once, in the mail). With ``record``, a member kept on record, accepting it joins that
    record to the account of the address instead of taking a new seat."""
    if record is not None and record.person.user_id is not None:
        raise Refused(_l("This member already has an account."))
    token = new_token()
    now = clock.now()
    db.session.add(
        Invitation(
            mesa=mesa,
            email=normalize_email(email),
            name=name,
            role=seat.role,
            organization=seat.organization,
            token_hash=token_hash(token),
            created_by=by,
            created_at=now,
            expires_at=now + dt.timedelta(days=INVITATION_DAYS),
            membership=record,
        )
    )
    link = external_url("mesas.invitation", token=token)
    send_invitation(mesa, email, name, seat, by, link, record=record)
    return token


def send_invitation(
    mesa: Mesa,
    email: str,
    name: str,
    seat: Seat,
    by: User,
    link: str,
    record: Membership | None = None,
) -> None:
    """The invitation mail, in Spanish: the invited person has no language of their own here
    yet."""
    with force_locale("es_CL"):
        subject = str(_l("Invitation to %(mesa)s", mesa=mesa.name))
        text = render_template(
            "mesas/email/invitation.txt",
            mesa=mesa,
            name=name,
            seat=seat,
            by=by,
            link=link,
            days=INVITATION_DAYS,
            labels=labels,
            record=record,
        )
    outbox.enqueue(email, subject, text, kind="invitation")


def find_invitation(token: str) -> Invitation | None:
    return db.session.scalar(
        sa.select(Invitation).where(Invitation.token_hash == token_hash(token))
    )


def invitation_problem(invitation: Invitation | None, now: dt.datetime | None = None) -> str | None:
    """Why the link no longer works, in words, or None if it does."""
    now = now or clock.now()
    if invitation is None:
        return str(_l("This invitation link is not valid. Check that you copied all of it."))
    if invitation.used_at is not None:
        return str(
            _l(
                "This invitation was already used on %(date)s. Each link works only once; ask "
                "the mesa's secretary for a new one if you need it.",
                date=format_day(invitation.used_at),
            )
        )
    if invitation.cancelled_at is not None:
        return str(_l("The mesa's secretary cancelled this invitation."))
    if invitation.expires_at <= now:
        return str(
            _l(
                "This invitation expired on %(date)s. Ask the mesa's secretary for a new one.",
                date=format_day(invitation.expires_at),
            )
        )
    return None


def invitation_is_for(invitation: Invitation, user: User) -> bool:
    """An invitation is for the account of the address it was sent to, and no other."""
    return normalize_email(user.email) == normalize_email(invitation.email) and user.is_verified


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    problem = invitation_problem(invitation)
    if problem:
        raise Refused(problem, status=410)
    if not invitation_is_for(invitation, user):
        raise Refused(
            _l(
                "This invitation was sent to another address. Log in with the account of the"
                " address that received it."
            ),
            status=403,
        )
    if invitation.membership is not None:
        membership = invitation.membership
        link_account(membership, user)
    else:
        organization = invitation.organization
        seat = Seat(
            role=invitation.role,
            organization=organization,
            actor_type=organization.actor_type if organization else ActorType.SOCIAL,
        )
        membership = _seat(
            invitation.mesa, person_for(user), seat, clock.today(), invitation.created_by
        )
    invitation.used_at = clock.now()
    invitation.used_by = user
    _notify(
        invitation.created_by,
        "invitation_accepted",
        link=url_for("mesas.manage", slug=invitation.mesa.slug),
        mesa=invitation.mesa,
        invitation=invitation,
        accepted_by=user,
    )
    return membership


def cancel_invitation(invitation: Invitation) -> None:
    problem = invitation_problem(invitation)
    if problem:
        raise Refused(problem)
    invitation.cancelled_at = clock.now()


# Status ----------------------------------------------------------------------------------------


def change_status(mesa: Mesa, status: MesaStatus, since: dt.date, reason: str, by: User) -> None:
    if status == mesa.status:
        raise Refused(_l("The mesa already has this status."), status=INVALID)
    _check_past_date(
        since,
        not_before=mesa.status_since,
        message=_l(
            "The date cannot be before the current status began (%(date)s).",
            date=format_day(mesa.status_since),
        ),
    )
    db.session.add(
        MesaStatusChange(
            mesa=mesa,
            previous_status=mesa.status,
            status=status,
            since=since,
            reason=reason,
            changed_by=by,
        )
    )
    mesa.status = status
    mesa.status_since = since
