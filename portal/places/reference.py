"""Loads the official list of regions, provinces and comunas (``data/cut.csv``).

Written with plain table constructs rather than the ORM models so that the first migration can
use it as it is today: it touches only columns that exist since that migration.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

import sqlalchemy as sa
from sqlalchemy.engine import Connection

# North to south, the order in which Chileans list their regions (codes are historical).
REGION_ORDER = ["15", "01", "02", "03", "04", "05", "13", "06", "07", "16", "08", "09", "14", "10"]
REGION_ORDER += ["11", "12"]

_regions = sa.table(
    "regions",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("roman", sa.String),
    sa.column("position", sa.SmallInteger),
)
_provinces = sa.table(
    "provinces",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("region_id", sa.Integer),
)
_comunas = sa.table(
    "comunas",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("province_id", sa.Integer),
)


@dataclass(frozen=True)
class CutRow:
    region_code: str
    region_name: str
    region_roman: str
    province_code: str
    province_name: str
    comuna_code: str
    comuna_name: str


def read_cut() -> list[CutRow]:
    text = resources.files("portal.places").joinpath("data/cut.csv").read_text(encoding="utf-8")
    return [CutRow(**row) for row in csv.DictReader(io.StringIO(text))]


def _sync(connection: Connection, table: sa.TableClause, wanted: dict[str, dict]) -> int:
    """Insert missing rows and correct changed ones, matched by ``code``. Returns changes."""
    existing = {row.code: row._mapping for row in connection.execute(sa.select(table)).fetchall()}
    changes = 0
    for code, values in wanted.items():
        current = existing.get(code)
        if current is None:
            connection.execute(sa.insert(table).values(code=code, **values))
            changes += 1
        elif any(current[k] != v for k, v in values.items()):
            connection.execute(sa.update(table).where(table.c.code == code).values(**values))
            changes += 1
    return changes


def _ids(connection: Connection, table: sa.TableClause) -> dict[str, int]:
    return {code: id_ for id_, code in connection.execute(sa.select(table.c.id, table.c.code))}


def sync_places(connection: Connection) -> int:
    """Make the database's places match the data file. Idempotent; returns rows changed."""
    rows = read_cut()
    regions = {
        r.region_code: {
            "name": r.region_name,
            "roman": r.region_roman,
            "position": REGION_ORDER.index(r.region_code) + 1,
        }
        for r in rows
    }
    changes = _sync(connection, _regions, regions)
    region_ids = _ids(connection, _regions)
    provinces = {
        r.province_code: {"name": r.province_name, "region_id": region_ids[r.region_code]}
        for r in rows
    }
    changes += _sync(connection, _provinces, provinces)
    province_ids = _ids(connection, _provinces)
    comunas = {
        r.comuna_code: {"name": r.comuna_name, "province_id": province_ids[r.province_code]}
        for r in rows
    }
    changes += _sync(connection, _comunas, comunas)
    return changes
