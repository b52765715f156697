"""Sessions as the secretary runs them and as a citizen reads them: scheduling, the agenda,
attendance and quorum, agreements, the acta from draft to published and its corrections."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.core import clock
from portal.core.clock import SANTIAGO
from portal.core.markdown import render
from portal.meetings.models import (
    AgendaItem,
    Agreement,
    AgreementStatus,
    Meeting,
    MeetingStatus,
    MinutesRevision,
    MinutesStatus,
)
from portal.mesas.models import Membership, Mesa, QuorumRule, Role
from tests import factories
from tests.conftest import text_of

M = "/mesas/limari-choapa-ganaderia-caprina"


def later(days: int) -> dt.date:
    return clock.today() + dt.timedelta(days=days)


@pytest.fixture
def mesa(db, make_user):  # type: ignore[no-untyped-def]
    """The goat mesa with a secretary, a chair, an observer and twelve members on record."""
    found = factories.goat_mesa(db)
    people = {}
    for role in ("secretary", "chair", "observer", "member"):
        people[role] = make_user(name=f"Persona {role}")
        factories.seat(db, found, people[role], role)
    for n in range(11):
        factories.seat(db, found, f"Socia {n:02d}")
    db.commit()
    return found, people


def schedule(client, day: dt.date, held: str = "no", **extra):  # type: ignore[no-untyped-def]
    data = {
        "held": held,
        "day": day.isoformat(),
        "starts": "10:00",
        "ends": "12:30",
        "kind": "ordinary",
        "modality": "in_person",
        "place": "Sede social de Cogotí",
        **extra,
    }
    return client.submit(f"{M}/sesiones/nueva", data)


def test_a_session_follows_the_hall(db, client, login, mesa, clock_at):
    """On the session's day the secretary starts it early, or moves its start earlier, and
    records agreements; "Send" for the acta shows only once the session is held."""
    _found, people = mesa
    clock_at(dt.datetime(2026, 6, 10, 9, 0, tzinfo=SANTIAGO))
    login(people["secretary"])
    assert schedule(client, dt.date(2026, 6, 10), starts="11:00", ends="13:00").status_code == 302
    assert schedule(client, dt.date(2026, 6, 10), starts="12:00", ends="14:00").status_code == 302
    assert schedule(client, dt.date(2026, 6, 11)).status_code == 302
    agreement = {"statement": "Pedir a INDAP una visita técnica.", "mode": "consensus"}
    # Before it starts: refused with the way forward, and what was typed stays.
    response = client.submit(f"{M}/sesiones/1/acuerdos/nuevo", agreement)
    assert response.status_code == 409
    assert "Iniciar la sesión ahora" in text_of(response)
    assert "Pedir a INDAP una visita técnica." in response.get_data(as_text=True)
    # Started now, two hours early: agreements are taken.
    response = client.submit(
        f"{M}/sesiones/1/inicio",
        {"next": f"{M}/sesiones/1/acuerdos/nuevo"},
        form_url=f"{M}/sesiones/1",
    )
    assert response.status_code == 303
    assert response.location.endswith(f"{M}/sesiones/1/acuerdos/nuevo")
    assert client.submit(f"{M}/sesiones/1/acuerdos/nuevo", agreement).status_code == 302
    # Session 2: its start moved earlier, to a time that has just passed today.
    response = client.submit(
        f"{M}/sesiones/2/editar",
        {
            "day": "2026-06-10",
            "starts": "08:45",
            "ends": "11:00",
            "kind": "ordinary",
            "modality": "in_person",
            "place": "Sede social",
        },
    )
    assert response.status_code in (302, 303), text_of(response)
    assert client.submit(f"{M}/sesiones/2/acuerdos/nuevo", agreement).status_code == 302
    # Session 3 is tomorrow: it cannot be started today.
    page = text_of(client.get(f"{M}/sesiones/3"))
    assert "Iniciar la sesión ahora" not in page
    response = client.submit(f"{M}/sesiones/3/inicio", {}, form_url=f"{M}/sesiones/3")
    assert "se puede iniciar el día de la sesión" in text_of(client.get(f"{M}/sesiones/3"))
    # The acta of session 1: no "Send" until the session is marked held.
    client.submit(f"{M}/sesiones/1/acta/editar", {"text": "Se abre la sesión.", "reason": ""})
    page = text_of(client.get(f"{M}/sesiones/1/acta"))
    assert "Enviar a los integrantes" not in page
    assert "una vez que la sesión se marca como realizada" in page
    client.submit(f"{M}/sesiones/1/realizada", {}, form_url=f"{M}/sesiones/1")
    assert "Enviar a los integrantes" in text_of(client.get(f"{M}/sesiones/1/acta"))


def test_a_date_at_the_end_of_time_is_refused_with_a_sentence(db, client, login, mesa):
    _found, people = mesa
    login(people["secretary"])
    response = schedule(client, dt.date(9999, 12, 31), starts="23:30", ends="23:59")
    assert response.status_code == 422
    assert "Escribe una fecha entre 1900 y 2100." in text_of(response)
    assert db.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0


def members_of(db, mesa: Mesa) -> list[Membership]:  # type: ignore[no-untyped-def]
    return list(
        db.scalars(
            sa.select(Membership).where(Membership.mesa_id == mesa.id).order_by(Membership.id)
        )
    )


def test_the_secretary_runs_a_session_and_a_citizen_reads_its_acta(db, client, login, mesa):
    found, people = mesa
    login(people["secretary"])
    # A session already held last week, recorded afterwards.
    response = schedule(client, later(-7), held="yes")
    assert response.status_code == 302
    assert response.location.endswith(f"{M}/sesiones/1/tabla")
    for title in ("Lectura del acta anterior", "Cuenta de INDAP", "Forraje", "Varios"):
        client.submit(f"{M}/sesiones/1/tabla", {"title": title, "notes": ""})
    items = db.scalars(sa.select(AgendaItem).order_by(AgendaItem.position)).all()
    # "Varios" goes up one place with the button (no JavaScript needed).
    response = client.submit(
        f"{M}/sesiones/1/tabla/{items[3].id}/mover",
        {"direction": "up"},
        form_url=f"{M}/sesiones/1/tabla",
    )
    assert response.status_code == 303
    page = text_of(client.get(f"{M}/sesiones/1"))
    assert page.index("Varios") < page.index("Forraje")

    # Attendance: 12 of the 14 active members (the observer does not count).
    members = [m for m in members_of(db, found) if m.role != Role.OBSERVER]
    assert len(members) == 14
    page = text_of(client.get(f"{M}/sesiones/1/asistencia"))
    assert "No hay quórum todavía" in page and "se necesitan 8" in page
    response = client.submit(
        f"{M}/sesiones/1/asistencia", {"present": [m.id for m in members[:7]], "unnamed": "3"}
    )
    assert response.status_code == 302
    assert "1 más" in text_of(client.get(f"{M}/sesiones/1/asistencia"))
    response = client.submit(
        f"{M}/sesiones/1/asistencia", {"present": [m.id for m in members[:13]], "unnamed": "3"}
    )
    page = text_of(client.get(f"{M}/sesiones/1/asistencia"))
    assert "Hay quórum" in page and "13 de 14 integrantes activos presentes" in page
    client.submit(
        f"{M}/sesiones/1/asistencia/invitados",
        {"name": "Rosa Fuentes", "organization": "Municipalidad de Combarbalá"},
        form_url=f"{M}/sesiones/1/asistencia",
    )

    # Two agreements: by consensus, and by a 9-3-1 vote.
    response = client.submit(
        f"{M}/sesiones/1/acuerdos/nuevo",
        {"statement": "Pedir a INDAP una visita técnica.", "mode": "consensus"},
    )
    assert response.status_code == 302
    response = client.submit(
        f"{M}/sesiones/1/acuerdos/nuevo",
        {
            "statement": "Comprar forraje en conjunto.",
            "mode": "vote",
            "votes_for": "9",
            "votes_against": "3",
            "votes_abstaining": "1",
            "dissent": "Tres socias prefieren comprar por separado.",
        },
    )
    assert response.status_code == 302
    year = later(-7).year
    labels = [a.label for a in db.scalars(sa.select(Agreement).order_by(Agreement.number))]
    assert labels == [f"1/{year}", f"2/{year}"]

    # The acta: written, sent to the members, not public yet.
    client.submit(
        f"{M}/sesiones/1/acta/editar",
        {"text": "Se abre la sesión a las 10:00.\n\nAsisten 13 integrantes.", "reason": ""},
    )
    response = client.submit(f"{M}/sesiones/1/acta/enviar", {}, form_url=f"{M}/sesiones/1/acta")
    assert response.status_code == 303
    assert "enviada para revisión a 3 integrantes" in text_of(client.get(f"{M}/sesiones/1/acta"))
    client.submit("/cuenta/salir", {}, form_url="/")
    assert client.get(f"{M}/sesiones/1/acta").status_code == 302
    assert "Comprar forraje" not in text_of(client.get(f"{M}/sesiones/1"))

    # The next session approves it; then it is published.
    login(people["secretary"])
    schedule(client, later(-1), held="yes")
    response = client.submit(f"{M}/sesiones/1/acta/aprobar", {"mode": "in_session"})
    assert response.status_code == 422  # which session?
    session_2 = db.scalar(sa.select(Meeting.id).where(Meeting.number == 2))
    response = client.submit(
        f"{M}/sesiones/1/acta/aprobar", {"mode": "in_session", "session": str(session_2)}
    )
    assert response.status_code == 302
    response = client.submit(f"{M}/sesiones/1/acta/publicar", {}, form_url=f"{M}/sesiones/1/acta")
    assert response.status_code == 303

    # A citizen without an account reads it all.
    client.submit("/cuenta/salir", {}, form_url="/")
    page = text_of(client.get(f"{M}/actas"))
    assert "Acta de la sesión 1" in page
    assert f"Acuerdo 2/{year}" in page
    assert "Por votación: a favor 9, en contra 3, abstenciones 1" in page
    acta = text_of(client.get(f"{M}/sesiones/1/acta"))
    assert "Asisten 13 integrantes." in acta
    assert "por los integrantes en la sesión 2" in acta
    printed = text_of(client.get(f"{M}/sesiones/1/acta/imprimir"))
    assert "Comprar forraje en conjunto." in printed and "Rosa Fuentes" in printed
    # Names of ordinary members stay private on the public page.
    assert "Socia 00" not in text_of(client.get(f"{M}/sesiones/1"))


def test_the_members_are_told_when_the_acta_is_sent(db, client, login, mesa, mailbox):
    _found, people = mesa
    login(people["secretary"])
    schedule(client, later(-3), held="yes")
    client.submit(f"{M}/sesiones/1/acta/editar", {"text": "Texto.", "reason": ""})
    client.submit(f"{M}/sesiones/1/acta/enviar", {}, form_url=f"{M}/sesiones/1/acta")
    subjects = {m["To"]: m["Subject"] for m in mailbox()}
    assert people["member"].email in subjects and people["chair"].email in subjects
    assert "Acta de la sesión 1" in subjects[people["member"].email]
    assert people["secretary"].email not in subjects


@pytest.fixture
def held(db, client, login, mesa):  # type: ignore[no-untyped-def]
    found, people = mesa
    login(people["secretary"])
    schedule(client, later(-2), held="yes")
    return found, people, db.scalar(sa.select(Meeting).where(Meeting.number == 1))


def test_a_session_in_the_past_cannot_be_scheduled(db, client, login, mesa):
    _, people = mesa
    login(people["secretary"])
    response = schedule(client, later(-1))
    assert response.status_code == 422
    assert "ya pasaron" in text_of(response)
    assert "Ya se realizó" in text_of(response)
    assert db.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0
    # What was typed is still in the form.
    assert 'value="Sede social de Cogotí"' in response.get_data(as_text=True)


def test_a_future_session_cannot_be_recorded_as_held_nor_marked_held(db, client, login, mesa):
    _, people = mesa
    login(people["secretary"])
    assert schedule(client, later(5), held="yes").status_code == 422
    assert schedule(client, later(5)).status_code == 302
    response = client.submit(f"{M}/sesiones/1/realizada", {}, form_url=f"{M}/sesiones/1")
    assert response.status_code == 303
    assert "desde ese día" in text_of(client.get(f"{M}/sesiones/1"))
    assert db.scalar(sa.select(Meeting.status)) == MeetingStatus.SCHEDULED


def test_ends_before_it_starts_and_in_person_without_a_place_are_explained(client, login, mesa):
    _, people = mesa
    login(people["secretary"])
    response = schedule(client, later(5), ends="09:00")
    assert response.status_code == 422 and "debe terminar después" in text_of(response)
    response = schedule(client, later(5), place="")
    assert response.status_code == 422 and "Indica dónde" in text_of(response)


def test_vote_counts_larger_than_the_attendance_are_refused(db, client, held):
    found, _, _meeting = held
    members = [m for m in members_of(db, found) if m.role != Role.OBSERVER]
    client.submit(f"{M}/sesiones/1/asistencia", {"present": [m.id for m in members[:10]]})
    data = {
        "statement": "Comprar forraje en conjunto.",
        "mode": "vote",
        "votes_for": "9",
        "votes_against": "3",
        "votes_abstaining": "1",
    }
    response = client.submit(f"{M}/sesiones/1/acuerdos/nuevo", data)
    assert response.status_code == 422
    assert "13 votos" in text_of(response) and "solo 10 integrantes" in text_of(response)
    assert "Comprar forraje en conjunto." in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 0
    response = client.submit(f"{M}/sesiones/1/acuerdos/nuevo", {**data, "votes_for": "-2"})
    assert response.status_code == 422
    assert db.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 0


def test_markdown_with_script_is_stored_as_typed_and_shown_inert(db, client, held):
    text = (
        "Acta.\n\n<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[pincha aquí](javascript:alert(1)) y <a href='#' onclick='alert(1)'>esto</a>"
    )
    assert client.submit(f"{M}/sesiones/1/acta/editar", {"text": text}).status_code == 302
    assert db.scalar(sa.select(MinutesRevision.text)) == text
    html = client.get(f"{M}/sesiones/1/acta").get_data(as_text=True)
    body = html.split('class="prose acta">', 1)[1].split("</div>", 1)[0]
    for dangerous in ("<script", "onerror", "onclick", "javascript:", "<img"):
        assert dangerous not in body
    assert "pincha aquí" in body


def test_a_correction_of_a_published_acta_keeps_the_earlier_text_with_the_reason(
    db, client, login, held
):
    _, people, _meeting = held
    client.submit(f"{M}/sesiones/1/acta/editar", {"text": "Asisten 12 integrantes."})
    client.submit(f"{M}/sesiones/1/acta/enviar", {}, form_url=f"{M}/sesiones/1/acta")
    login(people["chair"])
    assert client.submit(f"{M}/sesiones/1/acta/aprobar", {"mode": "by_chair"}).status_code == 302
    client.submit(f"{M}/sesiones/1/acta/publicar", {}, form_url=f"{M}/sesiones/1/acta")
    # Without a reason, the correction is refused and nothing changes.
    response = client.submit(f"{M}/sesiones/1/acta/editar", {"text": "Asisten 13 integrantes."})
    assert response.status_code == 422 and "por qué" in text_of(response)
    assert db.scalar(sa.select(sa.func.count()).select_from(MinutesRevision)) == 1
    response = client.submit(
        f"{M}/sesiones/1/acta/editar",
        {"text": "Asisten 13 integrantes.", "reason": "Faltaba contar a la tesorera."},
    )
    assert response.status_code == 302
    client.submit("/cuenta/salir", {}, form_url="/")
    acta = text_of(client.get(f"{M}/sesiones/1/acta"))
    assert "Asisten 13 integrantes." in acta
    assert "Corrección después de aprobada: Faltaba contar a la tesorera." in acta
    first = text_of(client.get(f"{M}/sesiones/1/acta/versiones/1"))
    assert "Asisten 12 integrantes." in first and "Es un texto anterior" in first
    changes = client.get(f"{M}/sesiones/1/acta/versiones/2").get_data(as_text=True)
    assert "<del>" in changes and "Asisten 12 integrantes." in changes
    assert "<ins>" in changes and "Asisten 13 integrantes." in changes


def test_an_approved_acta_changes_only_through_a_correction_it_shows(db, client, login, held):
    """Adding an agreement, a commitment or changing the attendance of a session whose acta
    is approved needs a reason; the published acta shows each correction. Before, an
    agreement added later changed the approved acta under its readers."""
    _, people, meeting = held
    client.submit(
        f"{M}/sesiones/1/acuerdos/nuevo", {"statement": "Reunirse en Cogotí.", "mode": "consensus"}
    )
    client.submit(f"{M}/sesiones/1/acta/editar", {"text": "Asisten 12 integrantes."})
    client.submit(f"{M}/sesiones/1/acta/enviar", {}, form_url=f"{M}/sesiones/1/acta")
    login(people["chair"])
    client.submit(f"{M}/sesiones/1/acta/aprobar", {"mode": "by_chair"})
    client.submit(f"{M}/sesiones/1/acta/publicar", {}, form_url=f"{M}/sesiones/1/acta")
    client.submit("/cuenta/salir", {}, form_url="/")
    before = text_of(client.get(f"{M}/sesiones/1/acta"))
    login(people["secretary"])
    late = {"statement": "Comprar forraje en conjunto.", "mode": "consensus"}
    # Without a reason: refused, nothing stored, what was typed stays.
    response = client.submit(f"{M}/sesiones/1/acuerdos/nuevo", late)
    assert response.status_code == 422
    assert "Di por qué se corrige" in text_of(response)
    assert "Comprar forraje en conjunto." in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 1
    response = client.submit(f"{M}/sesiones/1/asistencia", {"present": [], "unnamed": "4"})
    assert response.status_code == 422
    client.submit("/cuenta/salir", {}, form_url="/")
    assert text_of(client.get(f"{M}/sesiones/1/acta")) == before
    # With a reason: stored, and the acta says so.
    login(people["secretary"])
    why = "Se omitió al transcribir el acta."
    response = client.submit(f"{M}/sesiones/1/acuerdos/nuevo", {**late, "correction": why})
    assert response.status_code == 302
    response = client.submit(
        f"{M}/sesiones/1/asistencia",
        {"present": [], "unnamed": "4", "correction": "Llegaron cuatro vecinas."},
    )
    assert response.status_code == 302
    client.submit("/cuenta/salir", {}, form_url="/")
    acta = text_of(client.get(f"{M}/sesiones/1/acta"))
    assert "Correcciones después de aprobada el acta" in acta
    assert f"Acuerdo 2/{meeting.day.year} agregado. Por qué: {why}" in acta
    assert "Por qué: Llegaron cuatro vecinas." in acta
    printed = text_of(client.get(f"{M}/sesiones/1/acta/imprimir"))
    assert why in printed


def test_only_the_chair_approves_outside_a_session(db, client, held):
    client.submit(f"{M}/sesiones/1/acta/editar", {"text": "Texto."})
    client.submit(f"{M}/sesiones/1/acta/enviar", {}, form_url=f"{M}/sesiones/1/acta")
    response = client.submit(f"{M}/sesiones/1/acta/aprobar", {"mode": "by_chair"})
    assert response.status_code == 403
    assert db.scalar(sa.select(Meeting).where(Meeting.number == 1)).minutes.status == (
        MinutesStatus.CIRCULATED
    )


def test_an_acta_cannot_be_approved_before_it_is_sent_nor_published_before_approved(
    db, client, held
):
    client.submit(f"{M}/sesiones/1/acta/editar", {"text": "Texto."})
    response = client.submit(f"{M}/sesiones/1/acta/publicar", {}, form_url=f"{M}/sesiones/1/acta")
    assert response.status_code == 303
    assert "Solo un acta aprobada" in text_of(client.get(f"{M}/sesiones/1/acta"))
    assert db.scalar(sa.select(Meeting)).minutes.status == MinutesStatus.DRAFT


def test_withdrawing_and_replacing_an_agreement_keeps_the_original_readable(db, client, held):
    client.submit(
        f"{M}/sesiones/1/acuerdos/nuevo", {"statement": "Reunirse en Cogotí.", "mode": "consensus"}
    )
    first = db.scalar(sa.select(Agreement))
    response = client.submit(
        f"{M}/sesiones/1/acuerdos/nuevo",
        {"statement": "Reunirse en Combarbalá.", "mode": "consensus", "replaces": str(first.id)},
    )
    assert response.status_code == 422 and "por qué se reemplaza" in text_of(response)
    response = client.submit(
        f"{M}/sesiones/1/acuerdos/nuevo",
        {
            "statement": "Reunirse en Combarbalá.",
            "mode": "consensus",
            "replaces": str(first.id),
            "reason": "La sede de Cogotí está en reparación.",
        },
    )
    assert response.status_code == 302
    page = text_of(client.get(f"{M}/acuerdos/{first.year}/{first.number}"))
    assert "Reemplazado" in page and "La sede de Cogotí está en reparación." in page
    assert "Reunirse en Cogotí." in page
    url = f"{M}/acuerdos/{first.year}/2/retirar"
    assert client.submit(url, {"reason": ""}).status_code == 422
    assert client.submit(url, {"reason": "Ya no hace falta."}).status_code == 302
    db.expire_all()
    statuses = db.scalars(sa.select(Agreement.status).order_by(Agreement.number)).all()
    assert statuses == [AgreementStatus.REPLACED, AgreementStatus.WITHDRAWN]
    page = text_of(client.get(f"{M}/acuerdos/{first.year}/2"))
    assert "Retirar el acuerdo" not in page
    assert "Registrar un compromiso de este acuerdo" not in page
    assert client.submit(url, {"reason": "Otra vez."}).status_code == 409


def test_a_cancelled_session_keeps_its_reason_and_takes_no_more_records(db, client, mesa, login):
    _, people = mesa
    login(people["secretary"])
    schedule(client, later(10))
    assert client.submit(f"{M}/sesiones/1/suspender", {"reason": ""}).status_code == 422
    assert "Suspender la sesión" in text_of(client.get(f"{M}/sesiones/1"))
    response = client.submit(f"{M}/sesiones/1/suspender", {"reason": "Camino cortado."})
    assert response.status_code == 302
    assert "Camino cortado." in text_of(client.get(f"{M}/sesiones"))
    response = client.get(f"{M}/sesiones/1")
    assert "Camino cortado." in text_of(response)
    assert "Suspender la sesión" not in text_of(response)
    assert f"{M}/sesiones/1/asistencia" not in response.get_data(as_text=True)
    assert "Agregar un punto" not in text_of(client.get(f"{M}/sesiones/1/tabla"))
    response = client.submit(f"{M}/sesiones/1/tabla", {"title": "Otro punto"})
    assert response.status_code == 409
    assert db.scalar(sa.select(sa.func.count()).select_from(AgendaItem)) == 0


def test_quorum_rules():
    assert [QuorumRule.MAJORITY.needed(n) for n in (0, 1, 2, 13, 14)] == [1, 1, 2, 7, 8]
    assert [QuorumRule.TWO_THIRDS.needed(n) for n in (3, 14, 15)] == [2, 10, 10]
    assert [QuorumRule.ONE_THIRD.needed(n) for n in (3, 14, 15)] == [1, 5, 5]


def test_markdown_renders_inert():
    html = str(render("[x](javascript:alert(1)) <b onmouseover=alert(1)>y</b>"))
    assert "javascript:" not in html and "onmouseover" not in html


def test_the_session_pages_do_not_query_more_with_more_data(db, client, held, count_queries):
    found, _, _meeting = held
    for n in range(3):
        client.submit(f"{M}/sesiones/1/tabla", {"title": f"Punto {n}"})

    def cost() -> list[int]:
        counts = []
        for url in (f"{M}/sesiones/1", f"{M}/sesiones/1/asistencia", f"{M}/sesiones"):
            with count_queries() as q:
                assert client.get(url).status_code == 200
            counts.append(q.count)
        return counts

    before = cost()
    for n in range(10):
        client.submit(f"{M}/sesiones/1/tabla", {"title": f"Más {n}"})
        factories.seat(db, found, f"Nuevo {n}")
    schedule(client, later(20))
    db.commit()
    assert cost() == before


def test_the_mesa_page_announces_the_next_session(db, client, login, mesa):
    _, people = mesa
    assert "Próxima sesión" not in text_of(client.get(M))
    login(people["secretary"])
    schedule(client, later(9))
    client.submit("/cuenta/salir", {}, form_url="/")
    page = text_of(client.get(M))
    assert "Próxima sesión:" in page, page
    assert "10:00 , Sede social de Cogotí" in page


def test_agenda_items_and_agreements_link_to_initiatives(db, client, login, mesa):
    from portal.initiatives.models import Status

    found, people = mesa
    water = factories.initiative(
        db, found, "Abastos de agua", summary=".", status=Status.IN_DELIBERATION
    )
    db.commit()
    login(people["secretary"])
    schedule(client, later(-2), held="yes")
    client.submit(
        f"{M}/sesiones/1/tabla", {"title": "Revisar el agua", "initiative": str(water.id)}
    )
    assert "Iniciativa: Abastos de agua" in text_of(client.get(f"{M}/sesiones/1"))
    # A made-up initiative number is not kept.
    client.submit(f"{M}/sesiones/1/tabla", {"title": "Otro", "initiative": "999999"})
    assert db.scalar(sa.select(AgendaItem.initiative_id).where(AgendaItem.title == "Otro")) is None
    client.submit(
        f"{M}/sesiones/1/acuerdos/nuevo",
        {"statement": "Pedir el estudio.", "mode": "consensus", "initiatives": [str(water.id)]},
    )
    agreement = db.scalar(sa.select(Agreement))
    assert [i.title for i in agreement.initiatives] == ["Abastos de agua"]
    assert "Se refiere a: Abastos de agua" in text_of(client.get(f"{M}/sesiones/1"))
    # The initiative lists it once the acta is public; before, only the mesa sees it.
    client.submit("/cuenta/salir", {}, form_url="/")
    assert "Acuerdos sobre ella" not in text_of(client.get(f"/iniciativas/{water.id}"))
    login(people["member"])
    assert f"Acuerdo {agreement.label}" in text_of(client.get(f"/iniciativas/{water.id}"))


def test_removing_an_agenda_item_asks_first_without_javascript(db, client, login, mesa):
    _, people = mesa
    login(people["secretary"])
    schedule(client, later(10))
    for title in ("Forraje", "Varios"):
        client.submit(f"{M}/sesiones/1/tabla", {"title": title, "notes": "Traer las boletas."})
    first = db.scalars(sa.select(AgendaItem).order_by(AgendaItem.position)).first()
    url = f"{M}/sesiones/1/tabla/{first.id}/quitar"
    # On the agenda "Quitar" is a link to a question, not a button that removes at once.
    agenda = client.get(f"{M}/sesiones/1/tabla").get_data(as_text=True)
    assert f'<a href="{url}">' in agenda
    question = client.get(url)
    assert question.status_code == 200
    assert "¿Quitar este punto de la tabla?" in text_of(question)
    assert "Forraje" in text_of(question) and "Traer las boletas." in text_of(question)
    assert db.scalar(sa.select(sa.func.count()).select_from(AgendaItem)) == 2
    assert client.submit(url, {}).status_code == 303
    remaining = db.scalars(sa.select(AgendaItem)).all()
    assert [(i.title, i.position) for i in remaining] == [("Varios", 1)]
