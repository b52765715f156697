"""Memberships: joining, approving, inviting, members without account, leaving, the public
roster and its history, the member directory, and the status of a mesa."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import Notice, User
from portal.core import clock
from portal.core.models import utcnow
from portal.mesas import services
from portal.mesas.demo import load_demo_members, load_demo_mesas
from portal.mesas.models import (
    ActorType,
    Invitation,
    JoinRequest,
    Membership,
    Mesa,
    MesaStatus,
    MesaStatusChange,
    Organization,
    Person,
    RequestStatus,
    Role,
)
from portal.permissions import can
from portal.places.demo import load_pilot_territories
from tests.conftest import text_of

GOATS = "limari-choapa-ganaderia-caprina"
WINE = "valle-del-itata-vinos-patrimoniales"
COOPERATIVE = "Cooperativa Caprina Quebrada Alta"


@pytest.fixture
def mesas(db):
    load_pilot_territories()
    load_demo_mesas()
    db.commit()
    return {m.slug: m for m in db.scalars(sa.select(Mesa))}


@pytest.fixture
def organization(db):
    def by_name(name: str) -> Organization:
        return db.scalars(
            sa.select(Organization).where(
                sa.or_(Organization.name == name, Organization.short_name == name)
            )
        ).one()

    return by_name


@pytest.fixture
def seat(db):
    """Seats a user (or a person kept on record, given by name) at a mesa."""

    def make(mesa: Mesa, who: User | str, role: Role = Role.MEMBER, org=None, **kw) -> Membership:
        person = services.person_for(who) if isinstance(who, User) else Person(name=who)
        membership = Membership(
            mesa=mesa,
            person=person,
            role=role,
            organization=org,
            actor_type=org.actor_type if org else ActorType.SOCIAL,
            started_on=kw.pop("started_on", dt.date(2025, 3, 1)),
            **kw,
        )
        db.add(membership)
        db.commit()
        return membership

    return make


@pytest.fixture
def secretary(mesas, make_user, seat, organization):
    user = make_user(name="Javiera Secretaria")
    seat(mesas[GOATS], user, Role.SECRETARY, organization("Gobierno Regional de Coquimbo"))
    return user


def current(db, mesa: Mesa) -> list[Membership]:
    return list(
        db.scalars(
            sa.select(Membership).where(
                Membership.mesa_id == mesa.id, Membership.ended_on.is_(None)
            )
        )
    )


def request_path(slug: str, request_id: int) -> str:
    return f"/mesas/{slug}/solicitudes/{request_id}"


APPROVE = {"decision": "approve", "role": "member", "actor_type": "private"}


# Joining ---------------------------------------------------------------------------------------


def test_a_producer_asks_to_join_for_her_cooperative_and_the_secretary_approves(
    client, db, login, make_user, mesas, secretary, organization, mailbox
):
    producer = make_user(name="Rosa Aravena", email="rosa@demo.example")
    coop = organization(COOPERATIVE)
    login(producer)
    page = client.get(f"/mesas/{GOATS}")
    assert "Pedir integrarme a esta mesa" in text_of(page)

    sent = client.submit(
        f"/mesas/{GOATS}/unirme", {"organization": str(coop.id), "message": "Somos 14 socias."}
    )
    assert sent.status_code == 302
    page = client.get(f"/mesas/{GOATS}")
    assert "La respuesta está pendiente" in text_of(page)

    # The secretary is told, in the portal and by mail, with a link to the request.
    notice = db.scalars(sa.select(Notice).where(Notice.user_id == secretary.id)).one()
    assert notice.subject == f"Rosa Aravena pide integrarse a {mesas[GOATS].name}"
    assert "en representación de Cooperativa Caprina Quebrada Alta" in notice.body
    assert "Somos 14 socias." in notice.body
    mails = mailbox()
    assert [m["To"] for m in mails] == [secretary.email]
    assert notice.link in mails[0].get_content()

    login(secretary)
    assert "Avisos (1 nuevo)" in text_of(client.get("/"))
    form = client.get(notice.link)
    assert "Rosa Aravena" in text_of(form) and COOPERATIVE in text_of(form)
    answered = client.submit(notice.link, {**APPROVE, "organization": str(coop.id)})
    assert answered.status_code == 302

    membership = db.scalars(
        sa.select(Membership).join(Person).where(Person.user_id == producer.id)
    ).one()
    assert (membership.role, membership.organization_id) == (Role.MEMBER, coop.id)
    assert membership.started_on == clock.today()
    told = db.scalars(sa.select(Notice).where(Notice.user_id == producer.id)).one()
    assert told.subject == f"Ahora integras {mesas[GOATS].name}"
    assert mailbox()[-1]["To"] == "rosa@demo.example"

    # The citizen sees the cooperative with one member; ordinary members are not named.
    client.submit("/cuenta/salir", {}, form_url="/")
    public = text_of(client.get(f"/mesas/{GOATS}"))
    assert f"{COOPERATIVE} 1 integrante" in public
    assert "Rosa Aravena" not in public
    assert "Secretaría: Javiera Secretaria" in public


def test_approving_a_request_twice_says_who_already_did_and_changes_nothing(
    client, db, login, make_user, mesas, secretary
):
    asking = make_user()
    request = JoinRequest(mesa=mesas[GOATS], user=asking)
    db.add(request)
    db.commit()
    login(secretary)
    path = request_path(GOATS, request.id)
    first = client.submit(path, APPROVE)
    second = client.submit(path, APPROVE)
    assert first.status_code == 302
    assert second.status_code == 409
    assert "Javiera Secretaria ya aprobó esta solicitud el" in text_of(second)
    assert len(current(db, mesas[GOATS])) == 2  # the secretary and the new member, once


def test_declining_needs_a_reason_which_the_person_reads(
    client, db, login, make_user, mesas, secretary
):
    asking = make_user()
    request = JoinRequest(mesa=mesas[GOATS], user=asking)
    db.add(request)
    db.commit()
    login(secretary)
    path = request_path(GOATS, request.id)
    without = client.submit(path, {"decision": "decline", "role": "member", "actor_type": "social"})
    assert without.status_code == 422
    assert "Explica por qué rechazas" in text_of(without)
    db.refresh(request)
    assert request.status == RequestStatus.PENDING

    reason = "La mesa es de productores de Combarbalá; te invitamos a la mesa de turismo."
    declined = client.submit(
        path, {"decision": "decline", "role": "member", "actor_type": "social", "reason": reason}
    )
    assert declined.status_code == 302
    db.refresh(request)
    assert request.status == RequestStatus.DECLINED
    notice = db.scalars(sa.select(Notice).where(Notice.user_id == asking.id)).one()
    assert reason in notice.body
    assert current(db, mesas[GOATS])[0].person.user_id == secretary.id  # nobody new


def test_a_secretary_cannot_act_on_another_mesa(client, db, login, make_user, mesas, secretary):
    asking = make_user()
    other = JoinRequest(mesa=mesas[WINE], user=asking)
    db.add(other)
    db.commit()
    login(secretary)
    # Through the other mesa's address: not her mesa.
    assert client.get(request_path(WINE, other.id)).status_code == 403
    own = f"/mesas/{GOATS}/gestion"
    refused = client.submit(request_path(WINE, other.id), APPROVE, form_url=own)
    assert refused.status_code == 403
    # Through her own mesa's address: that request is not there.
    smuggled = client.submit(request_path(GOATS, other.id), APPROVE, form_url=own)
    assert smuggled.status_code == 404
    db.refresh(other)
    assert other.status == RequestStatus.PENDING and current(db, mesas[WINE]) == []
    assert client.get(f"/mesas/{WINE}/gestion").status_code == 403
    added = client.submit(
        f"/mesas/{WINE}/integrantes/nuevo",
        {"name": "X", "role": "member", "actor_type": "social"},
        form_url=own,
    )
    assert added.status_code == 403 and current(db, mesas[WINE]) == []


def test_asking_twice_or_asking_to_join_a_closed_mesa_is_refused(
    client, db, login, make_user, mesas
):
    user = make_user()
    login(user)
    assert client.submit(f"/mesas/{GOATS}/unirme", {"organization": ""}).status_code == 302
    again = client.get(f"/mesas/{GOATS}/unirme", follow_redirects=True)
    assert "Ya pediste integrarte a esta mesa" in text_of(again)
    assert db.scalar(sa.select(sa.func.count()).select_from(JoinRequest)) == 1

    mesas[WINE].status = MesaStatus.CLOSED
    db.commit()
    assert client.get(f"/mesas/{WINE}/unirme").status_code == 403
    assert "Pedir integrarme" not in text_of(client.get(f"/mesas/{WINE}"))


def test_a_pending_request_can_be_withdrawn(client, db, login, make_user, mesas):
    user = make_user()
    login(user)
    client.submit(f"/mesas/{GOATS}/unirme", {"organization": ""})
    withdrawn = client.submit(f"/mesas/{GOATS}/unirme/retirar", {}, form_url=f"/mesas/{GOATS}")
    assert withdrawn.status_code == 302
    request = db.scalars(sa.select(JoinRequest)).one()
    assert request.status == RequestStatus.WITHDRAWN
    assert "Pedir integrarme a esta mesa" in text_of(client.get(f"/mesas/{GOATS}"))


def test_an_unknown_organization_in_a_request_gets_a_field_error(client, login, make_user, mesas):
    login(make_user())
    page = client.submit(f"/mesas/{GOATS}/unirme", {"organization": "999999"})
    assert page.status_code == 422
    assert "Elige una organización de la lista." in text_of(page)


# Invitations -----------------------------------------------------------------------------------


def test_an_invitation_link_works_once(client, db, login, make_user, mesas, secretary, mailbox):
    login(secretary)
    sent = client.submit(
        f"/mesas/{GOATS}/invitar",
        {"name": "Carmen Invitada", "email": "carmen@demo.example", "role": "observer"},
    )
    assert sent.status_code == 302
    mail = mailbox()[-1]
    assert mail["To"] == "carmen@demo.example"
    link = re.search(r"https?://\S+/invitaciones/\S+", mail.get_content()).group(0)
    path = link.split("localhost", 1)[1]

    client.submit("/cuenta/salir", {}, form_url="/")
    anonymous = client.get(path)
    assert anonymous.status_code == 200
    assert "Para aceptar, ingresa" in text_of(anonymous)

    carmen = make_user(name="Carmen Invitada", email="carmen@demo.example")
    login(carmen)
    accepted = client.submit(path, {})
    assert accepted.status_code == 302
    membership = current(db, mesas[GOATS])[-1]
    assert (membership.person.user_id, membership.role) == (carmen.id, Role.OBSERVER)

    # The same link again, by anyone: it was used, and nothing more is stored.
    login(make_user())
    again = client.get(path)
    assert again.status_code == 410
    assert "Esta invitación ya se usó el" in text_of(again)
    assert client.submit(path, {}, form_url="/").status_code == 410
    assert len(current(db, mesas[GOATS])) == 2
    # The secretary was told who accepted.
    assert (
        db.scalar(
            sa.select(sa.func.count()).select_from(Notice).where(Notice.user_id == secretary.id)
        )
        == 1
    )


def test_an_invitation_works_only_for_the_account_of_its_address(
    client, db, login, make_user, mesas, secretary, mailbox
):
    """An invitation to be secretary, opened by another member who is signed in, does not make
    that member secretary; the invited address's owner then accepts it."""
    login(secretary)
    client.submit(
        f"/mesas/{GOATS}/invitar",
        {"name": "Nueva Secretaria", "email": "nueva@demo.example", "role": "secretary"},
    )
    path = re.search(r"https://localhost(/invitaciones/\S+)", mailbox()[-1].get_content())[1]
    intruder = make_user(name="Otro Integrante", email="otro@demo.example")
    login(intruder)
    page = client.get(path)
    assert "Esta invitación se envió a otro correo" in text_of(page)
    assert "Aceptar e integrarme a la mesa" not in text_of(page)
    refused = client.submit(path, {})
    assert refused.status_code == 303
    assert "Esta invitación se envió a otro correo" in text_of(client.get(refused.location))
    assert [m.person.user_id for m in current(db, mesas[GOATS])] == [secretary.id]
    invited = make_user(name="Nueva Secretaria", email="Nueva@demo.example")
    login(invited)
    assert client.submit(path, {}).status_code == 302
    newest = current(db, mesas[GOATS])[-1]
    assert (newest.person.user_id, newest.role) == (invited.id, Role.SECRETARY)


def test_an_expired_or_cancelled_invitation_says_so(client, db, login, mesas, secretary):
    token = services.invite(
        mesas[GOATS],
        "a@demo.example",
        "A",
        services.Seat(Role.MEMBER, None, ActorType.SOCIAL),
        secretary,
    )
    old = services.invite(
        mesas[GOATS],
        "b@demo.example",
        "B",
        services.Seat(Role.MEMBER, None, ActorType.SOCIAL),
        secretary,
    )
    services.find_invitation(old).expires_at = utcnow() - dt.timedelta(days=1)
    db.commit()
    expired = client.get(f"/invitaciones/{old}")
    assert expired.status_code == 410 and "Esta invitación venció el" in text_of(expired)
    assert client.get("/invitaciones/nada").status_code == 410

    login(secretary)
    invitation = services.find_invitation(token)
    cancelled = client.submit(
        f"/mesas/{GOATS}/invitaciones/{invitation.id}/anular",
        {},
        form_url=f"/mesas/{GOATS}/gestion",
    )
    assert cancelled.status_code == 302
    page = client.get(f"/invitaciones/{token}")
    assert page.status_code == 410 and "anuló esta invitación" in text_of(page)


# Members without account -------------------------------------------------------------------------


def test_a_member_without_account_is_kept_on_record_and_never_mailed(
    client, db, login, make_user, mesas, secretary, organization, mailbox
):
    login(secretary)
    coop = organization(COOPERATIVE)
    added = client.submit(
        f"/mesas/{GOATS}/integrantes/nuevo",
        {
            "name": "Eliana Tapia",
            "phone": "9 8765 4321",
            "share_phone": "y",
            "role": "member",
            "organization": str(coop.id),
            "actor_type": "private",
            "is_delegate": "y",
            "started_on": "2025-04-10",
        },
    )
    assert added.status_code == 302
    record = next(m for m in current(db, mesas[GOATS]) if m.person.user_id is None)
    assert record.person.phone == "+56987654321" and record.is_delegate
    assert record.started_on == dt.date(2025, 4, 10)
    assert "Sin cuenta; no recibe correos" in text_of(client.get(f"/mesas/{GOATS}/gestion"))
    assert mailbox() == []

    # She opens an account later; the secretary sends the link to her address, and once she
    # opens it, signed in with that address, her membership follows.
    eliana = make_user(name="Eliana Tapia", email="eliana@demo.example")
    linked = client.submit(
        f"/mesas/{GOATS}/integrantes/{record.id}/cuenta", {"email": "eliana@demo.example"}
    )
    assert linked.status_code == 302
    db.refresh(record)
    assert record.person.user_id is None  # not until she says it is her
    mail = mailbox()[-1]
    assert mail["To"] == "eliana@demo.example"
    assert "te mantiene en registro" in mail.get_content()
    path = re.search(r"https?://localhost(/invitaciones/\S+)", mail.get_content()).group(1)
    login(eliana)
    page = client.get(path)
    assert "Confirmar que soy yo" in text_of(page)
    assert client.submit(path, {}).status_code == 302
    db.refresh(record)
    assert record.person.user_id == eliana.id


def test_linking_a_record_never_tells_whether_an_address_has_an_account(
    client, db, login, make_user, mesas, secretary, seat, mailbox
):
    """The secretary reads the same answer for any address, and the mail goes to the address."""
    make_user(email="con.cuenta@demo.example")
    login(secretary)
    answers = []
    for email in ("con.cuenta@demo.example", "sin.cuenta@demo.example"):
        record = seat(mesas[GOATS], f"Registro de {email}")
        sent = client.submit(f"/mesas/{GOATS}/integrantes/{record.id}/cuenta", {"email": email})
        page = client.get(sent.location)
        flashed = re.search(r'<div class="flashes".*?</div>', page.get_data(as_text=True), re.S)
        said = flashed.group(0).replace(email, "EMAIL").replace(f"Registro de {email}", "NAME")
        answers.append((sent.status_code, page.status_code, said))
    assert answers[0] == answers[1]
    assert answers[0][:2] == (302, 200) and "Enviamos un enlace a EMAIL" in answers[0][2]
    assert [m["To"] for m in mailbox()] == ["con.cuenta@demo.example", "sin.cuenta@demo.example"]


def test_adding_a_member_with_a_date_in_the_future_is_refused(client, db, login, mesas, secretary):
    login(secretary)
    tomorrow = clock.today() + dt.timedelta(days=1)
    page = client.submit(
        f"/mesas/{GOATS}/integrantes/nuevo",
        {"name": "Eliana", "role": "member", "actor_type": "social", "started_on": str(tomorrow)},
    )
    assert page.status_code == 422
    assert "La fecha no puede estar en el futuro." in text_of(page)
    assert "Eliana" in page.get_data(as_text=True)  # what was typed is kept
    assert len(current(db, mesas[GOATS])) == 1


# Leaving, ending, changing -----------------------------------------------------------------------


def test_leaving_ends_the_membership_and_the_public_history_keeps_it(
    client, db, login, make_user, mesas, seat, organization
):
    user = make_user(name="Rosa Aravena")
    membership = seat(mesas[GOATS], user, Role.MEMBER, organization(COOPERATIVE))
    login(user)
    left = client.submit(f"/mesas/{GOATS}/salir", {"reason": "Me cambié a la mesa de turismo."})
    assert left.status_code == 302
    db.refresh(membership)
    assert membership.ended_on == clock.today()
    assert db.get(Membership, membership.id) is not None

    client.submit("/cuenta/salir", {}, form_url="/")
    public = text_of(client.get(f"/mesas/{GOATS}"))
    assert "Quiénes integraron esta mesa antes" in public
    today = clock.today().strftime("%d-%m-%Y")
    assert f"{COOPERATIVE} Integrante 01-03-2025 {today}" in public
    assert "Me cambié a la mesa de turismo." in public
    assert "Rosa Aravena" not in public  # an ordinary member is not named, even in history


def test_ending_a_membership_before_it_began_is_refused_and_changes_nothing(
    client, db, login, mesas, secretary, seat
):
    record = seat(mesas[GOATS], "Socio de registro", started_on=dt.date(2025, 5, 1))
    login(secretary)
    page = client.submit(
        f"/mesas/{GOATS}/integrantes/{record.id}/termino", {"ended_on": "2025-04-01"}
    )
    assert page.status_code == 422
    assert "no puede ser anterior al inicio de la participación" in text_of(page)
    db.refresh(record)
    assert record.ended_on is None


def test_a_new_role_is_a_new_membership_so_the_history_shows_who_held_it(
    client, db, login, make_user, mesas, seat
):
    record = seat(mesas[GOATS], "Socio de registro")
    chair = make_user(name="Marcela Presidenta")
    seat(mesas[GOATS], chair, Role.CHAIR)
    login(chair)
    changed = client.submit(
        f"/mesas/{GOATS}/integrantes/{record.id}",
        {"name": "Socio de registro", "role": "chair", "actor_type": "social"},
    )
    assert changed.status_code == 302
    db.expire_all()
    rows = db.scalars(
        sa.select(Membership)
        .where(Membership.person_id == record.person_id)
        .order_by(Membership.id)
    ).all()
    assert [(m.role, m.ended_on) for m in rows] == [
        (Role.MEMBER, clock.today()),
        (Role.CHAIR, None),
    ]
    assert "Presidencia: Socio de registro" in text_of(client.get(f"/mesas/{GOATS}"))


def test_only_the_chair_names_or_removes_a_chair_and_nobody_changes_their_own_seat(
    client, db, login, make_user, mesas, secretary, seat
):
    record = seat(mesas[GOATS], "Socio de registro")
    chair = seat(mesas[GOATS], make_user(name="Marcela Presidenta"), Role.CHAIR)
    own = current(db, mesas[GOATS])[0]
    assert own.person.user_id == secretary.id
    login(secretary)
    # The secretary cannot make someone chair: the form says why and nothing changes.
    refused = client.submit(
        f"/mesas/{GOATS}/integrantes/{record.id}",
        {"name": "Socio de registro", "role": "chair", "actor_type": "social"},
    )
    assert refused.status_code == 422
    assert "Solo la presidencia de la mesa nombra a quien la preside." in text_of(refused)
    # Nor change or end the chair's seat, nor her own (not even to make herself chair).
    for membership in (chair, own):
        for path in ("", "/termino"):
            url = f"/mesas/{GOATS}/integrantes/{membership.id}{path}"
            assert client.get(url).status_code == 403
            data = {"role": "chair", "actor_type": "social", "ended_on": str(clock.today())}
            assert client.submit(url, data, form_url=f"/mesas/{GOATS}/gestion").status_code == 403
    db.expire_all()
    assert [(m.person.name or m.person.user.name, m.role) for m in current(db, mesas[GOATS])] == [
        ("Javiera Secretaria", Role.SECRETARY),
        ("Socio de registro", Role.MEMBER),
        ("Marcela Presidenta", Role.CHAIR),
    ]
    manage = text_of(client.get(f"/mesas/{GOATS}/gestion"))
    assert "Tu propio puesto: lo cambia otra persona que administra la mesa." in manage
    assert "Solo la presidencia cambia el puesto de la presidencia." in manage


# The directory and what is never public ---------------------------------------------------------


def test_the_directory_shows_only_what_each_member_chose_to_share(
    client, db, login, make_user, mesas, seat, comuna
):
    shy = make_user(name="Pedro Reservado", email="pedro@demo.example", phone="+56911111111")
    open_ = make_user(name="Ana Abierta", email="ana@demo.example", phone="+56922222222")
    seat(mesas[GOATS], shy)
    mine = seat(mesas[GOATS], open_)
    login(open_)
    saved = client.submit(f"/mesas/{GOATS}/integrantes", {"share_email": "y", "share_phone": "y"})
    assert saved.status_code == 302
    db.refresh(mine)
    assert mine.share_email and mine.share_phone
    directory = text_of(client.get(f"/mesas/{GOATS}/integrantes"))
    assert "ana@demo.example" in directory and "+56922222222" in directory
    assert "Pedro Reservado" in directory
    assert "pedro@demo.example" not in directory and "+56911111111" not in directory

    # Nothing of it on the public page, whoever reads it.
    public = client.get(f"/mesas/{GOATS}").get_data(as_text=True)
    for secret in ("ana@demo.example", "+56922222222", "pedro@demo.example"):
        assert secret not in public


def test_the_directory_is_closed_to_people_outside_the_mesa(client, login, make_user, mesas):
    login(make_user())
    assert client.get(f"/mesas/{GOATS}/integrantes").status_code == 403


# Status ----------------------------------------------------------------------------------------


def test_a_status_change_needs_a_reason_and_shows_in_the_public_history(
    client, db, login, mesas, secretary
):
    login(secretary)
    path = f"/mesas/{GOATS}/estado"
    missing = client.submit(path, {"status": "dormant", "since": "2025-06-01"})
    assert missing.status_code == 422
    assert "Explica por qué cambia el estado" in text_of(missing)
    future = client.submit(
        path, {"status": "dormant", "since": "2099-01-01", "reason": "Sin sesiones"}
    )
    assert future.status_code == 422
    assert db.scalar(sa.select(sa.func.count()).select_from(MesaStatusChange)) == 0

    done = client.submit(
        path,
        {"status": "dormant", "since": "2025-06-01", "reason": "No sesiona desde el invierno."},
    )
    assert done.status_code == 302
    public = text_of(client.get(f"/mesas/{GOATS}"))
    assert "Sin reunirse (desde el 1 de junio de 2025)" in public
    assert "1 de junio de 2025: Activa → Sin reunirse. No sesiona desde el invierno." in public


# The policy ------------------------------------------------------------------------------------


def test_the_policy_by_role(app, db, make_user, mesas, seat):
    mesa = mesas[GOATS]
    people = {"user": make_user(), "admin": make_user(is_admin=True)}
    for role in Role:
        people[role.value] = make_user()
        seat(mesa, people[role.value], role)
    expected = {
        # action: roles allowed, in the order user, admin, chair, secretary, member, service
        # representative, observer
        "mesa.view": {"user", "admin", "chair", "secretary", "member", "service_rep", "observer"},
        "mesa.read_internal": {"admin", "chair", "secretary", "member", "service_rep", "observer"},
        "mesa.take_part": {"chair", "secretary", "member", "service_rep"},
        "mesa.manage": {"admin", "chair", "secretary"},
        "mesa.request_join": {"user", "admin"},
        "mesa.leave": {"chair", "secretary", "member", "service_rep", "observer"},
        "organization.manage": {"admin", "chair", "secretary"},
    }
    with app.test_request_context():
        for action, allowed in expected.items():
            got = {name for name, user in people.items() if can(user, action, mesa)}
            assert got == allowed, action
        with pytest.raises(ValueError):
            can(people["admin"], "mesa.destroy", mesa)


# Query counts ----------------------------------------------------------------------------------


def test_mesa_pages_make_the_same_number_of_queries_with_many_members(
    client, db, login, mesas, secretary, seat, count_queries
):
    mesa = mesas[GOATS]
    paths = (f"/mesas/{GOATS}", f"/mesas/{GOATS}/integrantes", f"/mesas/{GOATS}/gestion")
    login(secretary)

    def counts() -> list[int]:
        result = []
        for path in paths:
            with count_queries() as q:
                assert client.get(path).status_code == 200
            result.append(q.count)
        return result

    seat(mesa, "Primera persona")
    few = counts()
    for n in range(60):
        seat(mesa, f"Persona {n}", Role.SERVICE_REP if n % 3 else Role.MEMBER)
        db.add(
            JoinRequest(
                mesa=mesa, user=User(name=f"U{n}", email=f"u{n}@demo.example", password_hash="x")
            )
        )
    db.commit()
    assert counts() == few


# Demo ------------------------------------------------------------------------------------------


def test_demo_members_seat_every_mesa_and_each_role_has_an_account(db, mesas):
    from portal.accounts.demo import load_demo_accounts

    load_demo_accounts()
    assert load_demo_members() > 0
    db.commit()
    assert load_demo_members() == 0  # idempotent
    empty = db.scalars(
        sa.select(Mesa.slug).where(~sa.exists().where(Membership.mesa_id == Mesa.id))
    ).all()
    assert empty == []
    roles = set(
        db.execute(
            sa.select(User.email, Membership.role)
            .join(Person, Person.user_id == User.id)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.mesa_id == mesas[GOATS].id)
        ).all()
    )
    assert {role for _, role in roles} == set(Role)
    assert db.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_the_secretary_updates_the_chair_title_and_the_description_is_sanitized(
    client, db, login, mesas, secretary
):
    login(secretary)
    page = client.submit(
        f"/mesas/{GOATS}/editar",
        {
            "name": "Mesa Caprina de Limarí-Choapa",
            "theme": "Ganadería caprina",
            "chair_title": "Delegada Presidencial Provincial de Limarí",
            "description": "Sesiona en **Combarbalá**.<script>alert(1)</script>"
            "[ver](javascript:alert(1))",
            "founding_instrument": "protocol",
            "founded_on": "2014-10-15",
        },
    )
    assert page.status_code == 302
    public = client.get(f"/mesas/{GOATS}")
    html = public.get_data(as_text=True)
    assert "La preside Delegada Presidencial Provincial de Limarí" in text_of(public)
    assert "<strong>Combarbalá</strong>" in html
    assert "<script>alert" not in html and "javascript:" not in html
    db.refresh(mesas[GOATS])
    assert mesas[GOATS].name == "Mesa Caprina de Limarí-Choapa"


def test_editing_a_mesa_with_a_future_founding_date_keeps_what_was_typed(
    client, login, mesas, secretary
):
    login(secretary)
    page = client.submit(
        f"/mesas/{GOATS}/editar",
        {"name": "Nuevo nombre", "founding_instrument": "", "founded_on": "2099-01-01"},
    )
    assert page.status_code == 422
    assert "La fecha no puede estar en el futuro." in text_of(page)
    assert 'value="Nuevo nombre"' in page.get_data(as_text=True)


def test_reading_the_notices_marks_them_read(client, db, login, make_user, mesas, secretary):
    login(make_user())
    client.submit(f"/mesas/{GOATS}/unirme", {"organization": ""})
    login(secretary)
    assert "Avisos (1 nuevo)" in text_of(client.get("/"))
    page = client.get("/cuenta/avisos")
    assert "Nuevo: " in text_of(page)  # shown as new this once
    assert "Avisos (1 nuevo)" not in text_of(page)
    assert "Avisos (" not in text_of(client.get("/"))
    assert "Nuevo: " not in text_of(client.get("/cuenta/avisos"))
