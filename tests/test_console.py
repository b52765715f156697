"""The administration console: a territory set up for real, from an empty database with no demo
data, and what the console does to accounts. Every action is in the change log."""

from __future__ import annotations

import datetime as dt
import json
import re

import pyotp
import sqlalchemy as sa

from portal.accounts.models import Coordination, User
from portal.admin.models import AdminAction
from portal.audit import chain
from portal.audit.models import AuditEntry
from portal.core import clock
from portal.mesas.models import Invitation, Membership, Mesa, MesaKind, Role
from portal.places.models import Comuna, Territory, TerritoryPhase, TerritoryStatus
from tests import factories
from tests.conftest import PASSWORD, text_of

ADMIN = "jefa.regional@demo.example"
COMUNAS = ("Canela", "Los Vilos", "Salamanca", "Illapel")


def sign_in_with_two_steps(client, secret: str) -> None:  # type: ignore[no-untyped-def]
    first = client.submit("/cuenta/ingresar", {"email": ADMIN, "password": PASSWORD})
    assert first.location.startswith("/cuenta/ingresar/codigo")
    # The next code: the one of this moment turned two steps on, and a code works once.
    code = pyotp.TOTP(secret).at(clock.now().timestamp() + 30)
    assert client.submit(first.location, {"code": code}).status_code == 302


def invitation_path(mailbox, email: str) -> str:  # type: ignore[no-untyped-def]
    message = next(m for m in reversed(mailbox()) if m["To"] == email)
    return re.search(r"https://localhost(/invitaciones/\S+)", message.get_content())[1]


def test_a_territory_set_up_from_an_empty_portal(client, db, make_user, mailbox, clock_at):
    clock_at(dt.datetime(2026, 12, 7, 13, 0, tzinfo=dt.UTC))
    assert db.scalar(sa.select(sa.func.count(Territory.id))) == 0
    admin = make_user(email=ADMIN, name="Jefa Regional", is_admin=True, two_factor=False)
    secret = factories.two_factor_on(admin)
    db.commit()
    sign_in_with_two_steps(client, secret)
    assert "Administración del portal" in text_of(client.get("/admin"))

    # A territory with four comunas and its decree.
    assert "Región" in text_of(client.get("/admin/territorios/nuevo"))
    ids = dict(db.execute(sa.select(Comuna.name, Comuna.id).where(Comuna.name.in_(COMUNAS))).all())
    form = "/admin/territorios/nuevo?region=04"
    empty = client.submit(form, {})
    assert empty.status_code == 422
    summary = text_of(empty)
    for message in ("Escribe el nombre del territorio", "Elige las comunas", "Di por qué"):
        assert message in summary
    created = client.submit(
        form,
        {
            "name": "Choapa Costero",
            "decree": "D.S. N° 45 de 2026",
            "decree_on": "2026-11-20",
            "comunas": [str(ids[c]) for c in COMUNAS],
            "since": "2026-12-01",
            "phase": "before_plan",
            "reason": "Decreto publicado en el Diario Oficial.",
        },
    )
    assert created.status_code == 302, text_of(created)
    territory = db.scalars(sa.select(Territory)).one()
    assert (territory.slug, territory.phase, territory.status) == (
        "choapa-costero",
        TerritoryPhase.BEFORE_PLAN,
        TerritoryStatus.LAGGING,
    )
    assert sorted(c.name for c in territory.comunas_on(dt.date(2026, 12, 7))) == sorted(COMUNAS)

    # Its mesa territorial and two mesas temáticas, each with an invited secretary.
    secretaries = {}
    for kind, name, theme in (
        ("territorial", "Mesa Territorial Choapa Costero", ""),
        ("thematic", "Mesa de Pesca artesanal", "Pesca artesanal"),
        ("thematic", "Mesa de Agua para el secano", "Agua"),
    ):
        email = f"secretaria.{len(secretaries) + 1}@demo.example"
        made = client.submit(
            "/admin/mesas/nueva",
            {
                "kind": kind,
                "name": name,
                "theme": theme,
                "territory": str(territory.id),
                "quorum_rule": "majority",
                "founding_instrument": "",
                "chair_title": "Delegada Presidencial Provincial de Choapa",
                "chair_name": "Presidenta de registro",
                "secretary_name": f"Secretaria {name}",
                "secretary_email": email,
                "reason": "Constitución acordada con el gobierno regional.",
            },
        )
        assert made.status_code == 302, text_of(made)
        secretaries[name] = email
    # A second mesa territorial for the same territory is refused, with the form kept.
    twice = client.submit(
        "/admin/mesas/nueva",
        {
            "kind": "territorial",
            "name": "Otra mesa territorial",
            "territory": str(territory.id),
            "quorum_rule": "majority",
            "founding_instrument": "",
            "reason": "Por error.",
        },
    )
    assert twice.status_code == 422
    assert "ya tiene su mesa territorial" in text_of(twice)
    assert 'value="Otra mesa territorial"' in twice.get_data(as_text=True)
    mesas = db.scalars(sa.select(Mesa).order_by(Mesa.id)).all()
    assert [m.kind for m in mesas] == [MesaKind.TERRITORIAL, MesaKind.THEMATIC, MesaKind.THEMATIC]
    chairs = db.scalars(sa.select(Membership).where(Membership.role == Role.CHAIR)).all()
    assert len(chairs) == 3 and all(c.person.user_id is None for c in chairs)
    assert db.scalar(sa.select(sa.func.count(Invitation.id))) == 3
    client.submit("/cuenta/salir", {}, form_url="/")

    # The first secretary accepts with her own verified address and schedules the first session.
    email = secretaries["Mesa de Pesca artesanal"]
    secretary = make_user(email=email, name="Secretaria de pesca")
    path = invitation_path(mailbox, email)
    client.submit("/cuenta/ingresar", {"email": email, "password": PASSWORD})
    assert client.submit(path, {}).status_code == 302
    pesca = mesas[1]
    scheduled = client.submit(
        f"/mesas/{pesca.slug}/sesiones/nueva",
        {
            "held": "no",
            "day": "2026-12-15",
            "starts": "10:00",
            "ends": "12:30",
            "kind": "ordinary",
            "modality": "in_person",
            "place": "Caleta de Los Vilos",
        },
    )
    assert scheduled.status_code == 302, text_of(scheduled)
    assert secretary.id

    # The public territory page shows it all, to anyone.
    client.submit("/cuenta/salir", {}, form_url="/")
    public = text_of(client.get("/territorios/choapa-costero"))
    for shown in (
        "Choapa Costero",
        "Región Coquimbo",
        "D.S. N° 45 de 2026, 20 de noviembre de 2026",
        "Antes de su primer plan",
        "Mesa Territorial Choapa Costero",
        "Mesa de Pesca artesanal",
        "Mesa de Agua para el secano",
        "Próxima sesión: martes, 15 de diciembre de 2026, 10:00",
        "Caleta de Los Vilos",
        *COMUNAS,
    ):
        assert shown in public, shown

    # Every action of the console is in the change log, with who did it and why.
    actions = db.scalars(sa.select(AdminAction).order_by(AdminAction.id)).all()
    assert [a.action for a in actions] == ["territory.create"] + ["mesa.create"] * 3
    assert {a.actor_id for a in actions} == {admin.id}
    assert actions[0].reason == "Decreto publicado en el Diario Oficial."
    assert json.loads(actions[0].details)["decree"] == "D.S. N° 45 de 2026"
    logged = db.scalars(
        sa.select(AuditEntry.row_id).where(AuditEntry.table_name == "admin_actions")
    ).all()
    assert sorted(logged) == [a.id for a in actions]
    assert chain.verify().ok


def test_stages_and_comunas_change_with_their_history(client, db, make_user, clock_at):
    clock_at(dt.datetime(2026, 12, 7, 13, 0, tzinfo=dt.UTC))
    admin = make_user(email=ADMIN, is_admin=True, two_factor=False)
    secret = factories.two_factor_on(admin)
    db.commit()
    sign_in_with_two_steps(client, secret)
    ids = dict(db.execute(sa.select(Comuna.name, Comuna.id).where(Comuna.name.in_(COMUNAS))).all())
    client.submit(
        "/admin/territorios/nuevo?region=04",
        {
            "name": "Choapa Costero",
            "decree": "D.S. N° 45 de 2026",
            "comunas": [str(ids["Canela"]), str(ids["Los Vilos"])],
            "since": "2024-01-01",
            "phase": "before_plan",
            "reason": "Decreto.",
        },
    )
    territory = db.scalars(sa.select(Territory)).one()
    base = f"/admin/territorios/{territory.id}"
    stage = {"phase": "annual_plan", "status": "rezagado", "since": "2025-03-01"}
    assert (
        client.submit(f"{base}/etapa", {**stage, "decree": "Res. 12", "reason": "Plan"}).status_code
        == 302
    )
    # A stage before the current one, or the same again, is refused with a reason.
    back = client.submit(
        f"{base}/etapa", {**stage, "since": "2024-06-01", "decree": "X", "reason": "Y"}
    )
    assert back.status_code == 422 and "no puede empezar antes" in text_of(back)
    exiting = {"phase": "triennial_plan", "status": "egresando", "since": "2026-10-01"}
    assert (
        client.submit(
            f"{base}/etapa", {**exiting, "decree": "D.S. 9", "reason": "Egreso"}
        ).status_code
        == 302
    )
    db.refresh(territory)
    assert (territory.phase, territory.status) == (
        TerritoryPhase.TRIENNIAL_PLAN,
        TerritoryStatus.EXITING,
    )
    # Salamanca joins; Canela leaves, and the public page keeps its history.
    joined = client.submit(
        f"{base}/comunas",
        {"comuna": str(ids["Salamanca"]), "since": "2026-01-01", "reason": "Decreto ampliatorio"},
    )
    assert joined.status_code == 302
    canela = next(m for m in territory.memberships if m.comuna.name == "Canela")
    left = client.submit(
        f"{base}/comunas/{canela.id}/salida",
        {"until": "2026-06-01", "reason": "Decreto modificatorio"},
    )
    assert left.status_code == 302
    public = text_of(client.get("/territorios/choapa-costero"))
    assert "Comunas que fueron parte del territorio" in public
    assert "Su camino en el programa" in public and "D.S. 9" in public
    assert [a.action for a in db.scalars(sa.select(AdminAction).order_by(AdminAction.id))] == [
        "territory.create",
        "territory.stage",
        "territory.stage",
        "territory.comuna_joins",
        "territory.comuna_leaves",
    ]


def test_accounts_are_deactivated_never_deleted_and_every_action_says_why(
    client, db, make_user, login, mailbox
):
    admin = make_user(email=ADMIN, is_admin=True)
    person = make_user(email="vecina@demo.example", name="Vecina del valle")
    db.commit()
    login(admin)
    page = f"/admin/personas/{person.id}"
    assert "Vecina del valle" in text_of(client.get("/admin/personas?q=vecina"))
    # Without a reason nothing happens.
    refused = client.submit(f"{page}/desactivar", {}, form_url=page)
    assert refused.status_code == 303
    db.refresh(person)
    assert person.active
    done = client.submit(
        f"{page}/desactivar", {"reason": "Lo pidió ella por escrito."}, form_url=page
    )
    assert done.status_code == 303
    db.refresh(person)
    assert not person.active and db.get(User, person.id) is not None
    # A password that stops working: a reset link goes to the account's address.
    client.submit(f"{page}/reactivar", {"reason": "Volvió a la mesa."}, form_url=page)
    client.submit(f"{page}/clave", {"reason": "Clave compartida en un grupo."}, form_url=page)
    assert mailbox()[-1]["To"] == "vecina@demo.example"
    assert "/cuenta/clave/nueva/" in mailbox()[-1].get_content()
    assert client.post("/cuenta/ingresar").status_code in (400, 422)
    # Nobody acts on their own account from the console.
    own = client.submit(f"/admin/personas/{admin.id}/quitar-admin", {"reason": "x"}, form_url=page)
    assert own.status_code == 303
    db.refresh(admin)
    assert admin.is_admin
    actions = db.scalars(sa.select(AdminAction).order_by(AdminAction.id)).all()
    assert [(a.action, a.reason) for a in actions] == [
        ("person.desactivar", "Lo pidió ella por escrito."),
        ("person.reactivar", "Volvió a la mesa."),
        ("person.clave", "Clave compartida en un grupo."),
    ]
    assert "Lo pidió ella por escrito." in text_of(client.get(page))


def test_a_regional_coordinator_runs_only_the_region_named_by_an_admin(
    client, db, make_user, login
):
    from portal.places.demo import load_pilot_territories

    load_pilot_territories()
    admin = make_user(email=ADMIN, is_admin=True)
    person = make_user(email="equipo.coquimbo@demo.example", name="Equipo Coquimbo")
    db.commit()
    coquimbo = db.scalar(sa.select(Territory).where(Territory.slug == "limari-choapa"))
    elsewhere = db.scalar(sa.select(Territory).where(Territory.region_id != coquimbo.region_id))
    login(admin)
    page = f"/admin/personas/{person.id}"
    named = client.submit(
        f"{page}/coordinacion",
        {"region": str(coquimbo.region_id), "reason": "Equipo técnico territorial 2027."},
        form_url=page,
    )
    assert named.status_code == 303
    assert "Equipo Coquimbo ahora coordina Coquimbo." in text_of(client.get(page))

    # The coordinator turns on two steps first, then runs Coquimbo's territories only.
    login(person)
    assert client.get("/admin").location == "/cuenta/dos-pasos"
    factories.two_factor_on(person)
    db.commit()
    listed = text_of(client.get("/admin/territorios"))
    assert "Limarí-Choapa" in listed and elsewhere.name not in listed
    assert client.get(f"/admin/territorios/{coquimbo.id}").status_code == 200
    assert client.get(f"/admin/territorios/{elsewhere.id}").status_code == 403
    assert client.get("/admin/personas").status_code == 403
    assert client.get("/admin/registro").status_code == 403
    made = client.submit(
        "/admin/mesas/nueva",
        {
            "kind": "thematic",
            "name": "Mesa de Apicultura",
            "theme": "Apicultura",
            "territory": str(coquimbo.id),
            "quorum_rule": "majority",
            "founding_instrument": "",
            "reason": "Pedido de la mesa territorial.",
        },
    )
    assert made.status_code == 302
    other = client.submit(
        "/admin/mesas/nueva",
        {
            "kind": "thematic",
            "name": "Mesa ajena",
            "theme": "Otra",
            "territory": str(elsewhere.id),
            "quorum_rule": "majority",
            "founding_instrument": "",
            "reason": "x",
        },
    )
    assert other.status_code == 422 and "Elige un territorio de la lista." in text_of(other)
    # The end of the coordination ends those powers, and both steps are in the log.
    login(admin)
    ending = db.scalars(sa.select(Coordination)).one()
    client.submit(
        f"{page}/coordinacion/{ending.id}/fin", {"reason": "Cambio de equipo."}, form_url=page
    )
    login(person)
    assert client.get("/admin").status_code == 403
    assert [a.action for a in db.scalars(sa.select(AdminAction).order_by(AdminAction.id))] == [
        "person.coordinate",
        "mesa.create",
        "person.stop_coordinating",
    ]


def test_merging_a_duplicate_organization_keeps_every_reference(
    client, db, make_user, make_territory, login
):
    from portal.commitments.models import Commitment
    from portal.mesas.models import ActorType, Organization, OrganizationKind
    from tests.factories import commitment, meeting, mesa, seat

    admin = make_user(email=ADMIN, is_admin=True)
    found = mesa(db, make_territory())
    keep = Organization(
        name="Instituto de Desarrollo Agropecuario",
        short_name="INDAP",
        kind=OrganizationKind.PUBLIC_SERVICE,
        actor_type=ActorType.PUBLIC,
    )
    duplicate = Organization(
        name="INDAP Coquimbo",
        kind=OrganizationKind.PUBLIC_SERVICE,
        actor_type=ActorType.PUBLIC,
        rut="61.307.000-1",
        website="https://www.indap.gob.cl",
    )
    db.add_all([keep, duplicate])
    db.flush()
    member = seat(db, found, make_user(), Role.SERVICE_REP, duplicate)
    session = meeting(db, found)
    promised = commitment(db, session, duplicate)
    db.commit()
    before = db.scalar(sa.select(sa.func.count(AuditEntry.seq)))
    login(admin)
    page = f"/admin/organizaciones/{keep.id}/fusionar"
    assert "Fusionar un duplicado en Instituto de Desarrollo Agropecuario" in text_of(
        client.get(page)
    )
    same = client.submit(page, {"duplicate": str(keep.id), "reason": "x"})
    assert same.status_code == 422
    ids = (keep.id, duplicate.id, member.id, promised.id)
    merged = client.submit(page, {"duplicate": str(ids[1]), "reason": "Registro doble."})
    assert merged.status_code == 302, text_of(merged)
    db.expire_all()
    assert db.get(Organization, ids[1]) is None
    assert db.get(Membership, ids[2]).organization_id == ids[0]
    assert db.get(Commitment, ids[3]).organization_id == ids[0]
    kept = db.get(Organization, ids[0])
    assert (kept.rut, kept.website) == ("61.307.000-1", "https://www.indap.gob.cl")
    # The commitment's change and the merge itself are in the change log, which still holds.
    after = db.scalars(sa.select(AuditEntry.table_name).where(AuditEntry.seq > before)).all()
    assert sorted(after) == ["admin_actions", "commitments"]
    assert chain.verify().ok
    action = db.scalars(sa.select(AdminAction)).one()
    details = json.loads(action.details)
    assert details["merged"]["name"] == "INDAP Coquimbo"
    assert details["moved"] == {"commitments": 1, "memberships": 1}
