"""Who hears of what: each event reaches the right people, in their language, through the
outbox and a real SMTP server on loopback; preferences, digests, unsubscribing and following."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import Notice
from portal.commitments import services as commitments
from portal.commitments.models import CommitmentStatus, Observation
from portal.core import clock
from portal.initiatives import services as initiatives
from portal.initiatives.models import Status
from portal.meetings import records
from portal.meetings import services as meetings
from portal.meetings.models import ApprovalMode, DecisionMode, MeetingKind, MeetingStatus, Modality
from portal.mesas.models import JoinRequest, Person, Role
from portal.notifications import preferences, reminders, sms, worker
from portal.notifications.models import Cadence, Follow, OutboxMessage, Target
from portal.portfolios import services as portfolios
from portal.portfolios.models import Phase, Portfolio, PortfolioLine, PortfolioVersion, StepKind
from portal.rounds import services as rounds
from portal.rounds.models import Ballot, Method
from tests import factories
from tests.conftest import text_of

NOW = dt.datetime(2026, 12, 4, 15, tzinfo=dt.UTC)  # Friday 4 December 2026, 12:00 in Santiago


@pytest.fixture
def mesa_people(db, make_user, clock_at):  # type: ignore[no-untyped-def]
    """The goat mesa with a secretary, a chair, a member who reads English, INDAP's
    representative and an observer, all with accounts."""
    clock_at(NOW)
    mesa = factories.goat_mesa(db)
    indap = factories.demo_organization(db, "INDAP")
    people = {
        "secretary": make_user(name="Sara Rojas", email="sara@demo.example"),
        "chair": make_user(name="Carlos Pizarro", email="carlos@demo.example"),
        "member": make_user(name="Ann Smith", email="ann@demo.example", locale="en"),
        "rep": make_user(name="Iván Tapia", email="ivan@demo.example"),
        "observer": make_user(name="Olga Díaz", email="olga@demo.example"),
    }
    factories.seat(db, mesa, people["secretary"], Role.SECRETARY)
    factories.seat(db, mesa, people["chair"], Role.CHAIR)
    factories.seat(db, mesa, people["member"], Role.MEMBER)
    factories.seat(db, mesa, people["rep"], Role.SERVICE_REP, indap)
    factories.seat(db, mesa, people["observer"], Role.OBSERVER)
    db.commit()
    return mesa, indap, people


def details(day: dt.date, starts: dt.time, place: str = "Sede social de Combarbalá"):  # type: ignore[no-untyped-def]
    return meetings.Details(
        day=day,
        starts=starts,
        ends=(dt.datetime.combine(day, starts) + dt.timedelta(hours=2)).time(),
        place=place,
        online_url="",
        modality=Modality.IN_PERSON,
        kind=MeetingKind.ORDINARY,
    )


def delivered(smtp) -> dict[str, list]:  # type: ignore[no-untyped-def]
    """{address: its messages} of what the worker sends now."""
    worker.run_once()
    found: dict[str, list] = {}
    for message in smtp.received:
        found.setdefault(message["To"], []).append(message)
    smtp.received.clear()
    return found


def ics_of(message) -> str:  # type: ignore[no-untyped-def]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename().endswith(".ics")
    content = attachment.get_content()
    return content.decode() if isinstance(content, bytes) else content


def test_a_session_scheduled_moved_and_cancelled_reaches_everyone_seated(
    app, db, mesa_people, smtp
):
    mesa, _indap, people = mesa_people
    day = dt.date(2026, 12, 15)
    with app.test_request_context():
        meeting = meetings.schedule(mesa, details(day, dt.time(15)), False, people["secretary"])
    db.commit()
    mails = delivered(smtp)
    # Everyone seated, observers too, but not the secretary who scheduled it.
    assert sorted(mails) == [
        "ann@demo.example",
        "carlos@demo.example",
        "ivan@demo.example",
        "olga@demo.example",
    ]
    [to_chair] = mails["carlos@demo.example"]
    assert to_chair["Subject"] == f"Sesión 1 de {mesa.name}: 15 de diciembre de 2026, 15:00"
    assert "Lugar: Sede social de Combarbalá" in to_chair.get_content()
    assert "DTSTART;TZID=America/Santiago:20261215T150000" in ics_of(to_chair)
    [to_member] = mails["ann@demo.example"]
    assert to_member["Subject"] == f"Session 1 of {mesa.name}: December 15, 2026, 15:00"
    assert 'lang="en"' in to_member.html()

    # Moved from 15:00 to 12:55: the old and the new hour, and an invitation that replaces it.
    with app.test_request_context():
        meetings.update(meeting, details(day, dt.time(12, 55)), people["secretary"])
    db.commit()
    [moved] = delivered(smtp)["carlos@demo.example"]
    assert moved["Subject"].endswith("ahora 15 de diciembre de 2026, 12:55")
    text = moved.get_content()
    assert "Antes: 15 de diciembre de 2026, 15:00" in text
    assert "Ahora: 15 de diciembre de 2026, 12:55" in text
    assert "SEQUENCE:" in ics_of(moved) and "T125500" in ics_of(moved)

    # Saved again without a change of day, hour or place: nobody is told.
    with app.test_request_context():
        meetings.update(meeting, details(day, dt.time(12, 55)), people["secretary"])
    db.commit()
    assert delivered(smtp) == {}

    with app.test_request_context():
        meetings.cancel(meeting, "Lluvia: el camino está cortado.", people["chair"])
    db.commit()
    mails = delivered(smtp)
    assert "carlos@demo.example" not in mails and "sara@demo.example" in mails
    [cancelled] = mails["sara@demo.example"]
    assert "Motivo: Lluvia: el camino está cortado." in cancelled.get_content()
    assert "STATUS:CANCELLED" in ics_of(cancelled)


def test_the_agenda_goes_to_the_members_when_the_secretary_sends_it(
    app, db, client, login, mesa_people, smtp
):
    mesa, _indap, people = mesa_people
    meeting = factories.meeting(
        db, mesa, starts_at=NOW + dt.timedelta(days=5), status=MeetingStatus.SCHEDULED
    )
    db.commit()
    login(people["secretary"])
    path = f"/mesas/{mesa.slug}/sesiones/{meeting.number}/tabla"
    assert (
        client.submit(path + "/enviar", {}, form_url=path).status_code == 303
    )  # nothing on it: refused
    assert "Agrega los puntos de la tabla antes de enviarla." in text_of(client.get(path))
    client.submit(path, {"title": "Agua para el secano", "notes": ""})
    client.submit(path, {"title": "Camino a la feria", "notes": ""})
    sent = client.submit(path + "/enviar", {}, form_url=path)
    assert sent.status_code == 303
    assert "La tabla se envió a 4 integrantes." in text_of(client.get(path))
    [to_rep] = delivered(smtp)["ivan@demo.example"]
    assert to_rep["Subject"] == f"Tabla de la sesión 1 de {mesa.name}"
    assert "1. Agua para el secano" in to_rep.get_content()
    assert "2. Camino a la feria" in to_rep.get_content()
    assert "Enviar la tabla otra vez" in text_of(client.get(path))


def test_a_commitment_reaches_its_institution_and_its_report_the_secretary(
    app, db, mesa_people, smtp
):
    mesa, indap, people = mesa_people
    held = factories.meeting(db, mesa, starts_at=NOW - dt.timedelta(days=2))
    db.commit()
    with app.test_request_context():
        commitment = commitments.record(
            held,
            commitments.CommitmentData(
                organization=indap,
                deliverable="Entregar 40 estanques de agua.",
                due_on=dt.date(2027, 3, 31),
            ),
            people["secretary"],
        )
    db.commit()
    mails = delivered(smtp)
    assert sorted(mails) == ["ivan@demo.example"]  # its institution, nobody else
    [assigned] = mails["ivan@demo.example"]
    assert assigned["Subject"] == f"Nuevo compromiso de {indap.name} en {mesa.name}"
    assert "Entregar 40 estanques de agua." in assigned.get_content()
    assert f"/compromisos/{commitment.id}" in assigned.get_content()

    # INDAP says it delivered: the chair and the secretary must validate it.
    with app.test_request_context():
        update = commitments.UpdateData(
            reported_on=clock.today(), text="Entregados en Combarbalá.", done_on=clock.today()
        )
        commitments.report(commitment, update, people["rep"])
    db.commit()
    mails = delivered(smtp)
    assert sorted(mails) == ["carlos@demo.example", "sara@demo.example"]
    assert "La mesa debe validarlo." in mails["sara@demo.example"][0].get_content()

    # A new date: to the institution and the other manager; then the mesa's word.
    with app.test_request_context():
        commitments.reschedule(
            commitment, dt.date(2027, 5, 31), "Falta de stock del proveedor.", people["chair"]
        )
    db.commit()
    assert sorted(delivered(smtp)) == ["ivan@demo.example", "sara@demo.example"]
    with app.test_request_context():
        commitments.validate(
            commitment,
            CommitmentStatus.FULFILLED,
            clock.today(),
            held,
            None,
            "",
            people["secretary"],
        )
    db.commit()
    [validated] = delivered(smtp)["ivan@demo.example"]
    assert validated["Subject"] == "La mesa validó un compromiso: cumplido"


def test_an_observation_waits_for_the_secretary_and_its_answer_reaches_its_author(
    app, db, client, mesa_people, smtp
):
    mesa, indap, people = mesa_people
    held = factories.meeting(db, mesa, starts_at=NOW - dt.timedelta(days=2))
    commitment = factories.commitment(db, held, indap, "Reparar el pozo.")
    db.commit()
    sent = client.submit(
        f"/compromisos/{commitment.id}/observaciones",
        {"text": "El pozo sigue seco.", "name": "Junta de vecinos", "email": "Junta@Demo.example"},
    )
    assert sent.status_code == 303
    mails = delivered(smtp)
    assert sorted(mails) == ["carlos@demo.example", "sara@demo.example"]
    assert "El pozo sigue seco." in mails["sara@demo.example"][0].get_content()
    observation = db.scalars(sa.select(Observation)).one()
    assert observation.author_email == "junta@demo.example"
    # The address is never shown, not even to the secretary.
    with app.test_request_context():
        commitments.decline_observation(observation, "Es de otro pozo.", people["secretary"])
    db.commit()
    [answer] = delivered(smtp)["junta@demo.example"]
    assert answer["Subject"] == "Tu observación no se publicó"
    assert "Es de otro pozo." in answer.get_content()


def test_an_acta_approved_and_published_and_an_agreement(app, db, mesa_people, smtp):
    mesa, _indap, people = mesa_people
    held = factories.meeting(db, mesa, starts_at=NOW - dt.timedelta(days=2))
    db.commit()
    with app.test_request_context():
        records.write(held, "Se acordó pedir agua.", "", people["secretary"])
        assert records.circulate(held, people["secretary"]) == 4
        records.record(
            held,
            records.Decision(
                statement="Pedir a INDAP 40 estanques.",
                mode=DecisionMode.CONSENSUS,
                votes_for=None,
                votes_against=None,
                votes_abstaining=None,
                dissent="",
                review_on=dt.date(2027, 3, 1),
                initiatives=[],
            ),
            people["secretary"],
        )
    db.commit()
    mails = delivered(smtp)
    subjects = sorted(m["Subject"] for m in mails["carlos@demo.example"])
    assert subjects == [
        f"Acta de la sesión 1 de {mesa.name} para revisión",
        f"Acuerdo 1/2026 de {mesa.name}",
    ]
    assert "La mesa lo revisará el 1 de marzo de 2027." in "".join(
        m.get_content() for m in mails["carlos@demo.example"]
    )
    with app.test_request_context():
        records.approve(held, ApprovalMode.BY_CHAIR, None, people["chair"])
        records.publish(held, people["chair"])
    db.commit()
    subjects = sorted(m["Subject"] for m in delivered(smtp)["sara@demo.example"])
    assert subjects == [
        f"Acta de la sesión 1 de {mesa.name} aprobada",
        f"Acta de la sesión 1 de {mesa.name} publicada",
    ]


def test_a_person_chooses_a_digest_or_never_and_stops_a_kind_from_the_mail(
    app, db, client, login, mesa_people, smtp
):
    mesa, _indap, people = mesa_people
    chair = people["chair"]
    login(chair)
    page = client.get("/cuenta/avisos/preferencias")
    assert page.status_code == 200 and "Se convocó una sesión" in text_of(page)
    form = {kind: "now" for kind in preferences.KINDS}
    form["meeting_scheduled"] = "daily"
    form["meeting_cancelled"] = "never"
    assert client.submit("/cuenta/avisos/preferencias", form).status_code == 302
    form["meeting_moved"] = "sometimes"
    refused = client.submit("/cuenta/avisos/preferencias", form)
    assert refused.status_code == 422 and "Elige una de las opciones." in text_of(refused)
    assert preferences.cadence(chair, "meeting_moved") == Cadence.NOW  # nothing half-saved

    with app.test_request_context():
        first = meetings.schedule(
            mesa, details(dt.date(2026, 12, 15), dt.time(15)), False, people["secretary"]
        )
        meetings.schedule(
            mesa, details(dt.date(2026, 12, 22), dt.time(15)), False, people["secretary"]
        )
        meetings.cancel(first, "Se juntó con la siguiente.", people["secretary"])
    db.commit()
    mails = delivered(smtp)
    assert "carlos@demo.example" not in mails  # daily, and never
    assert len(mails["olga@demo.example"]) == 3  # at once, each
    # Every notice is still in the portal.
    notices = db.scalars(sa.select(Notice).where(Notice.user_id == chair.id)).all()
    assert len(notices) == 3

    # The day's digest: one mail with both sessions; a second run sends nothing more.
    with app.test_request_context():
        reminders.remind()
        reminders.remind()
    [digest] = delivered(smtp)["carlos@demo.example"]
    assert digest["Subject"] == "Tus 2 avisos del día en el portal de las mesas"
    assert "15 de diciembre de 2026" in digest.get_content()
    assert "22 de diciembre de 2026" in digest.get_content()

    # From an at-once mail, without signing in: that kind stops, the others go on.
    olga_mail = sorted(mails["olga@demo.example"], key=lambda m: m["Subject"])[0]
    link = re.search(r"https://localhost(/avisos/dejar/\S+)", olga_mail.get_content())[1]
    assert olga_mail["List-Unsubscribe"] == f"<https://localhost{link}>"
    client.post("/cuenta/salir")
    anonymous = client.get(link)
    assert anonymous.status_code == 200
    stopped = client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert stopped.status_code == 200 and "ya no recibirás correos" in text_of(stopped)
    olga = people["observer"]
    kind = preferences.read_unsubscribe(link.rsplit("/", 1)[1])[1]
    assert preferences.cadence(olga, kind) == Cadence.NEVER
    others = [k for k in ("meeting_scheduled", "meeting_cancelled") if k != kind]
    assert all(preferences.cadence(olga, k) == Cadence.NOW for k in others)
    assert client.get("/avisos/dejar/falso").status_code == 404


def test_a_citizen_follows_a_mesa_by_mail_and_stops_with_one_click(
    app, db, client, mesa_people, smtp
):
    mesa, _indap, people = mesa_people
    asked = client.submit(f"/seguir/mesa/{mesa.id}", {"email": "vecina@demo.example"})
    assert asked.status_code == 303
    assert "Enviamos un enlace a vecina@demo.example" in text_of(client.get(f"/mesas/{mesa.slug}"))
    [confirm] = delivered(smtp)["vecina@demo.example"]
    link = re.search(r"https://localhost(/seguir/confirmar/\S+)", confirm.get_content())[1]

    # Not confirmed yet: no news.
    with app.test_request_context():
        meetings.schedule(
            mesa, details(dt.date(2026, 12, 15), dt.time(15)), False, people["secretary"]
        )
    db.commit()
    assert "vecina@demo.example" not in delivered(smtp)

    assert client.get(link).status_code == 302
    with app.test_request_context():
        meetings.schedule(
            mesa, details(dt.date(2026, 12, 22), dt.time(15)), False, people["secretary"]
        )
    db.commit()
    [news] = delivered(smtp)["vecina@demo.example"]
    assert news["Subject"].startswith("Sesión 2 de")
    stop = re.search(r"https://localhost(/seguir/dejar/\S+)", news.get_content())[1]
    assert client.post(stop).status_code == 200
    follow = db.scalars(sa.select(Follow)).one()
    assert follow.ended_at is not None

    assert client.get("/seguir/confirmar/falso").status_code == 404
    refused = client.submit(f"/seguir/mesa/{mesa.id}", {"email": "no es correo"})
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    assert client.post("/seguir/planeta/1", data={}).status_code in (400, 404)


def test_a_member_follows_a_commitment_and_hears_of_it_as_followed_news(
    app, db, client, login, mesa_people, make_user, smtp
):
    mesa, indap, people = mesa_people
    held = factories.meeting(db, mesa, starts_at=NOW - dt.timedelta(days=2))
    commitment = factories.commitment(db, held, indap, "Reparar el pozo.")
    neighbour = make_user(name="Vecino Uno", email="vecino@demo.example")
    db.commit()
    login(neighbour)
    page = f"/compromisos/{commitment.id}"
    assert (
        client.submit(f"/seguir/compromiso/{commitment.id}", {}, form_url=page).status_code == 303
    )
    assert "Lo sigues: sus novedades llegan a tus avisos." in text_of(client.get(page))
    with app.test_request_context():
        commitments.reschedule(commitment, dt.date(2027, 12, 1), "Lluvias.", people["secretary"])
    db.commit()
    [news] = delivered(smtp)["vecino@demo.example"]
    assert news["Subject"] == f"Nueva fecha para un compromiso de {indap.name}"
    notice = db.scalars(sa.select(Notice).where(Notice.user_id == neighbour.id)).one()
    assert notice.kind == "followed"
    assert (
        client.submit(f"/seguir/compromiso/{commitment.id}", {}, form_url=page).status_code == 303
    )
    assert "Ya no lo sigues." in text_of(client.get(page))


def kinds_for(db, user) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(db.scalars(sa.select(Notice.kind).where(Notice.user_id == user.id)).all())


def test_a_round_opens_reminds_who_has_not_voted_and_closes_with_its_result(
    app, db, mesa_people, clock_at
):
    mesa, _indap, people = mesa_people
    water = factories.initiative(
        db, mesa, "Agua", status=Status.IN_DELIBERATION, proposer_id=people["member"].id
    )
    road = factories.initiative(
        db, mesa, "Camino", status=Status.IN_DELIBERATION, proposer_id=people["member"].id
    )
    db.commit()
    with app.test_request_context():
        found = rounds.open_round(
            mesa,
            rounds.Setup(
                title="Prioridades 2027",
                method=Method.APPROVAL,
                initiatives=[water, road],
                max_choices=1,
            ),
            people["secretary"],
        )
    db.commit()
    opened = db.scalars(sa.select(Notice).where(Notice.kind == "round_opened")).all()
    assert sorted(n.user_id for n in opened) == sorted(
        people[r].id for r in ("chair", "member", "rep", "observer")
    )
    chair_notice = next(n for n in opened if n.user_id == people["chair"].id)
    assert chair_notice.subject == f"Priorización abierta en {mesa.name}: Prioridades 2027"

    # Two days before the session where it can close: those who take part and have not voted.
    db.add(Ballot(round_id=found.id, user_id=people["member"].id))
    factories.meeting(
        db, mesa, 1, starts_at=NOW + dt.timedelta(days=2), status=MeetingStatus.SCHEDULED
    )
    db.commit()
    with app.test_request_context():
        reminders.remind()
        reminders.remind()
    reminded = db.scalars(sa.select(Notice.user_id).where(Notice.kind == "round_closing")).all()
    assert sorted(reminded) == sorted(people[r].id for r in ("secretary", "chair", "rep"))

    held = factories.meeting(db, mesa, 2, starts_at=NOW - dt.timedelta(hours=1))
    db.commit()
    with app.test_request_context():
        rounds.close(found, held, people["secretary"])
        initiatives.change_status(road, Status.DISCARDED, "No cabe este año.", people["chair"])
    db.commit()
    closed = db.scalars(
        sa.select(Notice).where(Notice.kind == "round_closed", Notice.user_id == people["chair"].id)
    ).one()
    assert closed.subject == "Resultado de la ronda Prioridades 2027"
    assert "1. Agua" in closed.body
    # The proposer hears of her initiative, in English; the chair who moved it does not.
    assert "initiative_status" not in kinds_for(db, people["chair"])
    told = db.scalars(
        sa.select(Notice).where(
            Notice.kind == "initiative_status", Notice.user_id == people["member"].id
        )
    ).one()
    assert told.subject == "Your initiative is now: discarded"
    assert "No cabe este año." in told.body


def test_remind_twice_a_day_gives_each_reminder_once_on_its_day(
    app, db, mesa_people, clock_at, smtp
):
    mesa, indap, _people = mesa_people
    held = factories.meeting(db, mesa, starts_at=NOW - dt.timedelta(days=31))
    due = NOW.date() + dt.timedelta(days=20)
    commitment = factories.commitment(db, held, indap, "Reparar el pozo.", due_on=due)
    factories.agreement(db, held, review_on=NOW.date())
    db.commit()

    def remind_at(day: dt.date) -> dict[str, int]:
        clock_at(dt.datetime.combine(day, dt.time(9), tzinfo=clock.SANTIAGO))
        with app.test_request_context():
            given = reminders.remind()
            again = reminders.remind()
        assert again == {}, again  # the second run of the day sends nothing
        return given

    # Today: the acta unapproved 30 days after its session, and the agreement to review, to
    # the chair and the secretary.
    assert remind_at(NOW.date()) == {"minutes_unapproved": 2, "agreement_review": 2}
    # 14 days before: INDAP's representative, the secretary and the chair.
    assert remind_at(due - dt.timedelta(days=15)) == {}
    assert remind_at(due - dt.timedelta(days=14)) == {"commitment_due": 3}
    assert remind_at(due - dt.timedelta(days=10)) == {}
    assert remind_at(due - dt.timedelta(days=3)) == {"commitment_due": 3}
    rep_mail = [m for m in delivered(smtp)["ivan@demo.example"]]
    assert [m["Subject"] for m in rep_mail][-1] == (
        f"Un compromiso de {indap.name} vence en 3 días"
    )
    assert remind_at(due) == {}
    # Overdue: once a week, one notice per person listing them.
    assert remind_at(due + dt.timedelta(days=1)) == {"commitment_overdue": 3}
    assert remind_at(due + dt.timedelta(days=2)) == {}
    assert remind_at(due + dt.timedelta(days=8)) == {"commitment_overdue": 3}
    # A new date starts its reminders again.
    commitment.due_on = due + dt.timedelta(days=60)
    db.commit()
    assert remind_at(due + dt.timedelta(days=60 - 14)) == {"commitment_due": 3}

    # A session in two days: its agenda to everyone seated, once.
    soon = factories.meeting(
        db,
        mesa,
        2,
        starts_at=dt.datetime.combine(
            due + dt.timedelta(days=60 - 14 + 2), dt.time(15), tzinfo=clock.SANTIAGO
        ),
        status=MeetingStatus.SCHEDULED,
    )
    db.commit()
    assert remind_at(due + dt.timedelta(days=60 - 14)) == {"meeting_soon": 5}
    assert soon.id


def test_each_person_sees_what_waits_for_them(
    app, db, client, login, mesa_people, make_user, count_queries
):
    mesa, indap, people = mesa_people
    held = factories.meeting(db, mesa, starts_at=NOW - dt.timedelta(days=40))
    late = factories.commitment(db, held, indap, "Reparar el pozo.", due_on=NOW.date())
    factories.commitment(db, held, indap, "Pavimentar el camino.", due_on=dt.date(2027, 6, 1))
    delivered_one = factories.commitment(
        db, held, indap, "Entregar estanques.", reported_done_on=NOW.date()
    )
    late.due_on = NOW.date() - dt.timedelta(days=10)
    asking = make_user(name="Rosa Aravena", email="rosa@demo.example")
    db.add(JoinRequest(mesa=mesa, user=asking))
    db.add(Observation(commitment_id=late.id, text="El pozo sigue seco."))
    db.commit()

    login(people["rep"])
    page = client.get("/pendientes")
    text = text_of(page)
    assert "Compromisos de mi institución por reportar (2)" in text
    assert text.index("Reparar el pozo.") < text.index("Pavimentar el camino.")
    assert "vencido desde el 24 de noviembre de 2026" in text
    assert f'href="/compromisos/{late.id}"' in page.get_data(as_text=True)
    assert "Pendientes (2)" in text  # the header's count
    assert "Entregas por validar" not in text
    mine = text_of(client.get("/mis-mesas"))
    assert "2 cosas te esperan: compromisos por reportar" in mine

    login(people["secretary"])
    page = client.get("/pendientes")
    text = text_of(page)
    assert "Entregas por validar (1)" in text
    assert f'href="/compromisos/{delivered_one.id}"' in page.get_data(as_text=True)
    assert "Observaciones por revisar (1)" in text
    assert "Solicitudes para integrarse (1)" in text or "Rosa Aravena pide integrarse" in text
    assert "Compromisos de mi institución" not in text

    login(make_user(name="Sin mesa", email="nadie@demo.example"))
    assert "Nada te espera ahora." in text_of(client.get("/pendientes"))

    # The same number of queries with many more lines.
    login(people["secretary"])
    with count_queries() as before:
        client.get("/pendientes")
    for n in range(30):
        factories.commitment(db, held, indap, f"Entrega {n}.", reported_done_on=NOW.date())
        db.add(Observation(commitment_id=late.id, text=f"Observación {n}."))
    db.commit()
    with count_queries() as after:
        client.get("/pendientes")
    assert after.count == before.count
    # The header's count and the page's sections are counted once, in one query.
    counted = [s for s in after.statements if s.count("count(*)") >= 3]
    assert len(counted) == 1, counted
    with count_queries() as mine:
        client.get("/mis-mesas")
    assert len([s for s in mine.statements if s.count("count(*)") >= 3]) == 1


class RecordingTexts:
    """A text-message provider as one would be added: it keeps what it was asked to send."""

    sent: list[tuple[str, str]] = []

    def __init__(self, config) -> None:  # type: ignore[no-untyped-def]
        self.config = config

    def send(self, to: str, text: str) -> None:
        if to == "+56900000000":
            raise sms.Refusal("no such number", permanent=True)
        RecordingTexts.sent.append((to, text))


def test_members_on_record_with_a_phone_get_a_text_once_a_provider_is_added(
    app, db, mesa_people, smtp, monkeypatch
):
    mesa, _indap, people = mesa_people
    factories.seat(db, mesa, Person(name="Juan Cortés", phone="+56987654321"))
    factories.seat(db, mesa, Person(name="Número malo", phone="+56900000000"))
    factories.seat(db, mesa, Person(name="Sin teléfono"))
    db.commit()
    # Without a provider nothing is queued for them.
    with app.test_request_context():
        meetings.schedule(mesa, details(dt.date(2026, 12, 15), dt.time(15)), False, people["chair"])
    db.commit()
    assert db.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == "sms")).all() == []

    RecordingTexts.sent = []
    monkeypatch.setitem(sms.PROVIDERS, "prueba", RecordingTexts)
    monkeypatch.setitem(app.config, "SMS_PROVIDER", "prueba")
    with app.test_request_context():
        meetings.schedule(mesa, details(dt.date(2026, 12, 22), dt.time(10)), False, people["chair"])
    db.commit()
    tally = worker.run_once()
    assert tally.given_up == 1
    [(to, text)] = RecordingTexts.sent
    assert to == "+56987654321"
    assert text == (
        f"Sesión 2 de {mesa.name}: 22 de diciembre de 2026, 10:00. Sede social de Combarbalá"
    )
    assert len(text) <= sms.MAX_LENGTH


def test_the_secretary_prints_one_sheet_per_member_without_email(
    app, db, client, login, mesa_people, count_queries
):
    mesa, indap, people = mesa_people
    earlier = factories.meeting(db, mesa, 1, starts_at=NOW - dt.timedelta(days=20))
    factories.agreement(db, earlier, statement="Pedir estanques a INDAP.")
    factories.commitment(
        db, earlier, indap, "Reparar el pozo.", due_on=NOW.date() - dt.timedelta(days=2)
    )
    factories.seat(db, mesa, Person(name="Juan Cortés"), Role.SERVICE_REP, indap)
    factories.seat(db, mesa, Person(name="María Olivares"))
    next_one = factories.meeting(
        db, mesa, 2, starts_at=NOW + dt.timedelta(days=3), status=MeetingStatus.SCHEDULED
    )
    db.commit()
    login(people["secretary"])
    page = client.get(f"/mesas/{mesa.slug}/sesiones/{next_one.number}/avisos-impresos")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('class="notice-sheet"') == 2
    text = text_of(page)
    assert "Avisos para Juan Cortés" in text and "Avisos para María Olivares" in text
    # Juan sits for INDAP: its overdue commitment is on his sheet only.
    juan = html[html.index("Avisos para Juan Cortés") : html.index("Avisos para María Olivares")]
    assert "Reparar el pozo." in juan and "vencido desde el 2 de diciembre de 2026" in juan
    assert "Pedir estanques a INDAP." in juan
    maria = html[html.index("Avisos para María Olivares") :]
    assert "vencido desde" not in maria and "Pedir estanques a INDAP." in maria
    # The same number of queries for a pile three times as tall.
    path = f"/mesas/{mesa.slug}/sesiones/{next_one.number}/avisos-impresos"
    with count_queries() as before:
        client.get(path)
    for n in range(4):
        factories.seat(db, mesa, Person(name=f"Socio {n}"), Role.SERVICE_REP, indap)
        factories.commitment(db, earlier, indap, f"Entrega {n}.", due_on=NOW.date())
        factories.agreement(db, earlier, n + 2, statement=f"Acuerdo {n}.")
    db.commit()
    with count_queries() as after:
        assert client.get(path).get_data(as_text=True).count('class="notice-sheet"') == 6
    assert after.count == before.count
    login(people["member"])
    assert client.get(path).status_code == 403


def test_a_portfolio_agreed_reaches_the_mesa_territorial_and_the_territorys_followers(
    app, db, mesa_people, make_user, smtp
):
    _goats, _indap, people = mesa_people
    territorial = factories.demo_mesa(db, "mesa-territorial-limari-choapa")
    factories.seat(db, territorial, people["secretary"], Role.SECRETARY)
    factories.seat(db, territorial, people["chair"], Role.MEMBER)
    held = factories.meeting(db, territorial, starts_at=NOW - dt.timedelta(days=1))
    agreed_in = factories.agreement(db, held, statement="Acordar la cartera anual.")
    water = factories.initiative(db, territorial, "Agua")
    portfolio = Portfolio(
        territory_id=territorial.territory_id,
        mesa=territorial,
        title="Cartera anual 2027",
        phase=Phase.ANNUAL,
    )
    version = PortfolioVersion(portfolio=portfolio, number=1)
    version.lines = [PortfolioLine(position=1, initiative=water)]
    db.add_all([portfolio, version])
    db.add(
        Follow(
            target=Target.TERRITORY,
            target_id=territorial.territory_id,
            email="vecina@demo.example",
            confirmed_at=NOW,
        )
    )
    db.commit()
    with app.test_request_context():
        portfolios.record_step(
            version, StepKind.AGREED, clock.today(), people["secretary"], agreement=agreed_in
        )
    db.commit()
    mails = delivered(smtp)
    assert sorted(mails) == ["carlos@demo.example", "vecina@demo.example"]
    [to_chair] = mails["carlos@demo.example"]
    assert to_chair["Subject"] == "Cartera acordada: Cartera anual 2027"
    assert "Ahora la revisa la mesa técnica regional." in to_chair.get_content()
    [to_citizen] = mails["vecina@demo.example"]
    assert "/seguir/dejar/" in to_citizen.get_content()
    assert to_citizen["List-Unsubscribe"].startswith("<https://localhost/seguir/dejar/")


def test_the_institution_answers_a_published_observation_in_public_once(
    app, db, client, login, mesa_people, smtp
):
    mesa, indap, people = mesa_people
    held = factories.meeting(db, mesa, starts_at=NOW - dt.timedelta(days=2))
    commitment = factories.commitment(db, held, indap, "Reparar el pozo.")
    db.commit()
    page = f"/compromisos/{commitment.id}"
    client.submit(
        page + "/observaciones",
        {"text": "El pozo sigue seco.", "name": "", "email": "junta@demo.example"},
    )
    observation = db.scalars(sa.select(Observation)).one()
    answer = f"{page}/observaciones/{observation.id}/responder"

    # Not yet published: nothing to answer.
    login(people["rep"])
    refused = client.submit(answer, {"answer": "Vamos la próxima semana."})
    assert refused.status_code == 409
    assert "Solo se puede responder una observación publicada." in text_of(refused)
    with app.test_request_context():
        commitments.publish_observation(observation, people["secretary"])
    db.commit()
    delivered(smtp)

    # Someone who does not sit for INDAP cannot answer for it.
    login(people["secretary"])
    assert client.get(answer).status_code == 403
    login(people["rep"])
    assert "Responderla por INDAP" in text_of(client.get(page))
    empty = client.submit(answer, {"answer": "   "})
    assert empty.status_code == 422
    assert "Escribe la respuesta de la institución." in text_of(empty)
    sent = client.submit(answer, {"answer": "Vamos la próxima semana con el camión aljibe."})
    assert sent.status_code == 303
    client.post("/cuenta/salir")
    public = text_of(client.get(page))
    assert "Respuesta de INDAP" in public
    assert "Vamos la próxima semana con el camión aljibe." in public
    # Its author hears of it at the address she left.
    [told] = delivered(smtp)["junta@demo.example"]
    assert told["Subject"] == "INDAP respondió una observación"
    assert "camión aljibe" in told.get_content()
    # Given once: a second answer is refused and the first stays.
    login(people["rep"])
    again = client.submit(answer, {"answer": "Otra cosa."})
    assert again.status_code == 409
    db.refresh(observation)
    assert observation.answer == "Vamos la próxima semana con el camión aljibe."
