"""Recording a convenio or protocolo, reading a territory's, and what their parties
contribute. Each refusal says what to do, and nothing is stored then. No request here; the
caller commits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import User
from portal.convenios.models import Convenio, ConvenioKind, ConvenioParty
from portal.core import clock
from portal.core.refusals import INVALID, Refused
from portal.extensions import db
from portal.initiatives.models import Initiative, Status
from portal.meetings.models import Agreement, AgreementStatus
from portal.mesas.models import ActorType, Mesa, Organization
from portal.places.models import Territory


@dataclass(frozen=True)
class Party:
    organization_id: int
    signatory_role: str
    amount: int | None = None
    in_kind: bool = False
    contribution: str = ""


@dataclass
class ConvenioData:
    kind: ConvenioKind
    title: str
    purpose: str
    signed_on: dt.date
    starts_on: dt.date
    ends_on: dt.date | None
    renewal_on: dt.date | None
    document: str
    parties: list[Party]
    initiative_ids: list[int] = field(default_factory=list)
    agreement_id: int | None = None


def financeable(territory: Territory) -> list[Initiative]:
    """The territory's public initiatives still running, that a convenio may finance."""
    return list(
        db.session.scalars(
            sa.select(Initiative)
            .where(
                Initiative.territory_id == territory.id,
                Initiative.status.not_in([Status.DRAFT, Status.WITHDRAWN, Status.DISCARDED]),
            )
            .order_by(Initiative.title, Initiative.id)
        )
    )


def backing(territory: Territory) -> list[Agreement]:
    """The agreements in force of the territory's mesas, newest first: those that can back a
    convenio."""
    return list(
        db.session.scalars(
            sa.select(Agreement)
            .join(Mesa, Mesa.id == Agreement.mesa_id)
            .where(Mesa.territory_id == territory.id, Agreement.status == AgreementStatus.IN_FORCE)
            .options(joinedload(Agreement.mesa))
            .order_by(Agreement.year.desc(), Agreement.number.desc())
        )
    )


def record(territory: Territory, data: ConvenioData, by: User) -> Convenio:
    title = " ".join(data.title.split())
    if not title:
        raise Refused(_l("Give the convenio its name."), INVALID)
    if data.signed_on > clock.today():
        raise Refused(
            _l("Record a convenio once it is signed: the date of signature is in the future."),
            INVALID,
        )
    if data.ends_on is not None and data.ends_on < data.starts_on:
        raise Refused(_l("The term ends before it starts: check the dates."), INVALID)
    if data.renewal_on is not None and (
        data.renewal_on < data.starts_on or (data.ends_on and data.renewal_on > data.ends_on)
    ):
        raise Refused(_l("The renewal date falls within the term."), INVALID)
    if not data.document.strip():
        raise Refused(
            _l("Name the document of the convenio (its resolution, or a web address)."), INVALID
        )
    organizations = {p.organization_id for p in data.parties}
    if len(data.parties) < 2:
        raise Refused(_l("A convenio has at least two parties."), INVALID)
    if len(organizations) < len(data.parties):
        raise Refused(_l("Each party appears once: the same organization is named twice."), INVALID)
    found = db.session.scalars(
        sa.select(Organization.id).where(Organization.id.in_(organizations))
    ).all()
    if len(found) < len(organizations):
        raise Refused(_l("Choose the parties from the registry of organizations."), INVALID)
    if any(not p.signatory_role.strip() for p in data.parties):
        raise Refused(
            _l("Say the role of who signs for each party (for example, Gobernador regional)."),
            INVALID,
        )
    if any(p.in_kind and not p.amount for p in data.parties):
        raise Refused(_l("A contribution in kind is given with its valuation in pesos."), INVALID)
    if data.kind == ConvenioKind.CONVENIO and not any(p.amount for p in data.parties):
        raise Refused(
            _l(
                "A convenio says what each party contributes; without contributions, record it"
                " as a protocolo."
            ),
            INVALID,
        )
    allowed = {i.id: i for i in financeable(territory)}
    if any(i not in allowed for i in data.initiative_ids):
        raise Refused(_l("Choose initiatives of this territory from the list."), INVALID)
    agreement = None
    if data.agreement_id is not None:
        agreement = next((a for a in backing(territory) if a.id == data.agreement_id), None)
        if agreement is None:
            raise Refused(_l("Choose an agreement in force of this territory's mesas."), INVALID)
    convenio = Convenio(
        territory=territory,
        kind=data.kind,
        title=title,
        purpose=data.purpose.strip(),
        signed_on=data.signed_on,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        renewal_on=data.renewal_on,
        document=data.document.strip(),
        agreement=agreement,
        created_by_id=by.id,
    )
    convenio.parties = [
        ConvenioParty(
            position=n,
            organization_id=p.organization_id,
            signatory_role=p.signatory_role.strip(),
            amount=p.amount,
            in_kind=p.in_kind,
            contribution=p.contribution.strip(),
        )
        for n, p in enumerate(data.parties, start=1)
    ]
    convenio.initiatives = [allowed[i] for i in data.initiative_ids]
    db.session.add(convenio)
    db.session.flush()
    return convenio


def _loaded():  # type: ignore[no-untyped-def]
    return sa.select(Convenio).options(
        selectinload(Convenio.parties).joinedload(ConvenioParty.organization),
        selectinload(Convenio.initiatives),
        joinedload(Convenio.agreement).joinedload(Agreement.mesa),
        joinedload(Convenio.territory),
    )


def by_id(convenio_id: int) -> Convenio | None:
    return db.session.scalar(_loaded().where(Convenio.id == convenio_id))


def of_territory(territory_id: int) -> list[Convenio]:
    """The territory's convenios, newest first, with their parties and initiatives: four
    queries however many there are."""
    return list(
        db.session.scalars(
            _loaded()
            .where(Convenio.territory_id == territory_id)
            .order_by(Convenio.signed_on.desc(), Convenio.id.desc())
        ).unique()
    )


def of_initiative(initiative_id: int) -> list[Convenio]:
    return list(
        db.session.scalars(
            sa.select(Convenio)
            .join(Convenio.initiatives)
            .where(Initiative.id == initiative_id)
            .order_by(Convenio.signed_on.desc())
        )
    )


@dataclass
class Contributed:
    """What one kind of actor contributes in the convenios in force during a period."""

    actor_type: ActorType
    parties: int = 0
    money: int = 0
    in_kind: int = 0


def contributions(territory_id: int, start: dt.date, end: dt.date) -> list[Contributed]:
    """By kind of actor, the money and the valuation in kind of the parties of the
    territory's convenios in force at some point between ``start`` and ``end``: one query."""
    rows = db.session.execute(
        sa.select(Organization.actor_type, ConvenioParty.amount, ConvenioParty.in_kind)
        .join(Convenio, Convenio.id == ConvenioParty.convenio_id)
        .join(Organization, Organization.id == ConvenioParty.organization_id)
        .where(
            Convenio.territory_id == territory_id,
            Convenio.starts_on <= end,
            sa.or_(Convenio.ends_on.is_(None), Convenio.ends_on >= start),
        )
    ).all()
    found = {actor: Contributed(actor) for actor in ActorType}
    for actor_type, amount, in_kind in rows:
        line = found[ActorType(actor_type)]
        line.parties += 1
        if in_kind:
            line.in_kind += amount or 0
        else:
            line.money += amount or 0
    return [line for line in found.values() if line.parties]
