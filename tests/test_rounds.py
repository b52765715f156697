"""Prioritization rounds: ballots valid for their method (a bad one is refused and the earlier
one kept), room tallies, closing with a ranking and its tie-break rule into an agreement."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from portal.initiatives.models import Initiative, Status
from portal.meetings.models import Agreement, DecisionMode, Meeting
from portal.rounds.models import Ballot, BallotEntry, Round, RoundItem, RoundStatus
from tests import factories
from tests.conftest import text_of

M = "/mesas/limari-choapa-ganaderia-caprina"


@pytest.fixture
def mesa(db, make_user):  # type: ignore[no-untyped-def]
    """The goat mesa: a secretary, three members, an observer, four initiatives in
    deliberation and a session held last week."""
    found = factories.goat_mesa(db)
    people = {}
    for role in ("secretary", "member", "member2", "member3", "observer"):
        people[role] = make_user(name=f"Persona {role}")
        factories.seat(db, found, people[role], role.rstrip("23"))
    costs = (90_000_000, 40_000_000, 40_000_000, None)
    for n, cost in enumerate(costs):
        factories.initiative(
            db,
            found,
            f"Iniciativa {'ABCD'[n]}",
            summary="Resumen.",
            cost=cost,
            status=Status.IN_DELIBERATION,
        )
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=7)
    factories.meeting(db, found, starts_at=start, place="Sede")
    db.commit()
    return found, people


def initiative_ids(db) -> list[int]:  # type: ignore[no-untyped-def]
    return list(db.scalars(sa.select(Initiative.id).order_by(Initiative.title)))


def open_round(client, db, **fields) -> Round:  # type: ignore[no-untyped-def]
    data = {
        "title": "Prioridades 2027",
        "initiatives": [str(i) for i in initiative_ids(db)],
        "method": "dots",
        "points": "10",
        "max_choices": "2",
        "criteria": "Impacto; 3\nFactibilidad; 1",
        **fields,
    }
    if "secret" not in fields:
        data["secret"] = "y"
    response = client.submit(f"{M}/rondas/nueva", data)
    assert response.status_code == 302, text_of(response)
    return db.scalars(sa.select(Round).order_by(Round.id.desc())).first()


def items(found: Round) -> list[int]:
    return [i.id for i in sorted(found.items, key=lambda i: i.initiative.title)]


def vote(client, found: Round, values: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.submit(f"/rondas/{found.id}/voto", values, form_url=f"/rondas/{found.id}")


def ballot_values(db, user) -> dict[int, int]:  # type: ignore[no-untyped-def]
    db.expire_all()
    rows = db.execute(
        sa.select(BallotEntry.item_id, BallotEntry.value)
        .join(Ballot, Ballot.id == BallotEntry.ballot_id)
        .where(Ballot.user_id == user.id)
    ).all()
    return dict(rows)


def test_dot_voting_a_ballot_over_the_points_is_refused_and_the_earlier_one_kept(
    db, client, login, mesa
):
    _, people = mesa
    login(people["secretary"])
    found = open_round(client, db)
    a, b, c, _d = items(found)
    login(people["member"])
    assert vote(client, found, {f"v-{a}": "6", f"v-{b}": "4"}).status_code == 302
    assert vote(client, found, {f"v-{a}": "3", f"v-{b}": "3", f"v-{c}": "4"}).status_code == 302
    response = vote(client, found, {f"v-{a}": "8", f"v-{b}": "5"})
    assert response.status_code == 422
    assert "Diste 13 puntos, pero cada integrante tiene 10." in text_of(response)
    assert 'value="8"' in response.get_data(as_text=True)  # what was typed stays
    assert ballot_values(db, people["member"]) == {a: 3, b: 3, c: 4}
    for typed in ("dos", "²", "٣", "99999999999999999999999"):
        response = vote(client, found, {f"v-{a}": typed})
        assert response.status_code == 422 and "números enteros" in text_of(response)
    assert ballot_values(db, people["member"]) == {a: 3, b: 3, c: 4}


def test_each_method_checks_its_own_rules(db, client, login, mesa):
    _, people = mesa
    login(people["secretary"])
    approval = open_round(client, db, method="approval", max_choices="2")
    ranked = open_round(client, db, method="ranked")
    matrix = open_round(client, db, method="matrix")
    login(people["member"])
    a, b, c, _d = items(approval)
    response = vote(client, approval, {f"v-{a}": "1", f"v-{b}": "1", f"v-{c}": "1"})
    assert response.status_code == 422 and "como máximo 2" in text_of(response)
    assert vote(client, approval, {f"v-{a}": "1", f"v-{c}": "1"}).status_code == 302
    a, b, c, _d = items(ranked)
    response = vote(client, ranked, {f"v-{a}": "1", f"v-{b}": "1"})
    assert response.status_code == 422 and "sin repetir" in text_of(response)
    assert vote(client, ranked, {f"v-{a}": "2", f"v-{b}": "1"}).status_code == 302
    a, *_ = items(matrix)
    impact, feasibility = (c.id for c in matrix.criteria)
    response = vote(client, matrix, {f"v-{a}-{impact}": "6"})
    assert response.status_code == 422 and "de 0 a 5" in text_of(response)
    assert (
        vote(client, matrix, {f"v-{a}-{impact}": "5", f"v-{a}-{feasibility}": "2"}).status_code
        == 302
    )
    empty = vote(client, matrix, {})
    assert empty.status_code == 422
    # Said in the error summary above the ballot, which takes the focus.
    summary = re.search(r'<div class="error-summary"[^>]*autofocus>(.*?)</div>', empty.text, re.S)
    assert summary and "El voto está vacío." in summary.group(1)


def test_closing_ranks_with_the_tie_break_rule_and_records_an_agreement(db, client, login, mesa):
    _, people = mesa
    login(people["secretary"])
    found = open_round(client, db)
    a, b, c, d = items(found)
    # B and C tie on 6 points; C reached two members, B one; A has 5; D has 3.
    for who, values in (
        ("member", {a: 4, b: 6}),
        ("member2", {c: 3, d: 3}),
        ("member3", {c: 3, a: 1}),
    ):
        login(people[who])
        vote(client, found, {f"v-{k}": str(v) for k, v in values.items()})
    login(people["observer"])
    assert vote(client, found, {f"v-{a}": "1"}).status_code == 403
    login(people["secretary"])
    meeting = db.scalar(sa.select(Meeting.id))
    response = client.submit(
        f"/rondas/{found.id}/cierre", {"meeting": str(meeting)}, form_url=f"/rondas/{found.id}"
    )
    assert response.status_code == 302
    db.expire_all()
    closed = db.get(Round, found.id)
    assert closed.status == RoundStatus.CLOSED
    order = [i.initiative.title for i in sorted(closed.items, key=lambda i: i.rank)]
    assert order == ["Iniciativa C", "Iniciativa B", "Iniciativa A", "Iniciativa D"]
    agreement = db.get(Agreement, closed.agreement_id)
    assert agreement.decision_mode == DecisionMode.ROUND
    assert "1. Iniciativa C (6)" in agreement.statement
    page = text_of(client.get(f"/rondas/{found.id}"))
    assert "Desempates" in page and f"Acuerdo {agreement.label}" in page
    # A closed round takes no more ballots.
    login(people["member"])
    assert vote(client, found, {f"v-{a}": "1"}).status_code == 409


def test_room_tallies_rank_a_round_without_signal(db, client, login, mesa):
    _, people = mesa
    login(people["secretary"])
    found = open_round(client, db, method="approval", max_choices="2", by_tally="y")
    a, b, c, d = items(found)
    url = f"/rondas/{found.id}"
    counts = {f"v-{a}": "4", f"v-{b}": "9", f"v-{c}": "7", f"v-{d}": "0"}
    assert client.submit(f"{url}/conteo", counts, form_url=url).status_code == 302
    for typed in ("-1", "²", "99999999999999999999999"):
        response = client.submit(f"{url}/conteo", {f"v-{a}": typed}, form_url=url)
        assert response.status_code == 422
    meeting = db.scalar(sa.select(Meeting.id))
    client.submit(f"{url}/cierre", {"meeting": str(meeting)}, form_url=url)
    db.expire_all()
    order = [
        i.initiative.title for i in sorted(db.get(Round, found.id).items, key=lambda i: i.rank)
    ]
    assert order == ["Iniciativa B", "Iniciativa C", "Iniciativa A", "Iniciativa D"]


def test_a_round_cannot_close_without_ballots_nor_open_with_one_initiative(db, client, login, mesa):
    _, people = mesa
    login(people["secretary"])
    found = open_round(client, db)
    meeting = db.scalar(sa.select(Meeting.id))
    url = f"/rondas/{found.id}"
    response = client.submit(f"{url}/cierre", {"meeting": str(meeting)}, form_url=url)
    assert response.status_code == 409 and "Nadie ha votado" in text_of(response)
    response = client.submit(
        f"{M}/rondas/nueva",
        {"title": "Una", "initiatives": [str(initiative_ids(db)[0])], "method": "score"},
    )
    assert response.status_code == 422 and "al menos dos iniciativas" in text_of(response)


def test_with_a_budget_equal_shares_gives_the_minority_its_share(db, client, login, mesa):
    """Three members back A, B and C ($ 30 million each); one backs D ($ 25 million). With
    $ 100 million, greedy by votes spends it all on the majority's three; Equal Shares gives
    each voter $ 25 million, so the minority pays for D and the majority for two of its own."""
    _, people = mesa
    for initiative, cost in zip(
        db.scalars(sa.select(Initiative).order_by(Initiative.title)),
        (30_000_000, 30_000_000, 30_000_000, 25_000_000),
        strict=True,
    ):
        initiative.estimated_cost = cost
    db.commit()
    login(people["secretary"])
    found = open_round(client, db, method="approval", max_choices="4", budget="$ 100.000.000")
    a, b, c, d = items(found)
    for who, chosen in (
        ("member", (a, b, c)),
        ("member2", (a, b, c)),
        ("secretary", (a, b, c)),
        ("member3", (d,)),
    ):
        login(people[who])
        assert vote(client, found, {f"v-{k}": "1" for k in chosen}).status_code == 302
    login(people["secretary"])
    meeting = db.scalar(sa.select(Meeting.id))
    url = f"/rondas/{found.id}"
    client.submit(f"{url}/cierre", {"meeting": str(meeting)}, form_url=url)
    db.expire_all()
    closed = db.get(Round, found.id)
    chosen_greedy = {i.initiative.title[-1] for i in closed.items if i.selected_greedy}
    chosen_mes = {i.initiative.title[-1] for i in closed.items if i.selected_equal_shares}
    assert chosen_greedy == {"A", "B", "C"}
    assert chosen_mes == {"A", "B", "D"}
    page = text_of(client.get(url))
    assert "Método de Igualdad de Partes" in page
    assert "entre 4 votantes: $ 25.000.000 cada uno" in page
    assert "1 persona que la apoyó pagó $ 25.000.000" in page
    assert "3 personas que la apoyaron pagaron $ 10.000.000 cada una" in page
    assert "No cupo en lo que quedaba: Iniciativa D" in page
    agreement = db.get(Agreement, closed.agreement_id)
    assert "Por el Método de Igualdad de Partes, caben: Iniciativa A, Iniciativa B" in (
        agreement.statement
    )


def test_a_closed_round_downloads_as_a_pabulib_file_that_recounts_the_same(db, client, login, mesa):
    from portal.rounds import pabulib, selection

    _, people = mesa
    login(people["secretary"])
    found = open_round(client, db, method="dots", points="5", budget="100.000.000")
    a, b, c, _d = items(found)
    url = f"/rondas/{found.id}"
    assert client.get(f"{url}/pabulib.pb").status_code == 404  # not while open
    for who, values in (("member", {a: 3, b: 2}), ("member2", {c: 5})):
        login(people[who])
        vote(client, found, {f"v-{k}": str(v) for k, v in values.items()})
    login(people["secretary"])
    client.submit(f"{url}/cierre", {"meeting": str(db.scalar(sa.select(Meeting.id)))}, form_url=url)
    client.submit("/cuenta/salir", {}, form_url="/")
    response = client.get(f"{url}/pabulib.pb")
    assert response.status_code == 200
    assert "ronda-" in response.headers["Content-Disposition"]
    document = pabulib.read(response.get_data(as_text=True))
    assert document.vote_type == "cumulative" and document.budget == 100_000_000
    assert len(document.ballots) == 2 and "Persona" not in response.get_data(as_text=True)
    # The file recounts to the same selection the portal made.
    outcome = selection.equal_shares(
        document.selection_projects(), document.budget, document.selection_ballots()
    )
    db.expire_all()
    closed = db.get(Round, found.id)
    portal_choice = {str(i.initiative_id) for i in closed.items if i.selected_equal_shares}
    assert set(outcome.selected) == portal_choice


def test_open_ballots_show_who_voted_what_to_the_members_only(db, client, login, mesa):
    _, people = mesa
    login(people["secretary"])
    found = open_round(client, db, method="score", secret="")
    a, *_ = items(found)
    login(people["member"])
    vote(client, found, {f"v-{a}": "4"})
    login(people["secretary"])
    url = f"/rondas/{found.id}"
    client.submit(f"{url}/cierre", {"meeting": str(db.scalar(sa.select(Meeting.id)))}, form_url=url)
    login(people["observer"])
    assert "Persona member 4" in text_of(client.get(url))
    client.submit("/cuenta/salir", {}, form_url="/")
    assert "Persona member" not in text_of(client.get(url))


def test_closing_at_a_mesa_tematica_prioritizes_the_first(db, client, login, mesa):
    _, people = mesa
    login(people["secretary"])
    found = open_round(client, db, method="score")
    a, b, c, _d = items(found)
    login(people["member"])
    vote(client, found, {f"v-{a}": "2", f"v-{b}": "5", f"v-{c}": "4"})
    login(people["secretary"])
    url = f"/rondas/{found.id}"
    meeting = str(db.scalar(sa.select(Meeting.id)))
    client.submit(f"{url}/cierre", {"meeting": meeting, "prioritize": "2"}, form_url=url)
    db.expire_all()
    statuses = dict(db.execute(sa.select(Initiative.title, Initiative.status)).all())
    assert statuses["Iniciativa B"] == statuses["Iniciativa C"] == Status.PRIORITIZED
    assert statuses["Iniciativa A"] == Status.IN_DELIBERATION
    b_id = db.scalar(sa.select(Initiative.id).where(Initiative.title == "Iniciativa B"))
    assert "Lugar 1 en la ronda «Prioridades 2027»." in text_of(client.get(f"/iniciativas/{b_id}"))


def pb_file(ids: list[int], votes: list[str], budget: str = "100000000") -> bytes:
    projects = "\n".join(f"{i};30000000;Iniciativa {i}" for i in ids)
    ballots = "\n".join(f"{n};{vote}" for n, vote in enumerate(votes, 1))
    return (
        f"META\nkey;value\ndescription;Votación en papel\nnum_projects;{len(ids)}\n"
        f"num_votes;{len(votes)}\nbudget;{budget}\nvote_type;approval\n"
        f"PROJECTS\nproject_id;cost;name\n{projects}\nVOTES\nvoter_id;vote\n{ballots}\n"
    ).encode()


def test_a_round_is_imported_from_a_pabulib_file(db, client, login, mesa):
    import io

    _, people = mesa
    login(people["secretary"])
    a, b, c, _d = initiative_ids(db)
    url = f"{M}/rondas/importar"

    def send(content: bytes, name: str = "papel.pb"):  # type: ignore[no-untyped-def]
        return client.submit(
            url,
            {"title": "Votación en papel", "file": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
        )

    response = send(pb_file([a, b, 999_999], [f"{a}"]))
    assert response.status_code == 422 and "999999" in text_of(response)
    response = send(pb_file([a, b], [f"{a},{b}"]).replace(b"budget;", b"budget;x"))
    assert response.status_code == 422 and "(línea 6)" in text_of(response)
    assert send(b"x", "papel.txt").status_code == 422
    assert db.scalar(sa.select(sa.func.count()).select_from(Round)) == 0
    response = send(pb_file([a, b, c], [f"{a},{b}", f"{b}", f"{b},{c}"]))
    assert response.status_code == 302
    found = db.scalar(sa.select(Round))
    assert found.imported and found.budget == 100_000_000 and found.max_choices == 2
    # Nobody votes in an imported round; the secretary closes it in a session.
    login(people["member"])
    assert vote(client, found, {f"v-{items(found)[0]}": "1"}).status_code == 409
    login(people["secretary"])
    page = f"/rondas/{found.id}"
    meeting = str(db.scalar(sa.select(Meeting.id)))
    assert client.submit(f"{page}/cierre", {"meeting": meeting}, form_url=page).status_code == 302
    db.expire_all()
    first = min(db.get(Round, found.id).items, key=lambda i: i.rank)
    assert first.initiative_id == b


# Decided stays decided -----------------------------------------------------------------------


def without_tokens(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))


BALLOTS_FOR_ALL = {
    "dots": lambda ids, _c: {f"v-{k}": "3" for k in ids},
    "approval": lambda ids, _c: {f"v-{k}": "1" for k in ids},
    "score": lambda ids, _c: {f"v-{k}": "4" for k in ids},
    "ranked": lambda ids, _c: {f"v-{k}": str(n) for n, k in enumerate(ids, 1)},
    "matrix": lambda ids, criteria: {f"v-{k}-{c}": "4" for k in ids for c in criteria},
}


@pytest.mark.parametrize("method", sorted(BALLOTS_FOR_ALL))
def test_closing_with_a_budget_never_fails_on_initiatives_without_a_cost(
    db, client, login, mesa, method
):
    """C costs nothing and D has no cost; a member chooses them too. Closing works, both keep
    their place in the ranking and the result names them as left out of the budget."""
    _, people = mesa
    db.scalars(
        sa.select(Initiative).where(Initiative.title == "Iniciativa C")
    ).one().estimated_cost = 0
    db.commit()
    login(people["secretary"])
    found = open_round(
        client, db, method=method, points="12", max_choices="4", budget="$ 100.000.000"
    )
    ids = items(found)
    login(people["member"])
    ballot = BALLOTS_FOR_ALL[method](ids, [c.id for c in found.criteria])
    assert vote(client, found, ballot).status_code == 302
    login(people["secretary"])
    url = f"/rondas/{found.id}"
    meeting = db.scalar(sa.select(Meeting.id))
    response = client.submit(f"{url}/cierre", {"meeting": str(meeting)}, form_url=url)
    assert response.status_code == 302, text_of(response)
    db.expire_all()
    closed = db.get(Round, found.id)
    assert closed.status == RoundStatus.CLOSED
    assert sorted(i.rank for i in closed.items) == [1, 2, 3, 4]
    page = text_of(client.get(url))
    assert "no tienen costo estimado" in page
    assert "Iniciativa C, Iniciativa D" in page or "Iniciativa D, Iniciativa C" in page


def test_a_round_is_cancelled_with_a_reason_everyone_reads_and_takes_nothing_more(
    db, client, login, mesa
):
    _, people = mesa
    login(people["secretary"])
    found = open_round(client, db)
    a, *_ = items(found)
    login(people["member"])
    assert vote(client, found, {f"v-{a}": "5"}).status_code == 302
    login(people["secretary"])
    url = f"/rondas/{found.id}"
    response = client.submit(f"{url}/anulacion", {"reason": ""}, form_url=url)
    assert response.status_code == 422
    assert "Di por qué se anula la ronda." in text_of(response)
    assert db.get(Round, found.id).is_open
    reason = "Faltó incluir la iniciativa del agua potable."
    assert client.submit(f"{url}/anulacion", {"reason": reason}, form_url=url).status_code == 302
    db.expire_all()
    cancelled = db.get(Round, found.id)
    assert cancelled.status == RoundStatus.CANCELLED and cancelled.cancel_reason == reason
    assert len(cancelled.items) == 4  # nothing deleted
    meeting = db.scalar(sa.select(Meeting.id))
    response = client.submit(f"{url}/cierre", {"meeting": str(meeting)}, form_url=url)
    assert response.status_code == 409 and "Esta ronda fue anulada." in text_of(response)
    # can() asks the round's state too: the secretary is offered nothing more on it.
    page = text_of(client.get(url))
    assert "Anular la ronda" not in page and "Cerrar la ronda" not in page
    login(people["member"])
    assert vote(client, found, {f"v-{a}": "4"}).status_code == 409
    assert ballot_values(db, people["member"]) == {a: 5}
    client.submit("/cuenta/salir", {}, form_url="/")
    page = text_of(client.get(url))
    assert "Anulada" in page and reason in page
    assert "Anular la ronda" not in page


def closed_with_a_budget(db, client, login, people):  # type: ignore[no-untyped-def]
    """An approval round with $ 120 million where a member chose A and B, closed by the
    secretary (who stays logged in): the round and A's item id."""
    login(people["secretary"])
    found = open_round(client, db, method="approval", max_choices="2", budget="$ 120.000.000")
    a, b, *_ = items(found)
    login(people["member"])
    vote(client, found, {f"v-{a}": "1", f"v-{b}": "1"})
    login(people["secretary"])
    url = f"/rondas/{found.id}"
    meeting = db.scalar(sa.select(Meeting.id))
    assert (
        client.submit(f"{url}/cierre", {"meeting": str(meeting)}, form_url=url).status_code == 302
    )
    return found, a


def test_a_closed_round_keeps_what_it_decided_when_an_initiative_changes(db, client, login, mesa):
    """After closing, the proposer raises a selected initiative's cost and renames it: the
    result still shows the title and cost it was chosen with, and says it changed since."""
    _, people = mesa
    found, a = closed_with_a_budget(db, client, login, people)
    url = f"/rondas/{found.id}"
    client.get(url)  # the flash message about the closing, shown once
    before = without_tokens(client.get(url))
    item = db.get(RoundItem, a)
    item.initiative.estimated_cost = 190_000_000
    item.initiative.title = "Iniciativa A ampliada"
    db.commit()
    page = without_tokens(client.get(url))
    result = text_of(client.get(url))
    assert "M$ 90.000" in result and "Iniciativa A" in result
    assert (
        "Cambió después del cierre de la ronda: ahora “Iniciativa A ampliada”, M$ 190.000."
        in result
    )
    # Apart from that note, the result reads as it did at closing.
    note = re.search(r'<br><span class="hint">Cambió.*?</a></span>', page).group(0)
    assert page.replace(note, "") == before


def test_an_initiative_keeps_its_history_and_a_decided_cost_changes_only_with_a_reason(
    db, client, login, mesa
):
    """Its cost was raised after the round closed, and neither its timeline nor the change log
    showed it. Every change after the draft is a revision on the public timeline; once a mesa
    decided on it, a new name, cost or funding needs a reason."""
    from portal.audit.chain import verify
    from portal.audit.models import AuditEntry
    from tests.test_initiatives import form

    _, people = mesa
    _found, a = closed_with_a_budget(db, client, login, people)
    initiative = db.get(RoundItem, a).initiative
    page = f"/iniciativas/{initiative.id}"
    edited = form(title=initiative.title, summary=initiative.summary, estimated_cost="148.500.000")
    response = client.submit(f"{page}/editar", edited)
    assert response.status_code == 422
    assert "di por qué cambia su nombre, costo o financiamiento" in text_of(response)
    assert 'value="148.500.000"' in response.get_data(as_text=True)  # kept as typed
    db.expire_all()
    assert db.get(Initiative, initiative.id).estimated_cost == 90_000_000
    why = "El diseño de ingeniería subió el costo de las obras."
    response = client.submit(f"{page}/editar", {**edited, "reason": why})
    assert response.status_code == 302
    client.submit("/cuenta/salir", {}, form_url="/")
    timeline = text_of(client.get(page)).split("Historia")[-1]
    assert "Costo estimado: $ 90.000.000 → $ 148.500.000" in timeline
    assert why in timeline
    assert (
        db.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.table_name == "initiative_revisions")
        )
        == 1
    )
    assert verify().ok
