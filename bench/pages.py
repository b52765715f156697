"""Page weight and SQL query count of the public pages, with 6 and with 600 territories.

    .venv/bin/python bench/pages.py

Weight is what a first visit downloads, gzip-compressed: the HTML and the CSS and JS it links.
Budgets: 20 KB for public pages, 40 KB for member pages.
"""

from __future__ import annotations

import gzip
import re
import tempfile
import time
from pathlib import Path

import pyotp
import sqlalchemy as sa

from portal import create_app
from portal.accounts import two_factor
from portal.accounts.models import User
from portal.demo import load_demo_data
from portal.extensions import db
from portal.places.models import Comuna, Region, Territory, TerritoryComuna

PAGES = [
    "/",
    "/territorios/limari-choapa",
    "/mesas/mesa-territorial-limari-choapa",
    "/mesas/limari-choapa-ganaderia-caprina",
    "/organizaciones",
    "/cuenta/registro",
    "/cuenta/ingresar",
    "/mesas/limari-choapa-ganaderia-caprina/sesiones",
    "/mesas/limari-choapa-ganaderia-caprina/sesiones/1",
    "/mesas/limari-choapa-ganaderia-caprina/sesiones/1/acta",
    "/mesas/limari-choapa-ganaderia-caprina/sesiones/1/acta/imprimir",
    "/mesas/limari-choapa-ganaderia-caprina/actas",
    "/territorios/limari-choapa/iniciativas",
    "/iniciativas/1",
    "/rondas/1",
    "/territorios/limari-choapa/cartera",
    "/territorios/limari-choapa/plan",
    "/territorios/limari-choapa/plan/1/versiones/1",
    "/carteras/1/versiones/1",
    "/territorios/limari-choapa/convenios",
    "/convenios/1",
    "/territorios/limari-choapa/compromisos",
    "/territorios/limari-choapa/aportes",
    "/territorios/limari-choapa/cuenta-publica",
    "/territorios/limari-choapa/buscar?q=camino",
    "/compromisos/4",
    "/organizaciones/3/compromisos",
    "/registro-de-cambios",
    "/datos",
]


def weight(client, url: str) -> tuple[int, int]:
    html = client.get(url).get_data()
    total = len(gzip.compress(html))
    for asset in re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js)[^"]*)"', html):
        total += len(gzip.compress(client.get(asset.decode()).get_data()))
    return len(html), total


def count(app, client, url: str) -> tuple[int, float]:
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def listener(*args) -> None:  # type: ignore[no-untyped-def]
        statements.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", listener)
    started = time.perf_counter()
    client.get(url)
    elapsed = time.perf_counter() - started
    sa.event.remove(engine, "before_cursor_execute", listener)
    return len(statements), elapsed * 1000


def add_territories(app, n: int) -> None:
    with app.app_context():
        region = db.session.scalars(sa.select(Region).where(Region.code == "04")).one()
        comunas = list(db.session.scalars(sa.select(Comuna).limit(3)))
        for i in range(n):
            t = Territory(
                name=f"Territorio {i:04d}",
                slug=f"t-{i}",
                region=region,
                phase="triennial_plan",
                status="rezagado",
            )
            t.memberships = [
                TerritoryComuna(comuna=c, valid_from=sa.func.current_date()) for c in comunas
            ]
            db.session.add(t)
        db.session.commit()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "INSTANCE_PATH": tmp,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'b.db'}",
                "WTF_CSRF_ENABLED": False,
                "SESSION_COOKIE_SECURE": False,
            }
        )
        with app.app_context():
            db.create_all()
            load_demo_data()
        client = app.test_client()
        header = ("page", "html", "first visit gz", "queries 6", "queries 600")
        print("{:64} {:>7} {:>15} {:>10} {:>12}".format(*header))
        rows = {url: (*weight(client, url), count(app, client, url)[0]) for url in PAGES}
        add_territories(app, 594)
        for url, (raw, gz, q6) in rows.items():
            q600, ms = count(app, client, url)
            print(f"{url:64} {raw:7d} {gz:15d} {q6:10d} {q600:12d}   ({ms:.0f} ms with 600)")
        member_pages(app)


GOATS = "/mesas/limari-choapa-ganaderia-caprina"
MEMBER_PAGES = [
    "/mis-mesas",
    "/cuenta/avisos",
    GOATS,
    f"{GOATS}/integrantes",
    f"{GOATS}/gestion",
    f"{GOATS}/unirme",
    "/organizaciones/nueva",
    f"{GOATS}/sesiones/2/tabla",
    f"{GOATS}/sesiones/2/asistencia",
    f"{GOATS}/sesiones/2/acuerdos/nuevo",
    f"{GOATS}/sesiones/2/acta/editar",
    f"{GOATS}/sesiones/2/imprimir",
    f"{GOATS}/iniciativas/nueva",
    "/iniciativas/1/editar",
    f"{GOATS}/sesiones/2/compromisos/nuevo",
    "/compromisos/4/avance",
    "/compromisos/4/validar",
    "/pendientes",
    "/cuenta/avisos/preferencias",
    f"{GOATS}/sesiones/2/avisos-impresos",
]


def member_pages(app) -> None:  # type: ignore[no-untyped-def]
    """As the demo secretary of the goat mesa (the join form as the demo producer)."""
    print()
    print("{:56} {:>7} {:>15} {:>8}".format("member page", "html", "first visit gz", "queries"))
    for url in MEMBER_PAGES:
        email = "productora" if url.endswith("/unirme") else "secretaria"
        client = app.test_client()
        client.post(
            "/cuenta/ingresar",
            data={"email": f"{email}@demo.example", "password": "mesa demo 2026"},
        )
        raw, gz = weight(client, url)
        queries, ms = count(app, client, url)
        print(f"{url:56} {raw:7d} {gz:15d} {queries:8d}   ({ms:.0f} ms)")
    console_pages(app)


CONSOLE_PAGES = [
    "/admin",
    "/admin/territorios",
    "/admin/territorios/1",
    "/admin/territorios/nuevo?region=04",
    "/admin/mesas",
    "/admin/mesas/nueva",
    "/admin/personas",
    "/admin/registro",
    "/admin/correo",
    "/admin/suscriptores",
    "/admin/claves-api",
]


def console_pages(app) -> None:  # type: ignore[no-untyped-def]
    """As the demo's administrator, with two-step sign-in on (600 territories are stored)."""
    with app.app_context():
        admin = db.session.scalars(sa.select(User).where(User.is_admin)).first()
        secret = two_factor.new_secret()
        two_factor.enable(admin, secret, pyotp.TOTP(secret).now())
        db.session.commit()
        login_id = admin.login_id
    print()
    print("{:56} {:>7} {:>15} {:>8}".format("console page", "html", "first visit gz", "queries"))
    for url in CONSOLE_PAGES:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = login_id
            session["_fresh"] = True
        raw, gz = weight(client, url)
        queries, ms = count(app, client, url)
        print(f"{url:56} {raw:7d} {gz:15d} {queries:8d}   ({ms:.0f} ms)")


if __name__ == "__main__":
    main()
