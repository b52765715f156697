"""Atom feeds of what changes in the public commitments of a territory, a mesa and an
institution: the right events, newest first, nothing private, a document a feed reader takes."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from portal.commitments.models import (
    Commitment,
    CommitmentStatus,
    DueDateChange,
    Observation,
    ObservationStatus,
    ProgressUpdate,
    Validation,
)
from portal.meetings.models import Meeting
from portal.mesas.models import ActorType, Mesa, MesaKind, Organization
from tests import factories

ATOM = "{http://www.w3.org/2005/Atom}"


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


class World:
    """Mesas, institutions and commitments from the factories, and what then happens to the
    commitments (new dates, updates, validations, cancellations, observations); every time
    given."""

    def __init__(self, db, make_territory) -> None:  # type: ignore[no-untyped-def]
        self.db = db
        self.make_territory = make_territory
        self.meetings: dict[int, Meeting] = {}

    def mesa(self, name: str, territory=None, kind: MesaKind = MesaKind.THEMATIC) -> Mesa:  # type: ignore[no-untyped-def]
        mesa = factories.mesa(
            self.db,
            territory or self.make_territory(commit=False),
            name,
            kind=kind,
            status_since=dt.date(2025, 1, 1),
            created_at=utc(2025, 1, 1),
        )
        self.meetings[mesa.id] = factories.meeting(
            self.db, mesa, starts_at=utc(2026, 1, 10, 14), place=""
        )
        return mesa

    def org(self, name: str, short: str = "", actor: ActorType = ActorType.PUBLIC) -> Organization:
        return factories.organization(
            self.db, name, short, actor_type=actor, created_at=utc(2025, 1, 1)
        )

    def commitment(  # type: ignore[no-untyped-def]
        self,
        mesa: Mesa,
        org: Organization,
        deliverable: str,
        *,
        taken: dt.date,
        due: dt.date,
        at: dt.datetime | None = None,
        **values,
    ) -> Commitment:
        return factories.commitment(
            self.db,
            self.meetings[mesa.id],
            org,
            deliverable,
            committed_on=taken,
            original_due_on=values.pop("original_due", due),
            due_on=due,
            created_at=at or dt.datetime.combine(taken, dt.time(15), dt.UTC),
            updated_at=values.pop("updated_at", at or utc(2026, 1, 10, 15)),
            **values,
        )

    def reschedule(self, c: Commitment, new: dt.date, reason: str, at: dt.datetime):  # type: ignore[no-untyped-def]
        self.db.add(
            DueDateChange(
                commitment_id=c.id,
                previous_due_on=c.due_on,
                new_due_on=new,
                reason=reason,
                changed_at=at,
            )
        )
        c.due_on = new
        self.db.flush()

    def update(self, c: Commitment, on: dt.date, text: str, at: dt.datetime, **values):  # type: ignore[no-untyped-def]
        self.db.add(
            ProgressUpdate(commitment_id=c.id, reported_on=on, text=text, created_at=at, **values)
        )
        if c.status == CommitmentStatus.PENDING:
            c.status = CommitmentStatus.IN_PROGRESS
        if values.get("done_on"):
            c.reported_done_on = values["done_on"]
        self.db.flush()

    def validate(  # type: ignore[no-untyped-def]
        self, c: Commitment, outcome: CommitmentStatus, done: dt.date | None, at: dt.datetime
    ):
        self.db.add(
            Validation(
                commitment_id=c.id,
                outcome=outcome,
                done_on=done,
                meeting_id=self.meetings[c.mesa_id].id,
                note="Revisado en terreno por la mesa.",
                validated_at=at,
            )
        )
        c.status, c.done_on, c.validated_at = outcome, done, at
        self.db.flush()

    def cancel(self, c: Commitment, reason: str, at: dt.datetime) -> None:
        c.status, c.status_reason, c.cancelled_at = CommitmentStatus.CANCELLED, reason, at
        self.db.flush()

    def observe(  # type: ignore[no-untyped-def]
        self, c: Commitment, text: str, at: dt.datetime, status=ObservationStatus.PUBLISHED
    ):
        self.db.add(
            Observation(
                commitment_id=c.id,
                author_name="Vecina de Cogotí",
                text=text,
                status=status,
                created_at=at - dt.timedelta(hours=2),
                moderated_at=at if status != ObservationStatus.PENDING else None,
            )
        )
        self.db.flush()


@pytest.fixture
def world(db, make_territory) -> World:  # type: ignore[no-untyped-def]
    return World(db, make_territory)


@pytest.fixture
def story(db, world):  # type: ignore[no-untyped-def]
    """One road promised by MOP to the goat mesa, and all that happened to it; a second
    commitment cancelled; and what must stay out of its territory's feed: a private
    commitment, unpublished observations, another territory's commitment."""
    goat = world.mesa("Mesa caprina")
    territorial = world.mesa(
        "Mesa territorial", territory=goat.territory, kind=MesaKind.TERRITORIAL
    )
    elsewhere = world.mesa("Mesa de Arauco")
    mop = world.org("Ministerio de Obras Públicas, Dirección de Vialidad", "MOP")
    indap = world.org("Instituto de Desarrollo Agropecuario", "INDAP")
    road = world.commitment(
        goat,
        mop,
        "Pavimentar el camino de Cogotí a Quebrada Alta, 12 kilómetros con doble tratamiento",
        taken=dt.date(2026, 1, 10),
        due=dt.date(2026, 12, 31),
        amount=850_000_000,
        at=utc(2026, 1, 10, 15),
    )
    world.reschedule(road, dt.date(2027, 3, 15), "Lluvias de invierno.", utc(2026, 6, 1, 12))
    world.update(road, dt.date(2026, 8, 1), "Faena instalada.", utc(2026, 8, 1, 12), percent=40)
    world.update(
        road,
        dt.date(2027, 3, 1),
        "Camino terminado.",
        utc(2027, 3, 2, 12),
        percent=100,
        done_on=dt.date(2027, 3, 1),
    )
    world.validate(road, CommitmentStatus.FULFILLED, dt.date(2027, 3, 1), utc(2027, 3, 20, 15))
    world.observe(road, "El camino quedó bien, falta señalética.", utc(2027, 4, 1, 12))
    world.observe(road, "Texto aún no revisado.", utc(2027, 4, 2, 12), ObservationStatus.PENDING)
    world.observe(road, "Texto no publicado.", utc(2027, 4, 3, 12), ObservationStatus.DECLINED)
    fodder = world.commitment(
        territorial,
        indap,
        "Entregar forraje",
        taken=dt.date(2026, 2, 1),
        due=dt.date(2026, 5, 1),
        at=utc(2026, 2, 1, 15),
    )
    world.cancel(fodder, "Lo cubre otro programa.", utc(2027, 5, 1, 12))
    secret = world.commitment(
        goat,
        mop,
        "Estudio reservado",
        taken=dt.date(2026, 3, 1),
        due=dt.date(2026, 9, 1),
        is_public=False,
        at=utc(2026, 3, 1, 15),
    )
    world.update(secret, dt.date(2027, 6, 1), "No debe verse.", utc(2027, 6, 1, 12), percent=10)
    world.observe(secret, "Tampoco esto.", utc(2027, 6, 2, 12))
    other = world.commitment(
        elsewhere,
        mop,
        "Puente en Arauco",
        taken=dt.date(2026, 4, 1),
        due=dt.date(2027, 4, 1),
        at=utc(2027, 7, 1, 15),
    )
    db.commit()
    return {
        "goat": goat,
        "territorial": territorial,
        "elsewhere": elsewhere,
        "mop": mop,
        "road": road,
        "fodder": fodder,
        "secret": secret,
        "other": other,
    }


def feed(client, url: str) -> ET.Element:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.get_data())  # noqa: S314 - the portal's own feed
    # What RFC 4287 requires of a feed and of each entry.
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}").text
    assert root.find(f"{ATOM}author/{ATOM}name").text
    assert root.find(f"{ATOM}link[@rel='self']").get("href").endswith(url)
    for entry in root.iter(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "summary"):
            assert entry.find(f"{ATOM}{name}").text, name
        assert entry.find(f"{ATOM}id").text.startswith("tag:localhost,2026:compromisos/")
        dt.datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
        # A link without rel is the alternate one (RFC 4287, 4.2.7.2); feedgen 1.0 drops the
        # rel of entry links (lkiesow/python-feedgen#135).
        (link,) = entry.findall(f"{ATOM}link")
        assert link.get("rel", "alternate") == "alternate" and link.get("href")
    return root


def titles(root: ET.Element) -> list[str]:
    return [e.find(f"{ATOM}title").text for e in root.iter(f"{ATOM}entry")]


def entries(root: ET.Element) -> list[ET.Element]:
    return list(root.iter(f"{ATOM}entry"))


def test_a_territory_feed_tells_what_happened_newest_first(client, story):
    slug = story["goat"].territory.slug
    root = feed(client, f"/territorios/{slug}/compromisos.atom")
    assert (
        root.find(f"{ATOM}title").text
        == f"Compromisos con {story['goat'].territory.name}: últimos cambios"
    )
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    road = "«Pavimentar el camino de Cogotí a Quebrada Alta, 12…»"
    assert titles(root) == [
        "INDAP: se canceló «Entregar forraje»",
        f"MOP: observación publicada sobre {road}",
        f"MOP: la mesa validó {road}: Cumplido",
        f"MOP: informa entregado {road} (01-03-2027)",
        f"MOP: avance de {road} (40 %)",
        f"MOP: nueva fecha para {road} (15-03-2027)",
        "INDAP: nuevo compromiso «Entregar forraje» (plazo 01-05-2026)",
        f"MOP: nuevo compromiso {road} (plazo 31-12-2026)",
    ]
    kinds = [e.find(f"{ATOM}id").text.split(":")[-1].split("/")[1] for e in entries(root)]
    assert kinds == [
        "cancellation",
        "observation",
        "validation",
        "delivery",
        "progress",
        "rescheduled",
        "recorded",
        "recorded",
    ]
    updated = [e.find(f"{ATOM}updated").text for e in entries(root)]
    assert updated == sorted(updated, reverse=True)
    assert root.find(f"{ATOM}updated").text == updated[0]
    # Every entry links to its commitment's public page.
    road_id, fodder_id = story["road"].id, story["fodder"].id
    links = [e.find(f"{ATOM}link").get("href") for e in entries(root)]
    assert links[0] == f"https://localhost/compromisos/{fodder_id}"
    assert set(links[1:6]) | {links[7]} == {f"https://localhost/compromisos/{road_id}"}
    text = ET.tostring(root, encoding="unicode")
    for hidden in (
        "Estudio reservado",
        "No debe verse",
        "Tampoco esto",
        "aún no revisado",
        "no publicado",
        "Puente en Arauco",
    ):
        assert hidden not in text


def test_entries_say_what_changed_in_spanish(client, story):
    root = feed(client, f"/territorios/{story['goat'].territory.slug}/compromisos.atom")
    road = "«Pavimentar el camino de Cogotí a Quebrada Alta, 12…»"
    got = dict(
        zip(titles(root), (e.find(f"{ATOM}summary").text for e in entries(root)), strict=True)
    )
    assert got["INDAP: se canceló «Entregar forraje»"] == "Motivo: Lo cubre otro programa."
    assert (
        got[f"MOP: observación publicada sobre {road}"] == "El camino quedó bien, falta señalética."
    )
    assert got[f"MOP: la mesa validó {road}: Cumplido"].startswith("La mesa concluyó: Cumplido.")
    assert "Entregado el 01-03-2027" in got[f"MOP: la mesa validó {road}: Cumplido"]
    assert got[f"MOP: informa entregado {road} (01-03-2027)"].startswith(
        "Informa que lo entregó el 01-03-2027; falta la validación de la mesa."
    )
    assert got[f"MOP: nueva fecha para {road} (15-03-2027)"] == (
        "Fecha anterior: 31-12-2026. Nueva fecha: 15-03-2027. Motivo: Lluvias de invierno."
    )
    assert got[f"MOP: avance de {road} (40 %)"] == "Avance: 40 %. Faena instalada."
    recorded = got[f"MOP: nuevo compromiso {road} (plazo 31-12-2026)"]
    assert "Tomado en Mesa caprina el 10-01-2026." in recorded
    assert "Monto: $ 850.000.000." in recorded
    assert "INDAP: nuevo compromiso «Entregar forraje» (plazo 01-05-2026)" in got


def test_a_mesa_feed_and_an_institution_feed_keep_to_their_own(client, story):
    root = feed(client, "/mesas/mesa-territorial/compromisos.atom")
    assert titles(root) == [
        "INDAP: se canceló «Entregar forraje»",
        "INDAP: nuevo compromiso «Entregar forraje» (plazo 01-05-2026)",
    ]
    assert (
        root.find(f"{ATOM}title").text == "Compromisos tomados en Mesa territorial: últimos cambios"
    )
    # MOP's feed crosses territories: the road and the bridge, never the private study.
    root = feed(client, f"/organizaciones/{story['mop'].id}/compromisos.atom")
    text = " ".join(titles(root))
    assert "Puente en Arauco" in text and "Pavimentar" in text
    assert "forraje" not in text and "reservado" not in text
    assert titles(root)[0] == "MOP: nuevo compromiso «Puente en Arauco» (plazo 01-04-2027)"
    assert len(entries(root)) == 7


def test_feeds_answer_in_english_to_an_english_reader(client, story):
    client.get("/idioma/en")
    root = feed(client, "/mesas/mesa-territorial/compromisos.atom")
    assert root.find(f"{ATOM}title").text == "Commitments taken at Mesa territorial: latest changes"
    assert root.find(f"{ATOM}subtitle").text.startswith("The last 50 changes")
    assert titles(root)[0] == "INDAP: «Entregar forraje» cancelled"


def test_an_empty_feed_is_still_a_feed(client, world, db):
    world.mesa("Mesa nueva")
    db.commit()
    root = feed(client, "/mesas/mesa-nueva/compromisos.atom")
    assert entries(root) == []
    assert root.find(f"{ATOM}updated").text.startswith("2025-01-01")


@pytest.mark.parametrize(
    "url",
    [
        "/territorios/no-existe/compromisos.atom",
        "/mesas/no-existe/compromisos.atom",
        "/organizaciones/999999/compromisos.atom",
    ],
)
def test_unknown_places_have_no_feed(client, db, url):
    assert client.get(url).status_code == 404


def test_the_feed_keeps_the_last_fifty_in_two_queries_whatever_the_data(
    client, story, world, db, count_queries
):
    url = f"/organizaciones/{story['mop'].id}/compromisos.atom"

    def cost() -> int:
        with count_queries() as q:
            assert client.get(url).status_code == 200
        return q.count

    before = cost()
    for n in range(30):
        c = world.commitment(
            story["goat"],
            story["mop"],
            f"Obra número {n}\x08 con un carácter de control",
            taken=dt.date(2027, 1, 1),
            due=dt.date(2027, 12, 1),
            at=utc(2027, 8, 1, 12, n),
        )
        world.update(c, dt.date(2027, 8, 2), "Avance.", utc(2027, 8, 2, 12, n), percent=n)
        world.reschedule(c, dt.date(2028, 1, 1), "Motivo.", utc(2027, 8, 3, 12, n))
        world.observe(c, "Se ve bien.", utc(2027, 8, 4, 12, n))
    db.commit()
    assert cost() == before
    root = feed(client, url)
    assert len(entries(root)) == 50
    assert (
        titles(root)[0]
        == "MOP: observación publicada sobre «Obra número 29 con un carácter de control»"
    )
    ids = [e.find(f"{ATOM}id").text for e in entries(root)]
    assert len(set(ids)) == 50


def test_a_feed_reader_that_asks_again_gets_a_304_until_something_changes(client, story, world, db):
    url = f"/organizaciones/{story['mop'].id}/compromisos.atom"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    c = world.commitment(
        story["goat"],
        story["mop"],
        "Reparar el puente",
        taken=dt.date(2027, 1, 1),
        due=dt.date(2027, 12, 1),
        at=utc(2027, 8, 1, 12),
    )
    assert c.id
    db.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "Reparar el puente" in changed.get_data(as_text=True)
