"""Commitments as the mesa records them and as a citizen follows them: recorded in a session,
new due dates that keep the original, progress with evidence, the mesa's validation, and
observations from the ground. Bad input is refused with a message, storing nothing and
logging nothing."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.commitments.models import (
    Commitment,
    CommitmentStatus,
    DueDateChange,
    Evidence,
    Observation,
    ProgressUpdate,
    Validation,
)
from portal.meetings.attachments import upload_dir
from portal.meetings.models import Meeting
from portal.mesas.models import Role
from tests import factories
from tests.conftest import text_of

M = "/mesas/limari-choapa-ganaderia-caprina"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64
SESSION_DAY = dt.date(2026, 3, 14)


@pytest.fixture
def mesa(db, make_user):  # type: ignore[no-untyped-def]
    """The goat mesa with its secretary, chair, a member, INDAP's and MOP's representatives,
    and session 1 (held on 14 March 2026) with agreement 1/2026."""
    found = factories.goat_mesa(db)
    people = {}
    for role, short in (
        ("secretary", None),
        ("chair", None),
        ("member", None),
        ("indap", "INDAP"),
        ("mop", "MOP Vialidad"),
    ):
        people[role] = make_user(name=f"Persona {role}")
        if short:
            institution = factories.demo_organization(db, short)
            factories.seat(db, found, people[role], Role.SERVICE_REP, institution)
        else:
            factories.seat(db, found, people[role], role)
    meeting = factories.meeting(db, found)
    agreement = factories.agreement(
        db, meeting, statement="Mejorar el camino y asesorar a las familias."
    )
    db.commit()
    return found, people, meeting, agreement


def new_commitment(client, db, agreement, institution: str, due: str, **extra):  # type: ignore[no-untyped-def]
    data = {
        "agreement": str(agreement.id),
        "organization": str(factories.demo_organization(db, institution).id),
        "deliverable": extra.pop("deliverable", "Pavimentar 4 km del camino a Quebrada Alta."),
        "due_on": due,
        "is_public": "y",
        **extra,
    }
    return client.submit(f"{M}/sesiones/1/compromisos/nuevo", data)


def logout(client) -> None:  # type: ignore[no-untyped-def]
    assert client.submit("/cuenta/salir", {}, form_url="/").status_code in (302, 303)


def only_commitment(db) -> Commitment:  # type: ignore[no-untyped-def]
    return db.scalars(sa.select(Commitment)).one()


def entries(db) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def test_an_agreement_with_two_commitments_followed_to_validation(db, client, login, mesa):
    _mesa, people, _meeting, agreement = mesa
    login(people["secretary"])
    response = new_commitment(
        client,
        db,
        agreement,
        "MOP Vialidad",
        "2026-09-30",
        official="Dirección Regional de Vialidad",
        amount="180.000.000",
        **{
            "milestones-0-what": "Licitación adjudicada",
            "milestones-0-due_on": "2026-05-30",
        },
    )
    assert response.status_code == 303
    road_id = int(response.location.rsplit("/", 1)[1])
    response = new_commitment(
        client,
        db,
        agreement,
        "INDAP",
        "2026-06-30",
        deliverable="Asesoría técnica a 40 familias crianceras.",
    )
    assert response.status_code == 303
    road = db.get(Commitment, road_id)
    assert (road.original_due_on, road.amount, road.committed_on) == (
        dt.date(2026, 9, 30),
        180_000_000,
        SESSION_DAY,
    )
    assert [m.description for m in road.milestones] == ["Licitación adjudicada"]

    # MOP's representative moves the date, with a reason; the original stays.
    login(people["mop"])
    page = f"/compromisos/{road_id}"
    response = client.submit(
        f"{page}/nueva-fecha", {"due_on": "2026-12-15", "reason": "Licitación desierta."}
    )
    assert response.status_code == 303
    # ... and reports progress with a photo.
    response = client.submit(
        f"{page}/avance",
        {
            "reported_on": "2026-11-20",
            "text": "Se terminó la carpeta asfáltica.",
            "percent": "100",
            "done_on": "2026-11-20",
            "files": (io.BytesIO(JPEG), "camino.jpg"),
            "links-0-url": "https://www.vialidad.cl/obra",
            "links-0-title": "Ficha de la obra",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, text_of(response)
    db.expire_all()
    road = db.get(Commitment, road_id)
    assert road.status == CommitmentStatus.IN_PROGRESS
    assert road.delivery_reported
    assert road.first_update_on == dt.date(2026, 11, 20)
    photo = db.scalars(sa.select(Evidence).where(Evidence.kind == "file")).one()
    assert client.get(f"{page}/evidencias/{photo.id}").data == JPEG

    # A citizen reads it, and leaves an observation that waits for the secretary.
    logout(client)
    text = text_of(client.get(page))
    assert "Nueva fecha comprometida: 15 de diciembre de 2026" in text
    assert "Licitación desierta." in text
    assert "Entrega informada, a la espera de la validación de la mesa" in text
    response = client.submit(
        f"{page}/observaciones",
        {"text": "Falta la señalética en la curva.", "name": "Vecina"},
    )
    assert response.status_code == 303
    assert "Falta la señalética" not in text_of(client.get(page))

    # The secretary publishes it and the mesa validates the fulfilment, late.
    login(people["secretary"])
    observation = db.scalars(sa.select(Observation)).one()
    response = client.submit(f"{page}/observaciones/{observation.id}/publicar", {}, form_url=page)
    assert response.status_code == 303
    response = client.submit(
        f"{page}/validar", {"outcome": "fulfilled", "meeting": str(_meeting_id(db))}
    )
    assert response.status_code == 303, text_of(response)
    db.expire_all()
    road = db.get(Commitment, road_id)
    assert road.status == CommitmentStatus.FULFILLED
    assert road.done_on == dt.date(2026, 11, 20)
    assert road.on_time is False
    assert road.delay_days == 51
    text = text_of(client.get(page))
    assert "Falta la señalética en la curva." in text
    assert "51 días de atraso" in text


def _meeting_id(db) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(sa.select(Meeting.id).where(Meeting.number == 1))


def test_a_due_date_before_the_agreement_is_refused_and_nothing_is_stored(db, client, login, mesa):
    _mesa, people, _meeting, agreement = mesa
    login(people["secretary"])
    before = entries(db)
    response = new_commitment(client, db, agreement, "INDAP", "2026-03-01")
    assert response.status_code == 422
    text = text_of(response)
    assert "La fecha comprometida (1 de marzo de 2026) es anterior a la fecha del acuerdo" in text
    # What was typed is still there.
    assert "Pavimentar 4 km del camino a Quebrada Alta." in text
    assert db.scalar(sa.select(sa.func.count()).select_from(Commitment)) == 0
    assert entries(db) == before


def test_every_problem_of_a_new_commitment_is_listed_at_once(db, client, login, mesa):
    """A person on a phone learns all that is wrong from one submit, not one a time."""
    _mesa, people, _meeting, agreement = mesa
    login(people["secretary"])
    response = new_commitment(client, db, agreement, "INDAP", "2026-03-01", deliverable="")
    assert response.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', response.text, re.S).group(0)
    assert re.findall(r'href="#([^"]+)"', summary) == ["deliverable", "due_on"]
    assert "Di qué va a entregar la institución." in summary
    assert "es anterior a la fecha del acuerdo" in summary


def test_a_milestone_after_the_due_date_is_listed_with_every_other_problem(db, client, login, mesa):
    _mesa, people, _meeting, agreement = mesa
    login(people["secretary"])
    before = entries(db)
    response = new_commitment(
        client,
        db,
        agreement,
        "INDAP",
        "2026-06-30",
        deliverable="",
        **{"milestones-0-what": "Licitación adjudicada", "milestones-0-due_on": "2026-07-15"},
    )
    assert response.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', response.text, re.S).group(0)
    assert re.findall(r'href="#([^"]+)"', summary) == ["deliverable", "milestones-0-due_on"]
    assert "El hito «Licitación adjudicada» tiene fecha 15 de julio de 2026" in summary
    assert 'id="milestones-0-due_on-error"' in response.text
    assert entries(db) == before


def test_an_update_on_a_cancelled_commitment_is_refused(db, client, login, mesa):
    _mesa, people, _meeting, agreement = mesa
    login(people["secretary"])
    new_commitment(client, db, agreement, "INDAP", "2026-06-30")
    commitment = only_commitment(db)
    page = f"/compromisos/{commitment.id}"
    assert client.submit(f"{page}/cancelar", {"reason": "El programa se cerró."}).status_code == 303
    before = entries(db)
    form = client.get(f"{page}/avance")
    assert form.status_code == 200
    response = client.submit(
        f"{page}/avance",
        {"reported_on": "2026-04-01", "text": "Visitamos a 10 familias."},
        form_url=f"{page}/avance",
    )
    assert response.status_code == 409
    assert "Este compromiso fue cancelado" in text_of(response)
    assert "Visitamos a 10 familias." in text_of(response)
    assert db.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate)) == 0
    assert entries(db) == before
    assert "El programa se cerró." in text_of(client.get(page))


def test_a_link_typed_without_https_is_completed_and_a_broken_one_explained(
    db, client, login, mesa
):
    """A link typed as people type it is taken; a broken one is refused with a sentence (it
    showed a Python structure, or answered 500 for "http://[")."""
    _mesa, people, _meeting, agreement = mesa
    login(people["secretary"])
    new_commitment(client, db, agreement, "INDAP", "2026-06-30")
    page = f"/compromisos/{only_commitment(db).id}"
    update = {"reported_on": "2026-04-01", "text": "Visitamos a 10 familias."}
    response = client.submit(f"{page}/avance", {**update, "links-0-url": "http://["})
    assert response.status_code == 422
    text = text_of(response)
    assert "Escribe la dirección web completa, por ejemplo https://www.indap.gob.cl." in text
    assert "{" not in text.split("Revisa el formulario")[1].split("Fecha")[0]
    assert db.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate)) == 0
    response = client.submit(f"{page}/avance", {**update, "links-0-url": "www.indap.gob.cl/x"})
    assert response.status_code == 303
    assert db.scalar(sa.select(Evidence.url)) == "https://www.indap.gob.cl/x"


@pytest.mark.parametrize("who", ["member", "indap", "mop"])
def test_only_the_secretary_or_chair_validates(db, client, login, mesa, who):
    _mesa, people, meeting, agreement = mesa
    login(people["secretary"])
    new_commitment(client, db, agreement, "INDAP", "2026-06-30")
    commitment = only_commitment(db)
    login(people[who])
    assert client.get(f"/compromisos/{commitment.id}/validar").status_code == 403
    before = entries(db)
    token = client.csrf_token(f"/compromisos/{commitment.id}")
    response = client.post(
        f"/compromisos/{commitment.id}/validar",
        data={"csrf_token": token, "outcome": "fulfilled", "meeting": str(meeting.id)},
        headers={"Referer": f"https://localhost/compromisos/{commitment.id}"},
    )
    assert response.status_code == 403
    assert db.scalar(sa.select(sa.func.count()).select_from(Validation)) == 0
    assert entries(db) == before
    db.expire_all()
    assert db.get(Commitment, commitment.id).status == CommitmentStatus.PENDING


def test_evidence_that_is_not_an_allowed_type_is_refused_and_nothing_is_kept(
    app, db, client, login, mesa
):
    _mesa, people, _meeting, agreement = mesa
    login(people["secretary"])
    new_commitment(client, db, agreement, "INDAP", "2026-06-30")
    commitment = only_commitment(db)
    login(people["indap"])
    before = entries(db)
    with app.app_context():
        uploads = upload_dir()
    kept = set(uploads.iterdir()) if uploads.is_dir() else set()
    response = client.submit(
        f"/compromisos/{commitment.id}/avance",
        {
            "reported_on": "2026-04-01",
            "text": "Primera visita.",
            "files": (io.BytesIO(ELF), "foto.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "El archivo dice ser JPEG pero su contenido no lo es" in text_of(response)
    assert "Primera visita." in text_of(response)
    assert db.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate)) == 0
    assert entries(db) == before
    assert (set(uploads.iterdir()) if uploads.is_dir() else set()) == kept
    db.expire_all()
    assert db.get(Commitment, commitment.id).status == CommitmentStatus.PENDING


def test_a_representative_reports_only_for_their_own_institution(db, client, login, mesa):
    _mesa, people, _meeting, agreement = mesa
    login(people["secretary"])
    new_commitment(client, db, agreement, "INDAP", "2026-06-30")
    commitment = only_commitment(db)
    login(people["mop"])
    assert client.get(f"/compromisos/{commitment.id}/avance").status_code == 403
    assert client.get(f"/compromisos/{commitment.id}/nueva-fecha").status_code == 403
    login(people["indap"])
    assert client.get(f"/compromisos/{commitment.id}/avance").status_code == 200


def test_a_new_date_needs_a_reason_and_keeps_the_original(db, client, login, mesa):
    _mesa, people, _meeting, agreement = mesa
    login(people["secretary"])
    new_commitment(client, db, agreement, "INDAP", "2026-06-30")
    commitment = only_commitment(db)
    url = f"/compromisos/{commitment.id}/nueva-fecha"
    response = client.submit(url, {"due_on": "2026-08-30", "reason": ""})
    assert response.status_code == 422
    assert "Di por qué cambia la fecha." in text_of(response)
    response = client.submit(url, {"due_on": "2026-03-01", "reason": "Atraso."})
    assert response.status_code == 422
    assert db.scalar(sa.select(sa.func.count()).select_from(DueDateChange)) == 0
    assert client.submit(url, {"due_on": "2026-08-30", "reason": "Lluvias."}).status_code == 303
    assert client.submit(url, {"due_on": "2026-10-30", "reason": "Más lluvias."}).status_code == 303
    db.expire_all()
    commitment = db.get(Commitment, commitment.id)
    assert (commitment.original_due_on, commitment.due_on) == (
        dt.date(2026, 6, 30),
        dt.date(2026, 10, 30),
    )
    changes = db.scalars(sa.select(DueDateChange).order_by(DueDateChange.id)).all()
    assert [(c.previous_due_on.month, c.new_due_on.month) for c in changes] == [(6, 8), (8, 10)]


def test_an_overdue_commitment_says_so_and_a_private_one_is_not_public(
    app, db, client, login, mesa
):
    _mesa, people, _meeting, agreement = mesa
    login(people["secretary"])
    new_commitment(client, db, agreement, "INDAP", "2026-06-30")
    new_commitment(client, db, agreement, "SAG", "2026-06-30", is_public="")
    public, private = db.scalars(sa.select(Commitment).order_by(Commitment.id)).all()
    logout(client)
    app.config["CLOCK_SHIFT"] = dt.datetime(2026, 7, 2, 15, tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)
    try:
        assert "Atrasado" in text_of(client.get(f"/compromisos/{public.id}"))
    finally:
        del app.config["CLOCK_SHIFT"]
    assert client.get(f"/compromisos/{private.id}").status_code == 302
    login(people["member"])
    assert "no es público" in text_of(client.get(f"/compromisos/{private.id}"))


def test_a_declined_observation_keeps_its_reason_and_stays_unpublished(db, client, login, mesa):
    _mesa, people, _meeting, agreement = mesa
    login(people["secretary"])
    new_commitment(client, db, agreement, "INDAP", "2026-06-30")
    commitment = only_commitment(db)
    page = f"/compromisos/{commitment.id}"
    login(people["member"])
    client.submit(f"{page}/observaciones", {"text": "Texto ofensivo."}, form_url=page)
    observation = db.scalars(sa.select(Observation)).one()
    login(people["secretary"])
    url = f"{page}/observaciones/{observation.id}/rechazar"
    assert client.submit(url, {"reason": ""}).status_code == 422
    assert client.submit(url, {"reason": "Contiene insultos."}).status_code == 303
    db.expire_all()
    assert db.get(Observation, observation.id).decline_reason == "Contiene insultos."
    login(people["member"])
    assert "Texto ofensivo." not in text_of(client.get(page))


def test_an_empty_observation_is_explained(db, client, login, mesa):
    _mesa, people, _meeting, agreement = mesa
    login(people["secretary"])
    new_commitment(client, db, agreement, "INDAP", "2026-06-30")
    commitment = only_commitment(db)
    logout(client)
    page = f"/compromisos/{commitment.id}"
    # A visitor follows the commitment page's link to the form.
    assert f'href="{page}/observaciones"' in client.get(page).get_data(as_text=True)
    response = client.submit(f"{page}/observaciones", {"text": "  "})
    assert response.status_code == 422
    assert "Escribe lo que ves." in text_of(response)
    assert db.scalar(sa.select(sa.func.count()).select_from(Observation)) == 0


def test_the_commitment_page_does_not_query_more_with_more_history(
    db, client, login, mesa, count_queries
):
    _mesa, people, _meeting, agreement = mesa
    login(people["secretary"])
    new_commitment(client, db, agreement, "INDAP", "2026-06-30")
    commitment = only_commitment(db)
    page = f"/compromisos/{commitment.id}"

    def cost() -> int:
        with count_queries() as counter:
            assert client.get(page).status_code == 200
        return counter.count

    def add(n: int) -> None:
        client.submit(
            f"{page}/avance",
            {
                "reported_on": f"2026-04-0{n + 1}",
                "text": f"Visita {n}.",
                "links-0-url": f"https://example.org/{n}",
            },
        )
        client.submit(f"{page}/nueva-fecha", {"due_on": f"2026-0{7 + n}-01", "reason": "Atraso."})
        client.submit(f"{page}/observaciones", {"text": f"Veo {n}."}, form_url=page)

    add(0)
    first = cost()
    add(1)
    add(2)
    assert cost() == first
