"""``portal backup`` and ``portal restore``: the database and the uploaded files, together, in
a folder with a manifest (when, which engine, which schema revision, the rows of every table,
the SHA-256 of every file).

The database is copied while the portal runs: SQLite with its online backup (a consistent
snapshot, page by page, without stopping writers for long), PostgreSQL with ``pg_dump`` in its
custom format (one transaction's snapshot). Restoring puts the copy in place of the configured
database (``pg_restore --clean --single-transaction``; SQLite's backup into the file) and the
files in place of the upload folder, then checks every table's rows against the manifest. A
backup is restored into the same engine it was taken from."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlalchemy as sa

from portal.core import clock
from portal.extensions import db
from portal.meetings.attachments import upload_dir

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
FILES = "uploads"


class BackupError(RuntimeError):
    """Why a backup or a restore cannot be done, in words for the operator."""


@dataclass
class Manifest:
    created_at: str
    engine: str
    revision: str | None
    tables: dict[str, int]
    files: dict[str, str]


def _engine_name() -> str:
    return db.engine.dialect.name


def _libpq_url() -> str:
    """The database's address as pg_dump and pg_restore read it."""
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise BackupError("The SQLite database is in memory: there is no file to back up.")
    return Path(database)


def row_counts() -> dict[str, int]:
    """The rows of every table of the models, read in one transaction."""
    with db.engine.connect() as connection:
        return {
            table.name: connection.execute(
                sa.select(sa.func.count()).select_from(table)
            ).scalar_one()
            for table in db.metadata.sorted_tables
        }


def _revision() -> str | None:
    with db.engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _digest(path: Path) -> str:
    found = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            found.update(block)
    return found.hexdigest()


def _files(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {
        str(p.relative_to(folder)): _digest(p) for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _run(args: list[str]) -> None:
    try:
        # The programs are PostgreSQL's own, given the configured database and our folders.
        subprocess.run(args, check=True, capture_output=True, text=True, timeout=3600)  # noqa: S603
    except FileNotFoundError as missing:
        raise BackupError(f"{args[0]} is not installed (package postgresql-client).") from missing
    except subprocess.CalledProcessError as failed:
        raise BackupError(f"{args[0]} failed: {failed.stderr.strip()[:500]}") from failed


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy of ``source`` written over ``target``."""
    with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(target)) as writing:
        reading.backup(writing)


def backup(destination: Path) -> Manifest:
    """Copies the database and the uploaded files into ``destination`` (new or empty)."""
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} is not empty: choose a new folder for the backup.")
    destination.mkdir(parents=True, exist_ok=True)
    engine = _engine_name()
    if engine == "sqlite":
        _sqlite_copy(_sqlite_path(), destination / SQLITE_FILE)
    elif engine == "postgresql":
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={destination / PG_FILE}",
                f"--dbname={_libpq_url()}",
            ]
        )
    else:
        raise BackupError(f"Backups of {engine} databases are not supported.")
    uploads = upload_dir()
    if uploads.is_dir():
        shutil.copytree(uploads, destination / FILES)
    manifest = Manifest(
        created_at=clock.now().isoformat(),
        engine=engine,
        revision=_revision(),
        tables=_counts_of_copy(destination, engine),
        files=_files(destination / FILES),
    )
    (destination / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2, sort_keys=True))
    return manifest


def _counts_of_copy(destination: Path, engine: str) -> dict[str, int]:
    """The rows of every table as the copy holds them (the portal may have written since)."""
    if engine == "sqlite":
        copy = sa.create_engine(f"sqlite:///{destination / SQLITE_FILE}")
        try:
            with copy.connect() as connection:
                return {
                    t.name: connection.execute(
                        sa.select(sa.func.count()).select_from(t)
                    ).scalar_one()
                    for t in db.metadata.sorted_tables
                }
        finally:
            copy.dispose()
    return _pg_dump_counts(destination / PG_FILE)


def _pg_dump_counts(dump: Path) -> dict[str, int]:
    """Rows per table in a custom-format dump, read back from its data (no server needed)."""
    with tempfile.TemporaryDirectory() as folder:
        plain = Path(folder) / "dump.sql"
        _run(["pg_restore", "--data-only", f"--file={plain}", str(dump)])
        counts: dict[str, int] = {t.name: 0 for t in db.metadata.sorted_tables}
        table: str | None = None
        with plain.open(encoding="utf-8") as lines:
            for line in lines:
                if line.startswith("COPY "):
                    name = line.split()[1].split(".")[-1].strip('"')
                    table = name if name in counts else None
                elif line.startswith("\\."):
                    table = None
                elif table is not None:
                    counts[table] += 1
        return counts


def read_manifest(source: Path) -> Manifest:
    try:
        return Manifest(**json.loads((source / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as broken:
        raise BackupError(f"{source} holds no backup of the portal ({MANIFEST}).") from broken


def restore(source: Path) -> Manifest:
    """Puts the backup in ``source`` in place of the configured database and upload folder,
    then checks that every table holds the rows the manifest says."""
    manifest = read_manifest(source)
    engine = _engine_name()
    if manifest.engine != engine:
        raise BackupError(
            f"This backup is of a {manifest.engine} database; the portal uses {engine}."
        )
    db.session.remove()
    db.engine.dispose()
    if engine == "sqlite":
        _sqlite_copy(source / SQLITE_FILE, _sqlite_path())
    else:
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                f"--dbname={_libpq_url()}",
                str(source / PG_FILE),
            ]
        )
    _restore_files(source / FILES)
    restored = row_counts()
    wrong = {t: (n, restored.get(t)) for t, n in manifest.tables.items() if restored.get(t) != n}
    if wrong:
        raise BackupError(f"The restored tables do not match the backup: {wrong}")
    return manifest


def _restore_files(saved: Path) -> None:
    """The upload folder becomes the backup's, swapped in at the end so that a failure
    leaves the old one."""
    target = upload_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(f"{target.name}.restoring")
    shutil.rmtree(incoming, ignore_errors=True)
    if saved.is_dir():
        shutil.copytree(saved, incoming)
    else:
        incoming.mkdir()
    old = target.with_name(f"{target.name}.before-restore-{clock.now():%Y%m%d%H%M%S}")
    if target.exists():
        target.rename(old)
    incoming.rename(target)
    shutil.rmtree(old, ignore_errors=True)
