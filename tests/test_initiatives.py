"""Initiatives as a member proposes them and as a citizen follows them: the form, money in
pesos, drafts that stay private, the lifecycle with its public timeline, similar ideas, and
the deliberation (comments with a stance, answers, supports, hiding with a reason)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.initiatives.models import (
    Comment,
    FundingLine,
    FundingSource,
    Initiative,
    InitiativeKind,
    Status,
    StatusChange,
    Support,
)
from portal.initiatives.services import words
from portal.mesas.models import Organization
from portal.places.models import Comuna, Territory
from portal.reference.models import GapDimension, StrategicObjective
from tests import factories
from tests.conftest import text_of

M = "/mesas/limari-choapa-ganaderia-caprina"


@pytest.fixture
def mesa(db, make_user):  # type: ignore[no-untyped-def]
    found = factories.goat_mesa(db)
    people = {}
    for role in ("secretary", "member", "observer"):
        people[role] = make_user(name=f"Persona {role}")
        factories.seat(db, found, people[role], role)
    people["outsider"] = make_user(name="Persona de afuera")
    db.add_all(
        [
            GapDimension(code="D4", name="Vivienda y servicios básicos", position=4),
            GapDimension(code="D5", name="Conectividad y aislamiento", position=5),
            StrategicObjective(
                territory_id=found.territory_id, code="OE1", title="Agua para producir"
            ),
        ]
    )
    db.commit()
    return found, people


def form(**overrides) -> dict:  # type: ignore[no-untyped-def]
    data = {
        "title": "Abastos de agua para los crianceros de Cogotí",
        "summary": "Estanques y bombas solares para 40 familias crianceras.",
        "kind": "investment",
        "ownership": "public",
        "stage": "profile",
        "evaluation_result": "pending",
    }
    data.update(overrides)
    return data


def test_a_member_proposes_an_initiative_and_a_citizen_reads_it(db, client, login, mesa):
    _found, people = mesa
    gap = db.scalar(sa.select(GapDimension.id).where(GapDimension.code == "D4"))
    objective = db.scalar(sa.select(StrategicObjective.id))
    comuna = db.scalar(sa.select(Comuna.id).where(Comuna.name == "Combarbalá"))
    indap = db.scalar(sa.select(Organization.id).where(Organization.short_name == "INDAP"))
    login(people["member"])
    response = client.submit(
        f"{M}/iniciativas/nueva",
        form(
            gaps=[str(gap)],
            objective=str(objective),
            comunas=[str(comuna)],
            localities="Cogotí, El Sauce",
            beneficiaries="40",
            beneficiary_unit="families",
            estimated_cost="$ 185.000.000",
            fndr="150.000.000",
            sectoral="35000000",
            ministry="INDAP",
            responsible=str(indap),
            bip_code="40012345-0",
            evaluation_method="cost_efficiency",
        ),
    )
    assert response.status_code == 302
    initiative = db.scalar(sa.select(Initiative))
    assert initiative.status == Status.PROPOSED
    assert initiative.estimated_cost == 185_000_000
    assert sorted((f.source, f.amount) for f in initiative.funding) == [
        (FundingSource.FNDR, 150_000_000),
        (FundingSource.SECTORAL, 35_000_000),
    ]
    client.submit("/cuenta/salir", {}, form_url="/")
    page = text_of(client.get(f"/iniciativas/{initiative.id}"))
    assert "Abastos de agua para los crianceros de Cogotí" in page
    assert "$ 185.000.000 (M$ 185.000)" in page
    assert "FNDR (gobierno regional) $ 150.000.000 M$ 150.000" in page
    assert "Sectorial (un ministerio o servicio): INDAP $ 35.000.000" in page
    assert "Total $ 185.000.000" in page
    assert "40 familias" in page and "OE1: Agua para producir" in page
    assert "Vivienda y servicios básicos" in page and "Combarbalá (Cogotí, El Sauce)" in page
    assert "Propuesta" in page
    # The proposer's name is not public; the public list of the territory shows it.
    assert "Persona member" not in page
    listing = text_of(client.get("/territorios/limari-choapa/iniciativas"))
    assert "Abastos de agua" in listing and "M$ 185.000" in listing


def test_a_draft_is_seen_only_by_its_proposer_and_the_managers(db, client, login, mesa):
    _, people = mesa
    login(people["member"])
    client.submit(f"{M}/iniciativas/nueva", {**form(), "draft": "1"})
    initiative = db.scalar(sa.select(Initiative))
    assert initiative.status == Status.DRAFT
    url = f"/iniciativas/{initiative.id}"
    assert client.get(url).status_code == 200
    for who in ("observer", "outsider"):
        login(people[who])
        assert client.get(url).status_code == 404
        assert "Abastos" not in text_of(client.get(f"{M}/iniciativas"))
    login(people["secretary"])
    assert client.get(url).status_code == 200
    client.submit("/cuenta/salir", {}, form_url="/")
    assert client.get(url).status_code == 404
    assert "Abastos" not in text_of(client.get("/territorios/limari-choapa/iniciativas"))


def test_the_lifecycle_is_recorded_and_shown_as_a_public_timeline(db, client, login, mesa):
    _, people = mesa
    login(people["member"])
    client.submit(f"{M}/iniciativas/nueva", {**form(), "draft": "1"})
    initiative = db.scalar(sa.select(Initiative))
    url = f"/iniciativas/{initiative.id}/estado"
    # The proposer proposes her draft; she cannot move it further.
    assert client.submit(url, {"status": "proposed"}).status_code == 302
    assert client.submit(url, {"status": "in_deliberation"}).status_code == 422
    login(people["secretary"])
    for step in ("in_deliberation", "prioritized"):
        assert client.submit(url, {"status": step}).status_code == 302
    # Skipping a step is refused, and so is discarding without a reason.
    assert client.submit(url, {"status": "in_portfolio"}).status_code == 422
    response = client.submit(url, {"status": "discarded", "reason": ""})
    assert response.status_code == 422 and "Indica por qué" in text_of(response)
    response = client.submit(
        url, {"status": "discarded", "reason": "Ya lo financia el programa de riego."}
    )
    assert response.status_code == 302
    db.expire_all()
    changes = db.scalars(sa.select(StatusChange.status).order_by(StatusChange.id)).all()
    assert changes == [
        Status.DRAFT,
        Status.PROPOSED,
        Status.IN_DELIBERATION,
        Status.PRIORITIZED,
        Status.DISCARDED,
    ]
    client.submit("/cuenta/salir", {}, form_url="/")
    page = text_of(client.get(f"/iniciativas/{initiative.id}"))
    timeline = page.split("Historia", 1)[1]
    for label in ("Propuesta", "En deliberación", "Priorizada por su mesa", "Descartada"):
        assert label in timeline
    assert "Ya lo financia el programa de riego." in timeline
    # Nothing more can happen to it.
    login(people["secretary"])
    assert client.get(f"/iniciativas/{initiative.id}/editar").status_code == 403


def test_bad_money_and_a_long_summary_are_explained_and_what_was_typed_stays(
    db, client, login, mesa
):
    _, people = mesa
    login(people["member"])
    response = client.submit(
        f"{M}/iniciativas/nueva",
        form(summary="x" * 281, estimated_cost="unos 20 millones", sectoral="1.000"),
    )
    assert response.status_code == 422
    page = text_of(response)
    assert "El resumen admite como máximo 280 caracteres." in page
    assert "Escribe el monto en pesos, sin decimales, por ejemplo 12.345.678." in page
    assert 'value="unos 20 millones"' in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Initiative)) == 0
    response = client.submit(f"{M}/iniciativas/nueva", form(sectoral="1.000"))
    assert response.status_code == 422
    assert "qué ministerio o servicio" in text_of(response)
    response = client.submit(f"{M}/iniciativas/nueva", form(beneficiaries="40"))
    assert response.status_code == 422
    assert db.scalar(sa.select(sa.func.count()).select_from(Initiative)) == 0
    # A choice not on the list is refused in words; one sent as spaces is no choice (it
    # answered 500).
    response = client.submit(f"{M}/iniciativas/nueva", form(beneficiary_unit="aliens"))
    assert response.status_code == 422
    assert "Elige de la lista qué son los beneficiarios." in text_of(response)
    assert db.scalar(sa.select(sa.func.count()).select_from(Initiative)) == 0
    response = client.submit(f"{M}/iniciativas/nueva", form(beneficiary_unit=" "))
    assert response.status_code == 302
    assert db.scalar(sa.select(Initiative.beneficiary_unit)) is None


def test_similar_initiatives_of_the_territory_are_shown_while_proposing(db, client, login, mesa):
    found, people = mesa
    factories.initiative(
        db,
        found,
        "Mejoramiento de caminos rurales de Cogotí",
        summary="Ripiado del camino a la quebrada.",
        status=Status.DISCARDED,
        created_at=dt.datetime(2019, 5, 2, 15, tzinfo=dt.UTC),
    )
    other_territory = db.scalar(sa.select(Territory).where(Territory.slug == "arauco"))
    factories.initiative(
        db, found, "Camino costero", summary="Otro territorio.", territory_id=other_territory.id
    )
    db.commit()
    login(people["member"])
    # Without JavaScript: the "look for similar" button sends the form back as typed.
    response = client.submit(
        f"{M}/iniciativas/nueva", form(title="Arreglo del camino a Cogotí", check="1")
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "Mejoramiento de caminos rurales de Cogotí" in page, page
    assert "02-05-2019" in page
    assert "Camino costero" not in page
    assert db.scalar(sa.select(sa.func.count()).select_from(Initiative)) == 2
    # With htmx, as the title is typed.
    fragment = client.get(
        f"/iniciativas/parecidas?territorio={found.territory_id}&title=caminos+cogoti"
    )
    assert "Mejoramiento de caminos rurales" in text_of(fragment)
    assert client.get("/iniciativas/parecidas?territorio=x").status_code == 400
    # A number no database holds is refused too, not a server error (PostgreSQL's integers).
    assert client.get("/iniciativas/parecidas?territorio=-9223372036854775808").status_code == 400


def test_words_fold_accents_plurals_and_common_words():
    assert (
        words("Caminos de Cañete para la comuna") == words("camino cañete") == {"camino", "canete"}
    )
    assert words("Agua") == {"agua"}


def test_only_members_who_take_part_may_propose(db, client, login, mesa):
    _, people = mesa
    for who in ("observer", "outsider"):
        login(people[who])
        assert client.get(f"{M}/iniciativas/nueva").status_code == 403
    client.submit("/cuenta/salir", {}, form_url="/")
    assert client.get(f"{M}/iniciativas/nueva").status_code == 302


def test_the_territory_list_does_not_query_more_with_more_initiatives(
    db, client, mesa, count_queries
):
    found, _ = mesa

    def add(n: int) -> None:
        for i in range(n):
            factories.initiative(
                db,
                found,
                f"Iniciativa {i}",
                summary="Resumen.",
                kind=InitiativeKind.ACTION,
                funding=[FundingLine(source=FundingSource.FNDR, amount=1000)],
            )
        db.commit()

    def cost() -> int:
        with count_queries() as q:
            assert client.get("/territorios/limari-choapa/iniciativas").status_code == 200
        return q.count

    add(2)
    before = cost()
    add(30)
    assert cost() == before


# Deliberation --------------------------------------------------------------------------------


def proposed(client, login, people, db) -> Initiative:  # type: ignore[no-untyped-def]
    login(people["member"])
    client.submit(f"{M}/iniciativas/nueva", form())
    return db.scalar(sa.select(Initiative))


def test_members_deliberate_and_the_public_reads_it_without_names(
    db,
    client,
    login,
    mesa,
    make_user,
    mailbox,
):
    _found, people = mesa
    initiative = proposed(client, login, people, db)
    page = f"/iniciativas/{initiative.id}"
    login(people["secretary"])
    response = client.submit(
        f"{page}/comentarios",
        {"stance": "question", "body": "¿Cuántos estanques son?\nY ¿quién los mantiene?"},
        form_url=page,
    )
    first = db.scalar(sa.select(Comment.id))
    assert response.status_code == 302 and response.location.endswith(f"#c{first}")
    # The proposer is told, and answers.
    assert any("Nuevo comentario" in m["Subject"] for m in mailbox())
    login(people["member"])
    client.submit(
        f"{page}/comentarios/{first}/respuesta",
        {f"a{first}-body": "Son 40, uno por familia; los mantiene cada familia."},
        form_url=page,
    )
    client.submit(f"{page}/apoyo", {}, form_url=page)
    login(people["secretary"])
    client.submit(f"{page}/apoyo", {}, form_url=page)
    client.submit(f"{page}/apoyo", {}, form_url=page)  # taken back
    assert db.scalar(sa.select(sa.func.count()).select_from(Support)) == 1
    client.submit("/cuenta/salir", {}, form_url="/")
    text = text_of(client.get(page))
    assert "1 apoyo" in text and "Preguntas: 1" in text
    assert "¿Cuántos estanques son?" in text and "Son 40, uno por familia" in text
    assert "Secretaría" in text and "Persona secretary" not in text
    login(people["observer"])
    assert "Persona secretary · Secretaría" in text_of(client.get(page))


def test_the_secretary_hides_an_abusive_comment_with_a_reason(db, client, login, mesa):
    _, people = mesa
    initiative = proposed(client, login, people, db)
    page = f"/iniciativas/{initiative.id}"
    client.submit(f"{page}/comentarios", {"stance": "against", "body": "Insulto."}, form_url=page)
    login(people["secretary"])
    url = f"{page}/comentarios/{db.scalar(sa.select(Comment.id))}/ocultar"
    response = client.submit(url, {"reason": ""})
    assert response.status_code == 422 and "Indica por qué se oculta" in text_of(response)
    assert client.submit(url, {"reason": "Falta el respeto a una socia."}).status_code == 302
    assert client.submit(url, {"reason": "Otra vez."}).status_code == 409
    client.submit("/cuenta/salir", {}, form_url="/")
    text = text_of(client.get(page))
    assert "Oculto por la secretaría: Falta el respeto a una socia." in text
    assert "Insulto." not in text and "En contra: 0" in text
    assert db.scalar(sa.select(Comment.body)) == "Insulto."  # kept


def test_who_may_speak(db, client, login, mesa):
    _, people = mesa
    initiative = proposed(client, login, people, db)
    page = f"/iniciativas/{initiative.id}"
    comment = {"stance": "for", "body": "Muy necesaria."}
    for who in ("observer", "outsider"):
        login(people[who])
        assert client.submit(f"{page}/comentarios", comment, form_url=page).status_code == 403
    # Only the proposer answers.
    login(people["member"])
    client.submit(f"{page}/comentarios", comment, form_url=page)
    first = db.scalar(sa.select(Comment.id))
    login(people["secretary"])
    response = client.submit(
        f"{page}/comentarios/{first}/respuesta", {f"a{first}-body": "Yo respondo."}, form_url=page
    )
    assert response.status_code == 403
    # An empty comment is explained and nothing is stored.
    response = client.submit(f"{page}/comentarios", {"stance": "for", "body": " "}, form_url=page)
    assert response.status_code == 422 and "Escribe tu comentario." in text_of(response)
    assert db.scalar(sa.select(sa.func.count()).select_from(Comment)) == 1
    # Once it has ended, nobody comments any more.
    initiative.status = Status.DISCARDED
    db.commit()
    assert client.submit(f"{page}/comentarios", comment, form_url=page).status_code == 403
