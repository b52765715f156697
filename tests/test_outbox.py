"""The outbox and its worker, against a real SMTP server on loopback: messages are rows written
with the action, sent later, never twice, and never lost when the mail server is down."""

from __future__ import annotations

import datetime as dt
import smtplib
import threading
import time

import pytest
import sqlalchemy as sa

from portal.core import clock, mail
from portal.extensions import db as _db
from portal.notifications import outbox, worker
from portal.notifications.models import OutboxMessage
from tests.conftest import TEST_DATABASE_URL, text_of, two_workers
from tests.servers import free_port
from tests.smtp import smtp_server

FORGOT = "/cuenta/clave/olvido"


def waiting(db) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    return list(db.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_an_action_queues_its_mail_and_the_worker_delivers_it_once(client, db, make_user, smtp):
    make_user(email="juan@demo.example", name="Juan Pérez Soto")
    page = client.submit(FORGOT, {"email": "juan@demo.example"})
    assert page.status_code == 200
    assert smtp.received == []  # the request sent nothing
    [row] = waiting(db)
    assert row.to == "juan@demo.example" and row.sent_at is None

    tally = worker.run_once()
    assert (tally.sent, tally.postponed, tally.given_up) == (1, 0, 0)
    [message] = smtp.received
    assert message["To"] == "juan@demo.example"
    assert message["Subject"] == "Cambia tu contraseña en el Portal de las mesas"
    assert message["Message-ID"] == row.message_id
    assert "Juan Pérez Soto" in message.get_content()
    # Plain text and simple HTML, the link a link in both.
    link = next(w for w in message.get_content().split() if "/cuenta/clave/nueva/" in w)
    assert f'<a href="{link}">' in message.html()
    assert 'lang="es"' in message.html()

    assert worker.run_once().sent == 0
    assert len(smtp.received) == 1
    db.refresh(row)
    assert row.sent_at is not None and row.claimed_by is None


def test_mail_is_written_in_the_recipients_language(client, db, make_user, smtp):
    make_user(email="ana@demo.example", name="Ana Soto", locale="en")
    client.submit(FORGOT, {"email": "ana@demo.example"})
    worker.run_once()
    [message] = smtp.received
    assert message["Subject"] == "Change your password on the mesa portal"
    assert 'lang="en"' in message.html()


def test_a_rolled_back_action_leaves_no_message(app, db):
    with app.test_request_context():
        savepoint = db.begin_nested()
        outbox.enqueue("rosa@demo.example", "Asunto", "Texto", kind="test")
        db.flush()
        savepoint.rollback()
    assert waiting(db) == []
    assert worker.run_once().sent == 0


def test_with_the_mail_server_down_the_action_succeeds_and_mail_goes_when_it_returns(
    app, client, db, make_user, monkeypatch, clock_at
):
    port = free_port()  # nothing listens there yet
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_SECURITY", "none")
    start = dt.datetime(2026, 12, 4, 15, tzinfo=dt.UTC)
    clock_at(start)
    for n in range(3):
        make_user(email=f"socia{n}@demo.example")
        assert client.submit(FORGOT, {"email": f"socia{n}@demo.example"}).status_code == 200

    tally = worker.run_once()
    assert (tally.sent, tally.postponed, tally.given_up) == (0, 3, 0)
    rows = waiting(db)
    assert all(r.sent_at is None and r.failed_at is None and r.attempts == 1 for r in rows)
    assert all("ConnectionRefusedError" in r.last_error for r in rows)

    with smtp_server(port) as (inbox, _port):
        # Not yet due: the worker waits before trying again.
        assert worker.run_once().sent == 0
        clock_at(start + worker.pause(1) + dt.timedelta(seconds=1))
        assert worker.run_once().sent == 3
        assert worker.run_once().sent == 0
        assert sorted(m["To"] for m in inbox.received) == [
            "socia0@demo.example",
            "socia1@demo.example",
            "socia2@demo.example",
        ]


def test_a_refused_address_is_given_up_a_deferred_one_waits_the_rest_go(app, db, smtp, clock_at):
    start = dt.datetime(2026, 12, 4, 15, tzinfo=dt.UTC)
    clock_at(start)
    smtp.refused.add("nadie@demo.example")
    smtp.deferred.add("llena@demo.example")
    with app.test_request_context():
        for to in ("nadie@demo.example", "llena@demo.example", "rosa@demo.example"):
            outbox.enqueue(to, "Asunto", "Texto", kind="test")
    db.commit()
    tally = worker.run_once()
    assert (tally.sent, tally.postponed, tally.given_up) == (1, 1, 1)
    by_address = {r.to: r for r in waiting(db)}
    assert by_address["nadie@demo.example"].failed_at is not None
    assert by_address["nadie@demo.example"].last_error.startswith("550")
    assert by_address["llena@demo.example"].failed_at is None
    assert by_address["llena@demo.example"].last_error.startswith("451")

    # The full mailbox keeps refusing: given up after MAX_ATTEMPTS tries, with growing pauses.
    for attempt in range(2, worker.MAX_ATTEMPTS + 1):
        clock_at(
            start
            + sum((worker.pause(n) for n in range(1, attempt)), dt.timedelta())
            + dt.timedelta(seconds=attempt)
        )
        worker.run_once()
    db.refresh(by_address["llena@demo.example"])
    assert by_address["llena@demo.example"].failed_at is not None
    assert [m["To"] for m in smtp.received] == ["rosa@demo.example"]


def test_the_pause_between_tries_grows_and_stops_at_an_hour():
    assert [worker.pause(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert worker.pause(20) == dt.timedelta(hours=1)


def test_without_a_mail_server_the_worker_writes_files(app, db, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DIR", str(tmp_path))
    with app.test_request_context():
        outbox.enqueue("rosa@demo.example", "Prueba", "Hola.", kind="test")
    db.commit()
    assert list(tmp_path.glob("*.eml")) == []
    worker.run_once()
    [saved] = tmp_path.glob("*.eml")
    assert b"rosa@demo.example" in saved.read_bytes()


def test_two_workers_deliver_a_thousand_messages_with_no_duplicate_and_no_loss(app, monkeypatch):
    """With real commits (no test transaction), as two `portal worker` processes would. On
    SQLite, where writers take turns and each commit waits for the disk, 200 make the point."""
    count = 1000 if TEST_DATABASE_URL else 200
    with smtp_server() as (inbox, port):
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_SECURITY", "none")
        with app.test_request_context():
            for n in range(count):
                outbox.enqueue(f"persona{n}@demo.example", f"Aviso {n}", "Texto", kind="test")
            _db.session.commit()
        try:
            tallies = two_workers(app)
            subjects = [m["Subject"] for m in inbox.received]
            assert len(subjects) == count
            assert len(set(subjects)) == count
            assert sum(t.sent for t in tallies) == count
            with app.app_context():
                assert outbox.waiting_count() == 0
                if _db.engine.dialect.name == "postgresql":
                    assert all(t.sent > 0 for t in tallies)  # both took their share
        finally:
            with app.app_context():
                _db.session.execute(sa.delete(OutboxMessage))
                _db.session.commit()


def test_the_guard_catches_mail_sent_inside_a_request(app, tmp_path, monkeypatch, mail_guard):
    """The suite-wide guard (conftest) is real: a request that writes a mail, or connects to a
    mail server, is seen."""
    monkeypatch.setitem(app.config, "MAIL_DIR", str(tmp_path))
    with app.test_request_context("/una/accion"), mail.Postbox() as postbox:
        postbox.send(mail.Letter(to="rosa@demo.example", subject="S", text="T"))
    with smtp_server() as (_inbox, port), app.test_request_context("/otra/accion"):
        smtplib.SMTP("127.0.0.1", port).quit()
    assert mail_guard == ["/una/accion", "/otra/accion"]
    mail_guard.clear()  # seen: this test passes


def test_the_console_shows_what_waits_and_what_was_given_up(app, db, client, login, make_user):
    admin = make_user(is_admin=True)
    with app.test_request_context():
        outbox.enqueue("rosa@demo.example", "Espera", "Texto", kind="test")
        lost = outbox.enqueue("nadie@demo.example", "Abandonado", "Texto", kind="test")
    lost.failed_at = clock.now()
    lost.last_error = "550 5.1.1 No such mailbox"
    db.commit()
    login(admin)
    page = client.get("/admin/correo")
    assert page.status_code == 200
    text = text_of(page)
    assert "1 mensaje espera" in text and "1 abandonado" in text
    assert "nadie@demo.example" in text and "550 5.1.1 No such mailbox" in text
    assert "rosa@demo.example" not in text  # waiting mail is counted, not listed


def test_the_worker_goes_on_when_the_database_drops_its_connections(app, monkeypatch):
    """As when PostgreSQL restarts: every connection of the worker is cut while it runs; it
    says so in its log, reconnects and sends what comes next. (SQLite has no server.)"""
    if not TEST_DATABASE_URL:
        pytest.skip("a database server restart is PostgreSQL's; SQLite is a file")
    with smtp_server() as (inbox, port):
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_SECURITY", "none")
        stop = threading.Event()

        def work() -> None:
            with app.app_context():
                worker.run(stop, interval=0.1, worker="w")

        def mail(subject: str) -> None:
            with app.test_request_context():
                outbox.enqueue("rosa@demo.example", subject, "Texto", kind="test")
                _db.session.commit()

        def received(count: int) -> bool:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and len(inbox.received) < count:
                time.sleep(0.05)
            return len(inbox.received) >= count

        running = threading.Thread(target=work)
        running.start()
        try:
            mail("Antes")
            assert received(1)
            server = sa.create_engine(TEST_DATABASE_URL)
            with server.connect() as connection:
                cut = connection.execute(
                    sa.text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).scalar_one()
            server.dispose()
            assert cut >= 1  # the worker's own connection among them
            mail("Después")
            assert received(2)
            assert [m["Subject"] for m in inbox.received] == ["Antes", "Después"]
        finally:
            stop.set()
            running.join(timeout=10)
            with app.app_context():
                _db.session.execute(sa.delete(OutboxMessage))
                _db.session.commit()
