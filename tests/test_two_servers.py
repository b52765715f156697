"""Two app servers, one portal: two `portal serve` processes on one PostgreSQL, with the rate
limits in Redis and one upload folder, each on a loopback port of its own, nothing in front.
What a person does on one is what the other knows: the session, the failed sign-ins counted
against the limit, a file uploaded, a page changed by a write (never an old copy kept by the
other), and a message of the outbox, which `portal worker` sends once."""

from __future__ import annotations

import email
import email.policy
import os
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.mesas.models import ActorType, Organization, Role
from portal.places.reference import sync_places
from tests import factories
from tests.conftest import PASSWORD, TEST_DATABASE_URL
from tests.servers import PORTAL, clean_environment, free_port, portal_process
from tests.test_backup import database, portal_on  # noqa: F401 - the fixture

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="several app servers share a PostgreSQL database"
)
REDIS = "redis://127.0.0.1:6379/14"
PDF = b"%PDF-1.4\n% acta firmada de la sesion\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EMAIL = "secretaria.dos@demo.example"


@pytest.fixture
def redis_limits() -> Iterator[str]:
    import redis

    client = redis.Redis.from_url(REDIS)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis on 127.0.0.1:6379")
    client.flushdb()
    yield REDIS
    client.flushdb()


def build(url: str, instance: Path) -> dict[str, object]:
    app = portal_on(url, instance)
    with app.app_context():
        db.create_all()
        with db.engine.begin() as connection:
            sync_places(connection)
        session = db.session
        factories.demo_data(session)
        mesa = factories.goat_mesa(session)
        user = factories.account(session, "Secretaria de dos servidores", EMAIL, PASSWORD)
        session.flush()
        factories.seat(session, mesa, user, Role.SECRETARY, actor_type=ActorType.PUBLIC)
        held = factories.meeting(session, mesa, 90)
        commitment = factories.commitment(
            session, held, session.scalars(sa.select(Organization)).first(), "Reparar el pozo."
        )
        session.commit()
        return {
            "session": f"/mesas/{mesa.slug}/sesiones/{held.number}",
            "commitment": f"/compromisos/{commitment.id}",
        }


def settings(url: str, instance: Path, port: int, uploads: Path, limits: str) -> dict[str, str]:
    return clean_environment(
        instance,
        PORTAL_DATABASE_URL=url,
        PORTAL_SECRET_KEY="the-same-on-every-server",
        PORTAL_BASE_URL=f"http://127.0.0.1:{port}",
        PORTAL_SECURE_COOKIES="false",
        PORTAL_RATELIMIT_STORAGE_URI=limits,
        PORTAL_UPLOAD_DIR=str(uploads),
    )


@contextmanager
def two_servers(url: str, root: Path, limits: str) -> Iterator[tuple[str, str]]:
    ports = free_port(), free_port()
    uploads = root / "uploads"
    with (
        portal_process(
            ["serve", "--bind", f"127.0.0.1:{ports[0]}", "--workers", "2", "--threads", "2"],
            settings(url, root / "a", ports[0], uploads, limits),
            ports[0],
        ),
        portal_process(
            ["serve", "--bind", f"127.0.0.1:{ports[1]}", "--workers", "2", "--threads", "2"],
            settings(url, root / "b", ports[1], uploads, limits),
            ports[1],
        ),
    ):
        yield f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}"


def token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:300]
    return found[1]


def test_two_servers_on_one_database_behave_as_one_portal(
    database,  # noqa: F811 - the fixture
    redis_limits,
    tmp_path: Path,
):
    url = database("two")
    paths = build(url, tmp_path / "setup")
    with (
        two_servers(url, tmp_path, redis_limits) as (a, b),
        httpx.Client() as person,
        httpx.Client() as visitor,
    ):
        # Signed in on one, signed in on the other: the session is the cookie.
        form = person.get(f"{a}/cuenta/ingresar")
        signed = person.post(
            f"{a}/cuenta/ingresar",
            data={"csrf_token": token(form), "email": EMAIL, "password": PASSWORD},
        )
        assert signed.status_code in (302, 303)
        mine = person.get(f"{b}/mis-mesas")
        assert mine.status_code == 200 and 'action="/cuenta/salir"' in mine.text

        # A file uploaded through one is downloaded from the other.
        upload = person.get(f"{a}{paths['session']}/adjuntos")
        sent = person.post(
            f"{a}{paths['session']}/adjuntos",
            data={"csrf_token": token(upload), "title": "Acta firmada"},
            files={"file": ("acta.pdf", PDF, "application/pdf")},
        )
        assert sent.status_code in (302, 303), sent.text[:500]
        page = person.get(f"{b}{paths['session']}").text
        link = re.search(rf'href="({re.escape(paths["session"])}/adjuntos/\d+)"', page)
        assert link, "the other server lists the file"
        assert person.get(f"{b}{link[1]}").content == PDF

        # A public page kept by one server changes there as soon as the other one writes.
        for server in (a, b, a, b):
            assert (
                "Ya llegaron los caños." not in visitor.get(f"{server}{paths['commitment']}").text
            )
        progress = person.get(f"{b}{paths['commitment']}/avance")
        reported = person.post(
            f"{b}{paths['commitment']}/avance",
            data={
                "csrf_token": token(progress),
                "reported_on": "2026-03-20",
                "text": "Ya llegaron los caños.",
            },
        )
        assert reported.status_code == 303, reported.text[:500]
        assert "Ya llegaron los caños." in visitor.get(f"{a}{paths['commitment']}").text

        # Failed sign-ins of one account count together: 5 a minute, on whichever server.
        stranger = httpx.Client()
        answers = []
        for n in range(6):
            server = (a, b)[n % 2]
            form = stranger.get(f"{server}/cuenta/ingresar")
            answers.append(
                stranger.post(
                    f"{server}/cuenta/ingresar",
                    data={"csrf_token": token(form), "email": EMAIL, "password": "no es"},
                ).status_code
            )
        stranger.close()
        assert answers[:5] == [422] * 5 and answers[5] == 429, answers

        # A reset asked for on one server leaves one message in the outbox; the worker sends
        # it once, and its link opens on the other server.
        forgot = visitor.get(f"{b}/cuenta/clave/olvido")
        asked = visitor.post(
            f"{b}/cuenta/clave/olvido", data={"csrf_token": token(forgot), "email": EMAIL}
        )
        assert asked.status_code == 200 and 'name="email"' not in asked.text
        worker = settings(url, tmp_path / "worker", 0, tmp_path / "uploads", redis_limits)
        for _ in range(2):
            subprocess.run([PORTAL, "worker", "--once"], env=worker, check=True, timeout=120)
        mail = list((tmp_path / "worker" / "mail").glob("*.eml"))
        assert len(mail) == 1, mail
        message = email.message_from_bytes(mail[0].read_bytes(), policy=email.policy.default)
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        link = re.search(r"http://127\.0\.0\.1:\d+(/cuenta/clave/nueva/\S+)", text)
        assert link, text
        assert visitor.get(f"{a}{link[1]}").status_code == 200
