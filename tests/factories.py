"""Builders of the rows tests stand on, each kind built here only.

Each builder makes one row with demo values, takes any column as a keyword to override
them, adds the row to the session and flushes it, so that it has its id; the test commits.
Accounts come from conftest's ``make_user`` fixture and territories from ``make_territory``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeAlias, TypeVar

import pyotp
import sqlalchemy as sa
from sqlalchemy.orm import Session, scoped_session

from portal.accounts import two_factor
from portal.accounts.models import User
from portal.accounts.services import NewAccount, create_user
from portal.commitments.models import Commitment
from portal.core import clock
from portal.core.text import slugify
from portal.initiatives.models import Initiative, InitiativeKind, Ownership, Stage, Status
from portal.meetings.models import (
    Agreement,
    DecisionMode,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Modality,
)
from portal.mesas import services as mesa_services
from portal.mesas.demo import load_demo_mesas
from portal.mesas.models import (
    ActorType,
    Membership,
    Mesa,
    MesaKind,
    MesaStatus,
    Organization,
    OrganizationKind,
    Person,
    Role,
)
from portal.places.demo import load_pilot_territories
from portal.places.models import Comuna, Territory

Db: TypeAlias = "scoped_session[Session]"
Row = TypeVar("Row")

GOAT_MESA = "limari-choapa-ganaderia-caprina"
# Session 1 of the goat mesa: Saturday 14 March 2026, 10:00 in Santiago.
SESSION_START = dt.datetime(2026, 3, 14, 13, tzinfo=dt.UTC)
SEATED_SINCE = dt.date(2024, 1, 1)
# The kind of institution each kind of actor is, unless told otherwise.
KIND_OF = {
    ActorType.PUBLIC: OrganizationKind.PUBLIC_SERVICE,
    ActorType.PRIVATE: OrganizationKind.COMPANY,
    ActorType.SOCIAL: OrganizationKind.COMMUNITY_ORGANIZATION,
    ActorType.KNOWLEDGE: OrganizationKind.UNIVERSITY,
}


def _saved(db: Db, row: Row) -> Row:
    db.add(row)
    db.flush()
    return row


# The demo data --------------------------------------------------------------------------------


def demo_data(db: Db) -> None:
    """The pilot territories with the demo's institutions and mesas (what is missing of them)."""
    load_pilot_territories()
    load_demo_mesas()
    db.flush()


def demo_mesa(db: Db, slug: str) -> Mesa:
    """A mesa of the demo data, by its slug."""
    return db.scalars(sa.select(Mesa).where(Mesa.slug == slug)).one()


def goat_mesa(db: Db) -> Mesa:
    """The demo's mesa of goat farming in Limarí-Choapa, the demo data loaded first."""
    demo_data(db)
    return demo_mesa(db, GOAT_MESA)


def demo_organization(db: Db, short_name: str) -> Organization:
    """An institution of the demo data, by its short name ("INDAP", "MOP Vialidad")."""
    return db.scalars(sa.select(Organization).where(Organization.short_name == short_name)).one()


# New rows -------------------------------------------------------------------------------------


def organization(
    db: Db,
    name: str = "Servicio de prueba",
    short_name: str = "",
    *,
    actor_type: ActorType = ActorType.PUBLIC,
    kind: OrganizationKind | None = None,
    **overrides: Any,
) -> Organization:
    """A new institution; its kind follows its kind of actor unless given."""
    return _saved(
        db,
        Organization(
            name=name,
            short_name=short_name,
            kind=kind or KIND_OF[actor_type],
            actor_type=actor_type,
            **overrides,
        ),
    )


def mesa(
    db: Db,
    territory: Territory,
    name: str = "Mesa caprina",
    *,
    slug: str | None = None,
    kind: MesaKind = MesaKind.THEMATIC,
    status: MesaStatus = MesaStatus.ACTIVE,
    status_since: dt.date = SEATED_SINCE,
    **overrides: Any,
) -> Mesa:
    """A new mesa of ``territory``, active; its slug made from its name unless given."""
    return _saved(
        db,
        Mesa(
            slug=slug or slugify(name),
            name=name,
            kind=kind,
            territory=territory,
            status=status,
            status_since=status_since,
            **overrides,
        ),
    )


def seat(
    db: Db,
    mesa: Mesa,
    who: User | Person | str,
    role: Role | str = Role.MEMBER,
    organization: Organization | None = None,
    *,
    since: dt.date = SEATED_SINCE,
    actor_type: ActorType | None = None,
    **overrides: Any,
) -> Membership:
    """``who`` sits at ``mesa`` in ``role`` from ``since``: an account (through its person
    record), a person, or the name of someone without an account. For an institution they
    sit as a public actor, on their own behalf as a social one, unless ``actor_type`` says."""
    if isinstance(who, User):
        person = mesa_services.person_for(who)
    elif isinstance(who, Person):
        person = who
    else:
        person = Person(name=who)
    if actor_type is None:
        actor_type = ActorType.PUBLIC if organization is not None else ActorType.SOCIAL
    return _saved(
        db,
        Membership(
            mesa=mesa,
            person=person,
            role=Role(role),
            organization=organization,
            actor_type=actor_type,
            started_on=since,
            **overrides,
        ),
    )


def meeting(
    db: Db,
    mesa: Mesa,
    number: int = 1,
    *,
    starts_at: dt.datetime = SESSION_START,
    length: dt.timedelta = dt.timedelta(hours=2),
    place: str = "Sede social",
    status: MeetingStatus = MeetingStatus.HELD,
    modality: Modality = Modality.IN_PERSON,
    kind: MeetingKind = MeetingKind.ORDINARY,
    **overrides: Any,
) -> Meeting:
    """Session ``number`` of ``mesa``, ordinary and in person, held unless ``status`` says."""
    return _saved(
        db,
        Meeting(
            mesa=mesa,
            number=number,
            starts_at=starts_at,
            ends_at=starts_at + length,
            place=place,
            modality=modality,
            kind=kind,
            status=status,
            **overrides,
        ),
    )


def agreement(
    db: Db,
    meeting: Meeting,
    number: int = 1,
    *,
    year: int | None = None,
    statement: str = "Pedir a INDAP una visita técnica.",
    decision_mode: DecisionMode = DecisionMode.CONSENSUS,
    **overrides: Any,
) -> Agreement:
    """Agreement ``number``/``year`` (the session's year unless given) taken by consensus at
    ``meeting``."""
    return _saved(
        db,
        Agreement(
            mesa=meeting.mesa,
            meeting=meeting,
            year=meeting.day.year if year is None else year,
            number=number,
            statement=statement,
            decision_mode=decision_mode,
            **overrides,
        ),
    )


def initiative(
    db: Db,
    mesa: Mesa,
    title: str = "Agua para los crianceros",
    *,
    summary: str = "Estanques.",
    cost: int | None = None,
    status: Status = Status.PROPOSED,
    kind: InitiativeKind = InitiativeKind.INVESTMENT,
    ownership: Ownership = Ownership.PUBLIC,
    stage: Stage = Stage.IDEA,
    **overrides: Any,
) -> Initiative:
    """A public investment proposed at ``mesa``, of its territory unless ``territory_id`` is
    given; ``cost`` is its estimated cost in pesos."""
    overrides.setdefault("territory_id", mesa.territory_id)
    return _saved(
        db,
        Initiative(
            mesa=mesa,
            title=title,
            summary=summary,
            kind=kind,
            ownership=ownership,
            stage=stage,
            status=status,
            estimated_cost=cost,
            **overrides,
        ),
    )


def commitment(
    db: Db,
    meeting: Meeting,
    organization: Organization,
    deliverable: str = "Pavimentar el camino.",
    *,
    due_on: dt.date = dt.date(2027, 9, 30),
    original_due_on: dt.date | None = None,
    committed_on: dt.date | None = None,
    **overrides: Any,
) -> Commitment:
    """``organization``'s commitment taken at ``meeting``, in its mesa's territory: committed
    on the session's day and due on ``due_on``, first agreed for the same day unless
    ``original_due_on`` says otherwise."""
    return _saved(
        db,
        Commitment(
            mesa_id=meeting.mesa_id,
            territory_id=meeting.mesa.territory_id,
            meeting_id=meeting.id,
            organization_id=organization.id,
            deliverable=deliverable,
            original_due_on=due_on if original_due_on is None else original_due_on,
            due_on=due_on,
            committed_on=meeting.day if committed_on is None else committed_on,
            **overrides,
        ),
    )


def two_factor_on(user: User) -> str:
    """Turns two-step sign-in on for ``user``, as its owner would; returns the secret."""
    secret = two_factor.new_secret()
    assert two_factor.enable(user, secret, pyotp.TOTP(secret).at(clock.now())) is not None
    return secret


def account(db: Db, name: str, email: str, password: str) -> User:
    """A confirmed account of someone from Canela, for the tests that sign in for real."""
    canela = db.scalar(sa.select(Comuna.id).where(Comuna.name == "Canela"))
    return create_user(
        NewAccount(name=name, email=email, password=password, comuna_id=canela, verified=True)
    )
