"""Convenios: recorded by the regional team with their parties, terms and contributions; what
is refused; the public pages; who contributes what in the cuenta pública."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.convenios.models import Convenio
from portal.mesas.models import Organization
from tests import factories
from tests.conftest import text_of

URL = "/territorios/limari-choapa/convenios/nuevo"


@pytest.fixture
def setting(db, make_user, login, clock_at):  # type: ignore[no-untyped-def]
    clock_at(dt.datetime(2026, 12, 4, 15, tzinfo=dt.UTC))
    factories.demo_data(db)
    goats = factories.demo_mesa(db, factories.GOAT_MESA)
    room = factories.initiative(db, goats, "Sala de procesos para queso")
    orgs = {"INDAP": factories.demo_organization(db, "INDAP")}
    orgs["GORE"] = db.scalars(
        sa.select(Organization).where(Organization.name == "Gobierno Regional de Coquimbo")
    ).one()
    cooperative = factories.organization(db, "Cooperativa Caprina de prueba")
    db.commit()
    login(make_user(is_admin=True))
    return room, orgs, cooperative


def form(room, orgs, cooperative, **changes):  # type: ignore[no-untyped-def]
    data = {
        "kind": "convenio",
        "title": "Convenio de la sala de quesos",
        "signed_on": "2026-10-01",
        "starts_on": "2026-10-01",
        "ends_on": "2028-09-30",
        "renewal_on": "2028-06-30",
        "document": "Resolución exenta N° 1.245",
        "parties-0-organization": str(orgs["GORE"].id),
        "parties-0-signatory_role": "Gobernador regional",
        "parties-0-amount": "90.000.000",
        "parties-0-contribution": "Obras civiles",
        "parties-1-organization": str(cooperative.id),
        "parties-1-signatory_role": "Presidenta",
        "parties-1-amount": "8.000.000",
        "parties-1-in_kind": "y",
        "parties-1-contribution": "El terreno y 60 jornadas",
        "initiatives": str(room.id),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_regional_team_records_a_convenio_anyone_can_read(client, db, setting):
    room, orgs, cooperative = setting
    sent = client.submit(URL, form(room, orgs, cooperative))
    assert sent.status_code == 302, text_of(sent)
    page = text_of(client.get(sent.location))
    assert "Convenio de la sala de quesos" in page
    assert "Gobernador regional" in page and "Obras civiles" in page
    assert "El terreno y 60 jornadas (en especie, valorizado) $ 8.000.000" in page
    assert "Dinero $ 90.000.000; en especie, valorizado en $ 8.000.000" in page
    assert "Sala de procesos para queso" in page
    client.submit("/cuenta/salir", {}, form_url="/")
    listed = text_of(client.get("/territorios/limari-choapa/convenios"))
    assert "Convenio de la sala de quesos" in listed
    assert "Convenios que la financian" in text_of(client.get(f"/iniciativas/{room.id}"))
    contributions = text_of(client.get("/territorios/limari-choapa/aportes"))
    assert (
        "Cooperativa Caprina de prueba Convenio de la sala de quesos El terreno y 60 jornadas —"
        " $ 8.000.000"
    ) in contributions
    report = text_of(
        client.get("/territorios/limari-choapa/cuenta-publica?desde=2026-01-01&hasta=2026-12-31")
    )
    assert (
        "Lo que aportan los convenios" in report
        and "Sector público 2 $ 90.000.000 $ 8.000.000" in report
    )
    logged = db.scalars(
        sa.select(AuditEntry.table_name).where(AuditEntry.table_name.like("convenio%"))
    ).all()
    assert sorted(logged) == ["convenio_parties", "convenio_parties", "convenios"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"parties-1-organization": "", "parties-1-signatory_role": ""},
            "Un convenio tiene al menos dos partes.",
        ),
        (
            {"parties-1-organization": "ORG_GORE"},
            "Cada parte aparece una vez: la misma organización está dos veces.",
        ),
        ({"parties-1-amount": ""}, "Un aporte en especie se registra con su valorización"),
        (
            {"parties-0-amount": "", "parties-1-amount": "", "parties-1-in_kind": None},
            "sin aportes, regístralo como protocolo.",
        ),
        ({"ends_on": "2026-09-01"}, "La vigencia termina antes de empezar"),
        ({"signed_on": "2027-01-01"}, "la fecha de firma está en el futuro."),
        ({"renewal_on": "2029-01-01"}, "La fecha de renovación debe caer dentro de la vigencia."),
        ({"parties-1-signatory_role": ""}, "Di el cargo de quien firma por cada parte"),
    ],
)
def test_what_a_convenio_refuses(client, db, setting, changes, message):
    room, orgs, cooperative = setting
    changes = {k: (str(orgs["GORE"].id) if v == "ORG_GORE" else v) for k, v in changes.items()}
    sent = client.submit(URL, form(room, orgs, cooperative, **changes))
    assert sent.status_code == 422
    assert message in text_of(sent)
    assert db.scalar(sa.select(sa.func.count()).select_from(Convenio)) == 0


def test_a_protocolo_may_have_no_contributions(client, db, setting):
    room, orgs, cooperative = setting
    sent = client.submit(
        URL,
        form(
            room,
            orgs,
            cooperative,
            kind="protocolo",
            **{"parties-0-amount": "", "parties-1-amount": "", "parties-1-in_kind": None},
        ),
    )
    assert sent.status_code == 302
