"""Searching a territory as a citizen would: accents, capitals and plurals do not matter, only
what is public is found, an edit is found by its new words, another territory's things never
show, and no input breaks the page."""

from __future__ import annotations

import datetime as dt
import gzip
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
import Stemmer
from snowballstemmer.spanish_stemmer import SpanishStemmer

from portal.commitments.models import Commitment
from portal.initiatives.models import Initiative, InitiativeKind, Ownership, Stage, Status
from portal.meetings.models import (
    Agreement,
    DecisionMode,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Modality,
)
from portal.mesas.demo import load_demo_mesas
from portal.mesas.models import Mesa, Organization
from portal.places.demo import load_pilot_territories
from portal.search import text
from portal.search.index import WATCHED, index_all
from portal.search.models import SearchDocument
from portal.search.text import WORD, _folded_words, query_stems, snippet, stems
from tests.conftest import text_of

ROOT = Path(__file__).resolve().parents[1]

GOATS = "limari-choapa-ganaderia-caprina"
ARAUCO = "mesa-territorial-arauco"


class Maker:
    """Creates what the mesas write, through the models, as their services do."""

    def __init__(self, db) -> None:  # type: ignore[no-untyped-def]
        self.db = db
        self.meetings = 0
        self.agreements = 0
        self.indap = db.scalars(sa.select(Organization).where(Organization.short_name == "INDAP"))
        self.indap = self.indap.one()

    def mesa(self, slug: str = GOATS) -> Mesa:
        return self.db.scalars(sa.select(Mesa).where(Mesa.slug == slug)).one()

    def initiative(
        self, title: str, summary: str = "Una propuesta de la mesa.", *, slug: str = GOATS, **kw
    ) -> Initiative:
        mesa = self.mesa(slug)
        found = Initiative(
            mesa=mesa,
            territory_id=mesa.territory_id,
            title=title,
            summary=summary,
            kind=InitiativeKind.INVESTMENT,
            ownership=Ownership.PUBLIC,
            stage=Stage.IDEA,
            status=kw.pop("status", Status.PROPOSED),
            **kw,
        )
        self.db.add(found)
        self.db.commit()
        return found

    def meeting(self, published: bool = True, slug: str = GOATS) -> Meeting:
        self.meetings += 1
        starts = dt.datetime(2026, 3, 2, 13, 0, tzinfo=dt.UTC) + dt.timedelta(days=self.meetings)
        meeting = Meeting(
            mesa=self.mesa(slug),
            number=100 + self.meetings,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            place="Sede social",
            modality=Modality.IN_PERSON,
            kind=MeetingKind.ORDINARY,
            status=MeetingStatus.HELD,
        )
        status = MinutesStatus.PUBLISHED if published else MinutesStatus.APPROVED
        self.db.add_all([meeting, Minutes(meeting=meeting, status=status)])
        self.db.commit()
        return meeting

    def agreement(self, statement: str, meeting: Meeting | None = None, **kw) -> Agreement:
        meeting = meeting or self.meeting(kw.pop("published", True), kw.pop("slug", GOATS))
        self.agreements += 1
        found = Agreement(
            mesa=meeting.mesa,
            meeting=meeting,
            year=2026,
            number=self.agreements,
            statement=statement,
            decision_mode=DecisionMode.CONSENSUS,
            **kw,
        )
        self.db.add(found)
        self.db.commit()
        return found

    def commitment(self, deliverable: str, *, slug: str = GOATS, **kw) -> Commitment:
        meeting = self.meeting(slug=slug)
        found = Commitment(
            mesa=meeting.mesa,
            territory_id=meeting.mesa.territory_id,
            meeting=meeting,
            organization=self.indap,
            official=kw.pop("official", "Jefatura de área"),
            deliverable=deliverable,
            original_due_on=dt.date(2026, 12, 1),
            due_on=dt.date(2026, 12, 1),
            committed_on=dt.date(2026, 3, 2),
            **kw,
        )
        self.db.add(found)
        self.db.commit()
        return found


@pytest.fixture
def make(db) -> Maker:  # type: ignore[no-untyped-def]
    load_pilot_territories()
    load_demo_mesas()
    db.commit()
    return Maker(db)


def search(client, q: str, territory: str = "limari-choapa", **params):  # type: ignore[no-untyped-def]
    return client.get(f"/territorios/{territory}/buscar", query_string={"q": q, **params})


def found(client, q: str, territory: str = "limari-choapa") -> list[str]:  # type: ignore[no-untyped-def]
    """The headings of the results, in order."""
    page = search(client, q, territory)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    headings = re.findall(r'<li class="card">.*?<h3>(.*?)</h3>', html, flags=re.S)
    return [re.sub(r"<[^>]+>", "", h).strip() for h in headings]


# Words -----------------------------------------------------------------------------------------


def test_words_lose_accents_capitals_and_endings_but_not_their_meaning():
    assert stems("Cañete") == stems("CAÑETE") == stems("canete") == stems("CANETE")
    assert stems("camino") == stems("caminos") == stems("Caminos")
    assert stems("el camino de la escuela") == stems("camino escuela")
    assert query_stems('¿"(*)"? NEAR( ... ') == ["near"]
    assert query_stems("¡¿ ... ?! -- ** ()") == []
    assert query_stems("de la y") == []
    assert all(re.fullmatch(r"[a-z0-9]+", s) for s in stems("Año 2026: ñandú, pingüino, Ñuble"))


def test_the_compiled_stemmer_in_use_stems_as_snowballs_own_python():
    """The stems stored were made by either one (PyStemmer when installed), and a search must
    find them with the other: word for word the same, over every word of the Spanish texts."""
    catalog = (ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po").read_text()
    words = sorted({w for token in WORD.findall(catalog) for w in _folded_words(token)})
    assert len(words) > 3000
    assert isinstance(text._stemmer(), Stemmer.Stemmer)
    assert text._stemmer().stemWords(words) == SpanishStemmer().stemWords(words)


def test_a_snippet_shows_the_words_where_they_are_in_a_long_text():
    body = "Antecedentes del sector y de su gente. " * 10 + "Se pide reparar los caminos de Cañete."
    pieces = snippet(body, query_stems("camino cañete"))
    shown = "".join(f"[{p.text}]" if p.hit else p.text for p in pieces)
    assert shown.startswith("… ") and shown.endswith("reparar los [caminos] de [Cañete].")
    assert len(shown) <= 190


# Finding ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["cañete", "Cañete", "CAÑETE", "canete", "CANETE"])
def test_accents_and_capitals_do_not_matter(client, make, q):
    make.initiative("Ruta costera a Cañete")
    assert found(client, q) == ["Ruta costera a Cañete"]


def test_singular_finds_plural_and_plural_finds_singular(client, make):
    make.initiative("Mejoramiento de caminos rurales")
    make.initiative("Reparar el camino de la escuela")
    both = {"Mejoramiento de caminos rurales", "Reparar el camino de la escuela"}
    assert set(found(client, "camino")) == both
    assert set(found(client, "caminos")) == both
    assert set(found(client, "CAMINOS ESCUELA")) == {"Reparar el camino de la escuela"}


def test_each_kind_is_found_and_links_to_its_page(client, make):
    initiative = make.initiative("Abastos de agua para los crianceros", "Estanques y bombas.")
    agreement = make.agreement("Pedir a la DOH un estudio de los abastos de agua de Cogotí.")
    commitment = make.commitment("Instalar abastos de agua en tres sectores.")
    page = search(client, "abasto agua")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "3 resultados" in text_of(page)
    assert f'href="/iniciativas/{initiative.id}"' in html
    assert f'href="/mesas/{GOATS}/acuerdos/2026/{agreement.number}"' in html
    assert f'href="/compromisos/{commitment.id}"' in html
    assert "Acuerdo 1/2026" in text_of(page)
    # The words found are marked where they stand.
    assert "<mark>abastos</mark> de <mark>agua</mark>" in html


def test_a_title_weighs_more_than_a_body(client, make):
    make.initiative("Sala de ordeña", "Con agua potable para lavar los tarros de leche.")
    make.initiative("Agua potable rural", "Para la escuela y la posta.")
    assert found(client, "agua potable") == ["Agua potable rural", "Sala de ordeña"]


def test_the_institution_that_committed_is_searchable(client, make):
    make.commitment("Visitas técnicas a los corrales.", official="Dirección regional")
    assert found(client, "indap") == ["Visitas técnicas a los corrales."]


# What is not public ----------------------------------------------------------------------------


def test_what_is_not_public_is_never_found_by_anyone(client, make, make_user, login):
    make.initiative("Borrador del galpón comunitario", status=Status.DRAFT)
    make.agreement("Construir el galpón comunitario de acopio.", published=False)
    make.commitment("Financiar el galpón comunitario.", is_public=False)
    assert found(client, "galpón") == []
    admin = make_user(name="Administradora", is_admin=True)
    make.db.commit()
    login(admin)
    assert found(client, "galpón") == []
    assert "0 resultados para «galpón»" in text_of(search(client, "galpón"))


def test_publishing_makes_it_findable_and_hiding_takes_it_away(client, make):
    draft = make.initiative("Huerto escolar en Pama", status=Status.DRAFT)
    agreement = make.agreement("Apoyar el huerto escolar de Pama.", published=False)
    commitment = make.commitment("Semillas para el huerto escolar de Pama.")
    assert found(client, "huerto") == ["Semillas para el huerto escolar de Pama."]
    draft.status = Status.PROPOSED
    agreement.meeting.minutes.status = MinutesStatus.PUBLISHED
    commitment.is_public = False
    make.db.commit()
    assert sorted(found(client, "huerto")) == ["Acuerdo 1/2026", "Huerto escolar en Pama"]


def test_another_territorys_things_never_appear(client, make):
    make.initiative("Ruta costera a Cañete", slug=ARAUCO)
    make.agreement("Apoyar la feria de Cañete.", slug=ARAUCO)
    make.commitment("Señalética en Cañete.", slug=ARAUCO)
    assert found(client, "cañete") == []
    assert len(found(client, "cañete", territory="arauco")) == 3


# Keeping the index up to date ------------------------------------------------------------------


def test_an_edit_is_found_by_its_new_words_not_its_old_ones(client, make):
    initiative = make.initiative("Sede social de Soruco")
    agreement = make.agreement("Gestionar la sede de Soruco.")
    commitment = make.commitment("Techar la sede de Soruco.")
    assert len(found(client, "soruco")) == 3
    initiative.title = "Sede social de Manquehua"
    agreement.statement = "Gestionar la sede de Manquehua."
    commitment.deliverable = "Techar la sede de Manquehua."
    make.db.commit()
    assert found(client, "soruco") == []
    assert len(found(client, "manquehua")) == 3


def test_the_index_watches_attributes_the_models_have():
    for model in (Initiative, Agreement, Commitment):
        _kind, names = WATCHED[model.__tablename__]
        assert set(names) <= set(sa.inspect(model).attrs.keys()), model


def test_a_change_of_status_does_not_rewrite_the_index(make, db, count_queries):
    initiative = make.initiative("Sede social de Soruco")
    with count_queries() as queries:
        initiative.status = Status.IN_DELIBERATION
        db.commit()
    assert not any("search_documents" in s for s in queries.statements)


def test_the_migrations_fill_gives_what_the_hook_wrote(client, make, db):
    make.initiative("Ruta costera a Cañete", "Con ciclovía.")
    make.agreement("Pedir la ciclovía de la ruta.")
    make.commitment("Diseñar la ciclovía.")
    before = found(client, "ciclovias")
    assert len(before) == 3
    db.execute(sa.delete(SearchDocument))
    assert found(client, "ciclovias") == []
    assert index_all(db.connection()) >= 3
    assert found(client, "ciclovias") == before


# Input that could break it ---------------------------------------------------------------------


def test_an_empty_search_shows_only_the_form(client, make):
    page = search(client, "   ")
    assert page.status_code == 200
    assert 'name="q"' in page.get_data(as_text=True)
    assert "resultado" not in text_of(page)


@pytest.mark.parametrize("q", ["¿?¡!...", "()", "--", "de la y", "***"])
def test_a_search_without_words_is_explained(client, make, q):
    page = search(client, q)
    assert page.status_code == 200
    assert "No hay palabras que buscar" in text_of(page)


# What is typed, and whether it finds "Reparar el camino de la escuela": every word left must
# be there (``near``, ``or``, ``title`` are words like any other); the rest is dropped.
SYNTAX = {
    '"': False,
    '"camino': True,
    "camino*": True,
    "(((camino": True,
    "-camino ^escuela:": True,
    "NEAR(camino escuela": False,
    "camino) OR (escuela": False,
    "title_terms:camin": False,
    "camino 💥 ' ; DROP TABLE search_documents; --": False,
    "ñ" * 200: False,
}


@pytest.mark.parametrize("q", SYNTAX)
def test_search_syntax_is_never_read_as_syntax(client, make, q):
    make.initiative("Reparar el camino de la escuela")
    assert search(client, q).status_code == 200
    assert found(client, q) == (["Reparar el camino de la escuela"] if SYNTAX[q] else [])
    assert found(client, "camino") == ["Reparar el camino de la escuela"]


def test_a_null_character_in_a_search_is_refused_with_a_sentence(client, make):
    make.initiative("Reparar el camino de la escuela")
    page = search(client, "camino\x00escuela")
    assert page.status_code == 400
    assert "carácter que no se puede guardar" in text_of(page)


def test_a_search_too_long_is_refused_with_a_message_and_kept(client, make):
    page = search(client, "camino " * 29)  # 203 characters
    assert page.status_code == 400
    assert "La búsqueda es demasiado larga" in text_of(page)
    assert 'aria-invalid="true"' in page.get_data(as_text=True)
    assert "camino camino" in page.get_data(as_text=True)
    assert search(client, "c" * 200).status_code == 200


@pytest.mark.parametrize("pagina", ["0", "-3", "abc", "99999999999999999999999999", "2.5"])
def test_any_page_number_gives_a_page(client, make, pagina):
    make.initiative("Reparar el camino de la escuela")
    page = search(client, "camino", pagina=pagina)
    assert page.status_code == 200
    assert "Reparar el camino" in text_of(page)


def test_an_unknown_territory_is_not_found(client, make):
    assert search(client, "camino", territory="no-existe").status_code == 404


# Pages and cost --------------------------------------------------------------------------------


def test_results_come_20_to_a_page_with_the_same_queries_whatever_their_number(
    client, make, count_queries
):
    def cost(page: int = 1) -> int:
        with count_queries() as queries:
            assert search(client, "riego", pagina=page).status_code == 200
        return queries.count

    for n in range(3):
        make.initiative(f"Canal de riego {n}")
    few = cost()
    for n in range(3, 45):
        make.db.add(
            Initiative(
                mesa=make.mesa(),
                territory_id=make.mesa().territory_id,
                title=f"Canal de riego {n}",
                summary="Tranque y canal.",
                kind=InitiativeKind.INVESTMENT,
                ownership=Ownership.PUBLIC,
                stage=Stage.IDEA,
                status=Status.PROPOSED,
            )
        )
    make.db.commit()
    # With the version of the data, read first by the page cache (portal.pagecache).
    assert cost() == cost(3) == few <= 5
    assert len(found(client, "riego")) == 20
    last = search(client, "riego", pagina=3)
    assert text_of(last).count("Canal de riego") == 5
    assert "Página 3 de 3" in text_of(last) and 'rel="prev"' in last.get_data(as_text=True)
    # Past the end: the last page.
    assert "Página 3 de 3" in text_of(search(client, "riego", pagina=9))


def test_a_full_page_of_results_weighs_under_20_kb_compressed(client, make):
    long = "Texto largo de la propuesta con muchas palabras sobre el riego del valle. " * 20
    for n in range(25):
        make.initiative(f"Canal de riego número {n} para el secano", long[:280], description=long)
    page = search(client, "riego secano")
    html = page.get_data()
    sizes = {"page": len(gzip.compress(html))}
    for asset in re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js)[^"]*)"', html):
        sizes[asset.decode()] = len(gzip.compress(client.get(asset.decode()).get_data()))
    assert text_of(page).count("Canal de riego número") == 20
    assert sum(sizes.values()) < 20 * 1024, sizes


def test_reindex_builds_the_index_again_from_what_is_stored(app, db, client, make):
    """What ``portal search reindex`` does after restoring a copy, or upgrading a database
    that held rows before the search existed (migration 0012 builds the index empty)."""
    make.initiative("Reparar el camino de la escuela")
    db.execute(sa.delete(SearchDocument))
    db.commit()
    assert found(client, "camino") == []
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "documents indexed" in result.output
    assert found(client, "camino") == ["Reparar el camino de la escuela"]
