"""regional coordinators: a person of the regional team runs one region's territories and mesas

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 22:40:00

Stands alone: it imports nothing of the application.
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('coordinations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_coordinations_region_id_regions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_coordinations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coordinations'))
    )
    with op.batch_alter_table('coordinations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coordinations_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coordinations_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('coordinations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coordinations_user_id'))
        batch_op.drop_index(batch_op.f('ix_coordinations_region_id'))
    op.drop_table('coordinations')
