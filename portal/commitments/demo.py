"""Demo commitments at the goat mesa of Limarí-Choapa, one of each fate: fulfilled on time and
validated, rescheduled and in progress, overdue with no word, reported and awaiting the
mesa, and a community's own contribution. Recorded through the services, so the audit log
holds them like anything else."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.accounts.models import User
from portal.commitments import services
from portal.commitments.models import Commitment, CommitmentStatus
from portal.core import clock
from portal.extensions import db
from portal.meetings.models import Agreement, Meeting
from portal.mesas.demo import GOAT_MESA
from portal.mesas.models import Mesa, Organization
from portal.places.models import Comuna


def _org(name: str) -> Organization | None:
    return db.session.scalar(
        sa.select(Organization).where(
            sa.or_(Organization.short_name == name, Organization.name == name)
        )
    )


def load_demo_commitments() -> int:
    """Creates the commitments if the goat mesa has none. Returns how many were created."""
    mesa = db.session.scalar(sa.select(Mesa).where(Mesa.slug == GOAT_MESA))
    secretary = db.session.scalar(sa.select(User).where(User.email == "secretaria@demo.example"))
    if mesa is None or secretary is None:
        return 0
    if db.session.scalar(sa.select(Commitment.id).where(Commitment.mesa_id == mesa.id).limit(1)):
        return 0
    meetings = list(
        db.session.scalars(
            sa.select(Meeting).where(Meeting.mesa_id == mesa.id).order_by(Meeting.number)
        )
    )
    if len(meetings) < 2:
        return 0
    first, second = meetings[0], meetings[1]
    agreements = list(
        db.session.scalars(
            sa.select(Agreement).where(Agreement.meeting_id == first.id).order_by(Agreement.number)
        )
    )
    indap, vialidad, gore = _org("INDAP"), _org("MOP Vialidad"), _org("GORE")
    town = _org("Municipalidad de Combarbalá")
    cooperative = _org("Cooperativa Caprina Quebrada Alta")
    if None in (indap, vialidad, gore, town, cooperative) or len(agreements) < 2:
        return 0
    comuna = db.session.scalar(sa.select(Comuna).where(Comuna.name == "Combarbalá"))
    comunas = [comuna] if comuna is not None else []
    day = first.day
    today = clock.today()

    visit = services.record(
        first,
        services.CommitmentData(
            organization=indap,
            official="Jefatura de área INDAP Combarbalá",
            deliverable="Visita técnica a los corrales de Quebrada Alta, con un informe escrito"
            " para cada familia.",
            due_on=day + dt.timedelta(days=30),
            agreement=agreements[0],
            comunas=comunas,
        ),
        secretary,
    )
    services.report(
        visit,
        services.UpdateData(
            reported_on=day + dt.timedelta(days=21),
            text="Se visitaron los 14 corrales; los informes se entregaron en la sede social.",
            percent=100,
            done_on=day + dt.timedelta(days=21),
            links=[("Programa de praderas suplementarias", "https://www.indap.gob.cl/")],
        ),
        secretary,
    )
    services.validate(
        visit,
        CommitmentStatus.FULFILLED,
        None,
        second,
        None,
        "La mesa confirma la visita y los informes.",
        secretary,
    )

    truck = services.record(
        first,
        services.CommitmentData(
            organization=town,
            official="Dirección de Desarrollo Comunitario",
            deliverable="Prestar un camión para traer los fardos de alfalfa desde Ovalle.",
            due_on=day + dt.timedelta(days=40),
            amount=850_000,
            agreement=agreements[1],
            comunas=comunas,
        ),
        secretary,
    )
    services.record(
        first,
        services.CommitmentData(
            organization=cooperative,
            deliverable="Reunir el aporte de las socias para la compra conjunta de fardos.",
            due_on=today + dt.timedelta(days=20),
            amount=2_400_000,
            agreement=agreements[1],
            comunas=comunas,
        ),
        secretary,
    )
    road = services.record(
        second,
        services.CommitmentData(
            organization=vialidad,
            official="Dirección Regional de Vialidad, Coquimbo",
            deliverable="Perfilar y estabilizar 6 km del camino Cogotí – Quebrada Alta.",
            due_on=today + dt.timedelta(days=30),
            amount=180_000_000,
            comunas=comunas,
            milestones=[("Licitación adjudicada", today + dt.timedelta(days=10))],
        ),
        secretary,
    )
    services.reschedule(
        road,
        today + dt.timedelta(days=75),
        "La licitación se declaró desierta y se volvió a llamar.",
        secretary,
    )
    services.report(
        road,
        services.UpdateData(
            reported_on=today,
            text="Se publicó el nuevo llamado a licitación.",
            percent=15,
        ),
        secretary,
    )
    services.record(
        second,
        services.CommitmentData(
            organization=gore,
            deliverable="Financiar con el FNDR el galpón de acopio de forraje de la cooperativa.",
            due_on=today + dt.timedelta(days=180),
            amount=45_000_000,
            comunas=comunas,
        ),
        secretary,
    )
    observation = services.observe(
        truck,
        "El camión no ha llegado y los fardos siguen en Ovalle.",
        None,
        "Vecina de Cogotí",
    )
    services.publish_observation(observation, secretary)
    return 5
