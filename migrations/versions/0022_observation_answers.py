"""the institution's public answer to an observation on its commitment

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 04:47:27

Stands alone: it imports nothing of the application.
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('commitment_observations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('answered_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_commitment_observations_answered_by_id_users'), 'users', ['answered_by_id'], ['id'])



def downgrade():
    with op.batch_alter_table('commitment_observations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_commitment_observations_answered_by_id_users'), type_='foreignkey')
        batch_op.drop_column('answered_at')
        batch_op.drop_column('answered_by_id')
        batch_op.drop_column('answer')

