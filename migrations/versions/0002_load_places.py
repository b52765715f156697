"""Load the 16 regions, 56 provinces and 346 comunas of Chile (portal/places/data/cut.csv)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21

Stands alone: it reads the data file with its own code, written against the tables as they are
at this revision (``portal.places.reference.sync_places`` keeps them in step afterwards).
"""

import csv
import io
from importlib import resources

from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# North to south, the order in which Chileans list their regions (codes are historical).
REGION_ORDER = ["15", "01", "02", "03", "04", "05", "13", "06", "07", "16", "08", "09", "14", "10", "11", "12"]

regions = sa.table(
    "regions",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("roman", sa.String),
    sa.column("position", sa.SmallInteger),
)
provinces = sa.table(
    "provinces",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("region_id", sa.Integer),
)
comunas = sa.table(
    "comunas",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("province_id", sa.Integer),
)


def _ids(connection, table):
    return {code: id_ for id_, code in connection.execute(sa.select(table.c.id, table.c.code))}


def upgrade():
    connection = op.get_bind()
    text = resources.files("portal.places").joinpath("data/cut.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    seen = set()
    for r in rows:
        if r["region_code"] not in seen:
            seen.add(r["region_code"])
            connection.execute(sa.insert(regions).values(
                code=r["region_code"], name=r["region_name"], roman=r["region_roman"],
                position=REGION_ORDER.index(r["region_code"]) + 1,
            ))
    region_ids = _ids(connection, regions)
    for r in rows:
        if r["province_code"] not in seen:
            seen.add(r["province_code"])
            connection.execute(sa.insert(provinces).values(
                code=r["province_code"], name=r["province_name"], region_id=region_ids[r["region_code"]],
            ))
    province_ids = _ids(connection, provinces)
    for r in rows:
        connection.execute(sa.insert(comunas).values(
            code=r["comuna_code"], name=r["comuna_name"], province_id=province_ids[r["province_code"]],
        ))


def downgrade():
    op.execute("DELETE FROM comunas")
    op.execute("DELETE FROM provinces")
    op.execute("DELETE FROM regions")
