"""``portal backup`` and ``portal restore``: a round trip from one database to a new one gives
back every row of every table and every uploaded file, on the engine the suite runs on
(SQLite, or PostgreSQL with pg_dump and pg_restore)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from portal import create_app
from portal.demo import load_demo_data
from portal.extensions import db
from portal.meetings.attachments import upload_dir
from portal.places.reference import sync_places
from tests.conftest import TEST_DATABASE_URL
from tests.conftest import test_config as settings_for


@pytest.fixture
def database(tmp_path: Path) -> Iterator:  # type: ignore[type-arg]
    """``database(name)``: the address of an empty database of its own, dropped afterwards."""
    made: list[str] = []
    server = sa.make_url(TEST_DATABASE_URL).set(database="postgres") if TEST_DATABASE_URL else None

    def new(name: str) -> str:
        if server is None:
            return f"sqlite:///{tmp_path / name}.sqlite3"
        unique = f"portal_{name}_{uuid.uuid4().hex[:8]}"
        engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{unique}"')
        engine.dispose()
        made.append(unique)
        return sa.make_url(TEST_DATABASE_URL).set(database=unique).render_as_string(False)

    yield new
    if server is not None:
        engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            for unique in made:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{unique}" WITH (FORCE)')
        engine.dispose()


def portal_on(url: str, instance: Path) -> Flask:
    instance.mkdir(parents=True, exist_ok=True)
    return create_app({**settings_for(instance, url), "UPLOAD_DIR": str(instance / "uploads")})


def every_row(app: Flask) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    with app.app_context(), db.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns))
            ]
            for table in db.metadata.sorted_tables
        }


def test_a_backup_restored_into_a_new_database_gives_back_every_row_and_file(
    database, tmp_path: Path
):
    source = portal_on(database("source"), tmp_path / "source")
    with source.app_context():
        db.create_all()
        with db.engine.begin() as connection:
            sync_places(connection)
        load_demo_data()
        files = upload_dir()
        (files / "ab").mkdir(parents=True)
        (files / "ab" / "acta-firmada.pdf").write_bytes(
            b"%PDF-1.7 acta firmada " + bytes(range(256))
        )
        (files / "foto.jpg").write_bytes(b"\xff\xd8\xff" + b"corral" * 100)
    saved = tmp_path / "respaldo"
    made = source.test_cli_runner().invoke(args=["backup", str(saved)])
    assert made.exit_code == 0, made.output
    assert "tables" in made.output and "2 files" in made.output
    manifest = json.loads((saved / "manifest.json").read_text())
    before = every_row(source)
    assert manifest["tables"] == {name: len(rows) for name, rows in before.items()}
    assert manifest["tables"]["commitments"] > 0 and manifest["tables"]["audit_entries"] > 0

    # Refused: a folder that already holds something.
    again = source.test_cli_runner().invoke(args=["backup", str(saved)])
    assert again.exit_code != 0 and "is not empty" in again.output

    target = portal_on(database("target"), tmp_path / "target")
    back = target.test_cli_runner().invoke(args=["restore", str(saved), "--yes"])
    assert back.exit_code == 0, back.output
    assert "each table checked" in back.output
    assert every_row(target) == before
    with target.app_context():
        restored = upload_dir()
    assert (restored / "ab" / "acta-firmada.pdf").read_bytes().startswith(b"%PDF-1.7 acta")
    assert sorted(p.name for p in restored.rglob("*") if p.is_file()) == [
        "acta-firmada.pdf",
        "foto.jpg",
    ]
    for app in (source, target):
        with app.app_context():
            db.engine.dispose()


def test_a_backup_of_another_engine_or_no_backup_is_refused(database, tmp_path: Path):
    target = portal_on(database("target"), tmp_path / "target")
    fake = tmp_path / "otro"
    fake.mkdir()
    nothing = target.test_cli_runner().invoke(args=["restore", str(fake), "--yes"])
    assert nothing.exit_code != 0 and "holds no backup of the portal" in nothing.output
    with target.app_context():
        engine = db.engine.dialect.name
    other = "postgresql" if engine == "sqlite" else "sqlite"
    (fake / "manifest.json").write_text(
        json.dumps({"created_at": "", "engine": other, "revision": None, "tables": {}, "files": {}})
    )
    refused = target.test_cli_runner().invoke(args=["restore", str(fake), "--yes"])
    assert refused.exit_code != 0
    assert f"This backup is of a {other} database; the portal uses {engine}." in refused.output
    asked = target.test_cli_runner().invoke(args=["restore", str(fake)], input="n\n")
    assert asked.exit_code != 0 and "Go on?" in asked.output
    with target.app_context():
        db.engine.dispose()
