"""Demo sessions at the goat mesa of Limarí-Choapa: one with its acta published, one held
last week whose acta is a draft, and one coming up."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.accounts.models import User
from portal.core import clock
from portal.extensions import db
from portal.meetings import records, services
from portal.meetings.models import (
    ApprovalMode,
    DecisionMode,
    Meeting,
    MeetingKind,
    MinutesStatus,
    Modality,
)
from portal.mesas.demo import GOAT_MESA
from portal.mesas.models import TAKING_PART_ROLES, Mesa

PLACE = "Sede social de Cogotí, Combarbalá"
ACTA = """Se abre la sesión a las 10:15 en la sede social de Cogotí, con quórum.

**1. Lectura del acta anterior.** Se aprueba sin observaciones.

**2. Cuenta de INDAP.** El jefe de área informa sobre el programa de praderas suplementarias
y los plazos de postulación.

**3. Forraje para el invierno.** Se discute la compra conjunta de fardos de alfalfa. Tres
socias prefieren comprar por separado por la distancia a Cogotí.

**4. Varios.** Se acuerda la fecha de la próxima sesión.

Se levanta la sesión a las 12:20.
"""


def _details(day: dt.date, kind: MeetingKind = MeetingKind.ORDINARY) -> services.Details:
    return services.Details(
        day=day,
        starts=dt.time(10, 0),
        ends=dt.time(12, 30),
        place=PLACE,
        online_url="",
        modality=Modality.IN_PERSON,
        kind=kind,
    )


def _agenda(meeting: Meeting, titles: tuple[str, ...]) -> None:
    for title in titles:
        services.add_item(meeting, title, "")


def _attend(meeting: Meeting, leave_out: int, secretary: User) -> set[int]:
    seated = services.seated_on(meeting)
    voting = [m.id for m in seated if m.role in TAKING_PART_ROLES]
    present = set(voting[: max(len(voting) - leave_out, 0)])
    services.record_attendance(meeting, present, 4, secretary)
    return present


def load_demo_sessions() -> int:
    """Creates the sessions if the goat mesa has none. Returns how many were created."""
    mesa = db.session.scalar(sa.select(Mesa).where(Mesa.slug == GOAT_MESA))
    secretary = db.session.scalar(sa.select(User).where(User.email == "secretaria@demo.example"))
    if mesa is None or secretary is None:
        return 0
    if db.session.scalar(sa.select(Meeting.id).where(Meeting.mesa_id == mesa.id).limit(1)):
        return 0
    today = clock.today()
    first = services.schedule(mesa, _details(today - dt.timedelta(days=56)), True, secretary)
    _agenda(
        first,
        (
            "Lectura del acta anterior",
            "Cuenta de INDAP: praderas suplementarias",
            "Forraje para el invierno",
            "Varios",
        ),
    )
    present = _attend(first, 1, secretary)
    records.record(
        first,
        records.Decision(
            statement="Pedir a INDAP una visita técnica a los corrales de Quebrada Alta.",
            mode=DecisionMode.CONSENSUS,
            votes_for=None,
            votes_against=None,
            votes_abstaining=None,
            dissent="",
            review_on=today + dt.timedelta(days=30),
        ),
        secretary,
    )
    votes_for = max(len(present) - 2, 0)
    records.record(
        first,
        records.Decision(
            statement="Comprar en conjunto los fardos de alfalfa para el invierno.",
            mode=DecisionMode.VOTE,
            votes_for=votes_for,
            votes_against=min(len(present), 2),
            votes_abstaining=0,
            dissent="Dos socias prefieren comprar por separado por la distancia a Cogotí.",
            review_on=None,
        ),
        secretary,
    )
    records.write(first, ACTA, "", secretary)

    second = services.schedule(mesa, _details(today - dt.timedelta(days=7)), True, secretary)
    _agenda(second, ("Aprobación del acta de la sesión 1", "Avance de la compra de forraje"))
    _attend(second, 2, secretary)
    records.write(
        second, "Se abre la sesión a las 10:10.\n\n(Borrador en redacción.)", "", secretary
    )

    third = services.schedule(mesa, _details(today + dt.timedelta(days=21)), False, secretary)
    _agenda(third, ("Aprobación del acta de la sesión 2", "Visita técnica de INDAP", "Varios"))
    return 3


def approve_demo_acta() -> int:
    """The acta of session 1 went to the members, who approved it in session 2, and it was
    published: run once everything recorded in session 1 (its commitments) is there, as an
    approved acta changes only through corrections. Returns how many actas it approved."""
    mesa = db.session.scalar(sa.select(Mesa).where(Mesa.slug == GOAT_MESA))
    secretary = db.session.scalar(sa.select(User).where(User.email == "secretaria@demo.example"))
    if mesa is None or secretary is None:
        return 0
    first, second = (
        db.session.scalar(
            sa.select(Meeting).where(Meeting.mesa_id == mesa.id, Meeting.number == number)
        )
        for number in (1, 2)
    )
    if first is None or second is None or first.minutes is None:
        return 0
    minutes = first.minutes
    if minutes.status != MinutesStatus.DRAFT:
        return 0
    minutes.status = MinutesStatus.CIRCULATED
    minutes.circulated_at = clock.now()
    minutes.circulated_by_id = secretary.id
    records.approve(first, ApprovalMode.IN_SESSION, second, secretary)
    records.publish(first, secretary)
    return 1
