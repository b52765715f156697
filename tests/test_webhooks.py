"""Push to other modules: an admin registers a system (its secret shown once); public changes
write an event to the outbox in their own transaction, one row per subscriber; the worker
posts it signed (Standard Webhooks), tries again with growing pauses when the receiver fails,
never delivers one twice, and logs every attempt for the admin."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook

from portal.admin.models import AdminAction
from portal.commitments import services as commitments
from portal.extensions import db as _db
from portal.meetings import records
from portal.meetings.models import ApprovalMode, DecisionMode
from portal.notifications import worker
from portal.notifications.models import Channel, OutboxMessage
from portal.plans import services as plans
from portal.plans.demo import load_demo_plans
from portal.plans.models import PeriodKind
from portal.reference.services import load_demo_objectives
from portal.webhooks import services
from portal.webhooks.models import Delivery, Subscriber
from tests import factories
from tests.conftest import TEST_DATABASE_URL, text_of, two_workers
from tests.servers import free_port


class Receiver:
    """A system on loopback that receives events: it answers 500 to the first ``failing``
    requests, then 200; it keeps every request."""

    def __init__(self, failing: int = 0) -> None:
        self.failing = failing
        self.requests: list[tuple[dict[str, str], bytes, int]] = []
        self.lock = threading.Lock()

    @property
    def accepted(self) -> list[tuple[dict[str, str], bytes]]:
        return [(h, b) for h, b, status in self.requests if status == 200]


@contextmanager
def receiver(failing: int = 0) -> Iterator[tuple[Receiver, str]]:
    found = Receiver(failing)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with found.lock:
                status = 500 if len(found.requests) < found.failing else 200
                found.requests.append(
                    ({k.lower(): v for k, v in self.headers.items()}, body, status)
                )
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
            """Quiet: the test reads the requests it keeps, not the server's log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found, f"http://127.0.0.1:{server.server_address[1]}/eventos"
    finally:
        server.shutdown()
        server.server_close()


def subscribe(url: str, *events: str, active: bool = True) -> Subscriber:
    subscriber = Subscriber(
        name="Módulo del plan",
        url=url,
        events=" ".join(events),
        secret=services.new_secret(),
        active=active,
    )
    _db.session.add(subscriber)
    _db.session.flush()
    return subscriber


def events_waiting() -> list[OutboxMessage]:
    return list(
        _db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.channel == Channel.WEBHOOK)
            .order_by(OutboxMessage.id)
        )
    )


def goat_commitment(db):  # type: ignore[no-untyped-def]
    goat = factories.goat_mesa(db)
    meeting = factories.meeting(db, goat)
    return factories.commitment(db, meeting, factories.demo_organization(db, "INDAP"))


# -- The admin registers a system -------------------------------------------------------------


def test_the_admin_registers_a_system_and_sees_its_secret_once(client, db, login, make_user):
    admin = make_user(is_admin=True)
    login(admin)
    form = "/admin/suscriptores/nuevo"
    empty = client.submit(form, {"name": "", "url": "no es una dirección", "reason": ""})
    assert empty.status_code == 422
    said = text_of(empty)
    assert "Escribe la dirección completa que recibe los eventos" in said
    assert "Elige al menos un tipo de evento." in said
    page = client.submit(
        form,
        {
            "name": "Módulo del plan de desarrollo",
            "url": "plan.example.cl/eventos",
            "events": ["plan.agreed", "measurement.recorded"],
            "reason": "Convenio con el módulo del plan",
        },
    )
    assert page.status_code == 200
    subscriber = db.scalars(sa.select(Subscriber)).one()
    assert subscriber.url == "https://plan.example.cl/eventos"
    assert subscriber.event_types == ["measurement.recorded", "plan.agreed"]
    assert subscriber.secret.startswith("whsec_") and subscriber.secret in text_of(page)
    again = client.get(f"/admin/suscriptores/{subscriber.id}")
    assert subscriber.secret not in again.get_data(as_text=True)
    logged = db.scalars(
        sa.select(AdminAction).where(AdminAction.subject == "webhook_subscribers")
    ).one()
    assert logged.action == "webhook.register" and subscriber.secret not in logged.details

    old = subscriber.secret
    refused = client.submit(
        f"/admin/suscriptores/{subscriber.id}/clave",
        {"clave-reason": ""},
        form_url=f"/admin/suscriptores/{subscriber.id}",
    )
    assert refused.status_code == 422
    rotated = client.submit(
        f"/admin/suscriptores/{subscriber.id}/clave",
        {"clave-reason": "La clave se filtró"},
        form_url=f"/admin/suscriptores/{subscriber.id}",
    )
    db.refresh(subscriber)
    assert subscriber.secret != old and subscriber.secret in text_of(rotated)
    off = client.submit(
        f"/admin/suscriptores/{subscriber.id}/desactivar",
        {"desactivar-reason": "El módulo está en mantención"},
        form_url=f"/admin/suscriptores/{subscriber.id}",
    )
    assert off.status_code == 302
    db.refresh(subscriber)
    assert not subscriber.active


# -- Events are written with their change ------------------------------------------------------


def test_a_public_change_writes_its_event_for_each_subscriber_to_it(app, db, make_user):
    by = make_user()
    commitment = goat_commitment(db)
    plan_module = subscribe("https://plan.example.cl/e", "commitment.changed")
    subscribe("https://indice.example.cl/e", "commitment.changed", "plan.agreed")
    subscribe("https://otro.example.cl/e", "plan.agreed")
    subscribe("https://apagado.example.cl/e", "commitment.changed", active=False)
    with app.test_request_context():
        commitments.cancel(commitment, "La obra se hará con otro programa.", by)
    db.commit()
    written = events_waiting()
    assert [m.to for m in written] == ["https://plan.example.cl/e", "https://indice.example.cl/e"]
    assert written[0].message_id == written[1].message_id  # one event, one id
    event = json.loads(written[0].text)
    assert event["type"] == "commitment.changed" and event["territory"] == "limari-choapa"
    assert event["data"] == {
        "commitment_id": commitment.id,
        "change": "cancelled",
        "state": "cancelled",
        "due_on": "2027-09-30",
    }
    assert event["links"]["api"].endswith(f"/api/v1/commitments/{commitment.id}")
    assert written[0].subscriber_id == plan_module.id


def test_a_change_rolled_back_leaves_no_event(app, db, make_user):
    by = make_user()
    commitment = goat_commitment(db)
    subscribe("https://plan.example.cl/e", "commitment.changed")
    db.commit()
    with app.test_request_context():
        commitments.cancel(commitment, "Se cancela", by)
    assert len(events_waiting()) == 1
    db.rollback()
    assert events_waiting() == []


def test_a_private_commitment_and_the_quiet_demo_are_nobodys_news(app, db, make_user):
    by = make_user()
    commitment = goat_commitment(db)
    commitment.is_public = False
    subscribe("https://plan.example.cl/e", "commitment.changed")
    with app.test_request_context():
        commitments.cancel(commitment, "Se cancela", by)
    assert events_waiting() == []


def test_a_measurement_is_an_event_for_the_plan_module(app, db, make_user, clock_at):
    clock_at(dt.datetime(2026, 12, 4, 15, tzinfo=dt.UTC))
    by = make_user(is_admin=True)
    factories.demo_data(db)
    load_demo_objectives()
    load_demo_plans()
    subscribe("https://plan.example.cl/e", "measurement.recorded")
    from portal.plans.models import Indicator

    indicator = db.scalars(sa.select(Indicator).order_by(Indicator.id)).first()
    with app.test_request_context():
        plans.record_measurement(indicator, dt.date(2026, 11, 30), Decimal("52.5"), "INE", by)
    [event] = [json.loads(m.text) for m in events_waiting()]
    assert event["type"] == "measurement.recorded"
    assert event["data"]["indicator"] == indicator.code and event["data"]["value"] == "52.5"
    assert event["links"]["api"].endswith(f"/api/v1/territories/{event['territory']}/plan")


# -- The worker delivers ---------------------------------------------------------------------


def test_a_receiver_that_fails_three_times_gets_the_event_once(app, db, make_user, clock_at):
    start = dt.datetime.now(dt.UTC)  # the receiver checks the signature's time against its own
    clock_at(start)
    by = make_user()
    commitment = goat_commitment(db)
    with receiver(failing=3) as (got, url):
        subscriber = subscribe(url, "commitment.changed")
        with app.test_request_context():
            commitments.cancel(commitment, "Se cancela", by)
        db.commit()
        tallies = []
        for attempt in range(1, 7):
            tallies.append(worker.run_once())
            # The next try waits 30 s, 1 min, 2 min…: move the clock just past it.
            start += worker.pause(attempt) + dt.timedelta(seconds=1)
            clock_at(start)
        assert [r[2] for r in got.requests] == [500, 500, 500, 200]
        assert [(t.sent, t.postponed) for t in tallies[:4]] == [(0, 1), (0, 1), (0, 1), (1, 0)]
        assert all((t.sent, t.postponed, t.given_up) == (0, 0, 0) for t in tallies[4:])
        [(headers, body)] = got.accepted
        ids = {h["webhook-id"] for h, _b, _s in got.requests}
        assert len(ids) == 1  # the same idempotency key on every attempt
        # The receiver checks the signature with the secret it was given.
        event = Webhook(subscriber.secret).verify(body, headers)
        assert event["type"] == "commitment.changed" and event["id"] == headers["webhook-id"]
        with pytest.raises(Exception, match="signature"):
            Webhook(services.new_secret()).verify(body, headers)
    [message] = events_waiting()
    assert message.sent_at is not None and message.attempts == 3
    log = db.scalars(sa.select(Delivery).order_by(Delivery.id)).all()
    assert [(d.attempt, d.status) for d in log] == [(1, 500), (2, 500), (3, 500), (4, 200)]
    assert log[0].error == "HTTP 500 Internal Server Error" and log[3].error == ""


def test_an_unreachable_receiver_is_given_up_after_the_last_try(app, db, make_user, clock_at):
    start = dt.datetime(2026, 12, 4, 15, tzinfo=dt.UTC)
    clock_at(start)
    by = make_user()
    commitment = goat_commitment(db)
    nobody = f"http://127.0.0.1:{free_port()}/eventos"  # nothing listens there
    subscribe(nobody, "commitment.changed")
    with app.test_request_context():
        commitments.cancel(commitment, "Se cancela", by)
    db.commit()
    for attempt in range(1, worker.MAX_ATTEMPTS + 1):
        worker.run_once()
        start += worker.pause(attempt) + dt.timedelta(seconds=1)
        clock_at(start)
    [message] = events_waiting()
    assert message.failed_at is not None and message.attempts == worker.MAX_ATTEMPTS
    assert message.last_error.startswith("ConnectError")
    assert db.scalar(sa.select(sa.func.count(Delivery.id))) == worker.MAX_ATTEMPTS


def test_events_of_a_switched_off_system_are_given_up(app, db, make_user):
    by = make_user()
    commitment = goat_commitment(db)
    subscriber = subscribe("https://plan.example.cl/e", "commitment.changed")
    with app.test_request_context():
        commitments.cancel(commitment, "Se cancela", by)
    subscriber.active = False
    db.commit()
    assert worker.run_once().given_up == 1
    [message] = events_waiting()
    assert message.last_error == "the subscriber is switched off"


def test_the_admin_reads_each_delivery(client, db, login, make_user):
    login(make_user(is_admin=True))
    subscriber = subscribe("https://plan.example.cl/e", "commitment.changed")
    message = OutboxMessage(
        channel=Channel.WEBHOOK,
        kind="commitment.changed",
        to=subscriber.url,
        subscriber_id=subscriber.id,
        subject="",
        text="{}",
        message_id="evt_prueba",
    )
    db.add(message)
    db.flush()
    db.add(
        Delivery(
            message_id=message.id,
            subscriber_id=subscriber.id,
            attempt=1,
            status=503,
            error="HTTP 503 Service Unavailable",
            milliseconds=12,
        )
    )
    db.commit()
    page = text_of(client.get(f"/admin/suscriptores/{subscriber.id}"))
    assert "HTTP 503 Service Unavailable" in page and "evt_prueba" in page and "12 ms" in page
    listing = text_of(client.get("/admin/suscriptores"))
    assert "Módulo del plan" in listing and "1 evento espera" in listing


def test_two_workers_deliver_a_thousand_events_with_no_duplicate_and_no_loss(app, monkeypatch):
    """With real commits (no test transaction), as two `portal worker` processes would. On
    SQLite, where writers take turns, 200 make the point."""
    count = 1000 if TEST_DATABASE_URL else 200
    with receiver() as (got, url):
        with app.app_context():
            subscriber = subscribe(url, "commitment.changed")
            for n in range(count):
                _db.session.add(
                    OutboxMessage(
                        channel=Channel.WEBHOOK,
                        kind="commitment.changed",
                        to=url,
                        subscriber_id=subscriber.id,
                        subject="",
                        text=json.dumps({"n": n}),
                        message_id=f"evt_{n}",
                        key=f"webhook:{subscriber.id}:evt_{n}",
                    )
                )
            _db.session.commit()
        try:
            tallies = two_workers(app)
            ids = [h["webhook-id"] for h, _body in got.accepted]
            assert len(ids) == count and len(set(ids)) == count
            assert sum(t.sent for t in tallies) == count
            with app.app_context():
                if _db.engine.dialect.name == "postgresql":
                    assert all(t.sent > 0 for t in tallies)  # both took their share
        finally:
            with app.app_context():
                _db.session.execute(sa.delete(Delivery))
                _db.session.execute(sa.delete(OutboxMessage))
                _db.session.execute(sa.delete(Subscriber))
                _db.session.commit()


def test_the_plan_and_a_published_acta_are_events(app, db, make_user, clock_at):
    clock_at(dt.datetime(2026, 12, 4, 15, tzinfo=dt.UTC))
    admin = make_user(is_admin=True)
    factories.demo_data(db)
    load_demo_objectives()
    load_demo_plans()
    subscribe(
        "https://indice.example.cl/e", "plan.agreed", "plan.sanctioned", "agreement.published"
    )
    territorial = factories.demo_mesa(db, "mesa-territorial-limari-choapa")
    held = factories.meeting(db, territorial, starts_at=dt.datetime(2026, 12, 1, 13, tzinfo=dt.UTC))
    with app.test_request_context():
        records.write(held, "Se acordó el plan.", "", admin)
        agreement = records.record(
            held,
            records.Decision(
                statement="Acordar el plan trienal.",
                mode=DecisionMode.CONSENSUS,
                votes_for=None,
                votes_against=None,
                votes_abstaining=None,
                dissent="",
                review_on=None,
                initiatives=[],
            ),
            admin,
        )
        assert events_waiting() == []  # the agreement is not public until its acta is
        plan = plans.open_plan(territorial.territory, PeriodKind.TRIENNIAL, 2025, admin)
        plans.agree(plan, agreement, "", admin)
        plans.sanction(plan, dt.date(2026, 12, 3), "Acta N° 4", admin)
        records.circulate(held, admin)
        records.approve(held, ApprovalMode.BY_CHAIR, None, admin)
        records.publish(held, admin)
    kinds = [(json.loads(m.text)["type"], json.loads(m.text)["data"]) for m in events_waiting()]
    assert kinds == [
        ("plan.agreed", {"plan_id": plan.id, "version": 1}),
        ("plan.sanctioned", {"plan_id": plan.id, "version": 1}),
        (
            "agreement.published",
            {
                "agreement_id": agreement.id,
                "identifier": agreement.label,
                "mesa": territorial.slug,
                "session_id": held.id,
            },
        ),
    ]
