"""an initiative's changes after its draft are kept as revisions; initiatives enter the change log

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 19:30:00

Stands alone: it imports nothing of the application. The initiatives already stored are
appended to the change log here, with the log's own format written out below.
"""
import datetime as dt
import decimal
import enum
import hashlib
import json

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# The tables this revision starts logging (portal/audit/chain.py logs them from now on).
NEWLY_AUDITED = (
    "initiatives",
    "initiative_funding",
    "initiative_status_changes",
    "initiative_revisions",
)
GENESIS = "0" * 64


def upgrade():
    op.create_table('initiative_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('made_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_initiative_revisions_initiative_id_initiatives')),
    sa.ForeignKeyConstraint(['made_by_id'], ['users.id'], name=op.f('fk_initiative_revisions_made_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative_revisions'))
    )
    with op.batch_alter_table('initiative_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_revisions_initiative_id'), ['initiative_id'], unique=False)
    connection = op.get_bind()
    reflected = sa.MetaData()
    _log_existing(connection, [sa.Table(name, reflected, autoload_with=connection) for name in NEWLY_AUDITED])


def downgrade():
    with op.batch_alter_table('initiative_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_revisions_initiative_id'))
    op.drop_table('initiative_revisions')


def _canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _sha256(text):
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        aware = value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value
        return aware.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _log_existing(connection, tables):
    """One insert entry for every row already in ``tables``, chained after the log's head."""
    head = sa.Table("audit_head", sa.MetaData(), autoload_with=connection)
    log = sa.Table("audit_entries", sa.MetaData(), autoload_with=connection)
    current = connection.execute(sa.select(head.c.seq, head.c.hash).where(head.c.id == 1)).first()
    seq, prev = (current.seq, current.hash) if current is not None else (0, GENESIS)
    at = dt.datetime.now(dt.timezone.utc)
    rows = []
    for table in tables:
        for row in connection.execute(sa.select(table).order_by(table.c.id)).mappings():
            data = _canonical({key: _plain(value) for key, value in row.items()})
            seq += 1
            entry = {
                "seq": seq, "at": at, "actor_id": None, "action": "insert",
                "table_name": table.name, "row_id": row["id"], "data": data,
                "data_sha256": _sha256(data), "prev_hash": prev,
            }
            line = _canonical({
                "action": "insert", "actor": None, "at": _plain(at),
                "data_sha256": entry["data_sha256"], "prev": prev, "row": row["id"],
                "seq": seq, "table": table.name,
            })
            entry["hash"] = prev = _sha256(line)
            rows.append(entry)
    if not rows:
        return
    connection.execute(sa.insert(log), rows)
    if current is None:
        connection.execute(sa.insert(head).values(id=1, seq=seq, hash=prev))
    else:
        connection.execute(sa.update(head).where(head.c.id == 1).values(seq=seq, hash=prev))
