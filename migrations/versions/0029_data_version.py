"""the version of the public data: one row whose number goes up with every write that a
public page could show, so that pages kept rendered are never stale; sessions indexed by their
end

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04 15:00:00

Stands alone: it imports nothing of the application.
"""
from alembic import op
import sqlalchemy as sa


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('data_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('number', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version'))
    )
    op.bulk_insert(table, [{'id': 1, 'number': 0}])
    # The next end of a session is read at every request (a page may say "upcoming" until then).
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_ends_at'), ['ends_at'], unique=False)


def downgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_ends_at'))
    op.drop_table('data_version')
