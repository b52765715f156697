"""the plan's indicators: baselines, targets per year and measurements of each strategic
objective

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 05:00:00

Stands alone: it imports nothing of the application.
"""
from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.Enum('focus', 'operational', name='indicator_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('direction', sa.Enum('up', 'down', name='indicator_direction', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('baseline_value', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('baseline_on', sa.Date(), nullable=False),
    sa.Column('baseline_source', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['objective_id'], ['strategic_objectives.id'], name=op.f('fk_plan_indicators_objective_id_strategic_objectives')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_indicators')),
    sa.UniqueConstraint('objective_id', 'code', name=op.f('uq_plan_indicators_objective_id_code'))
    )
    with op.batch_alter_table('plan_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_indicators_objective_id'), ['objective_id'], unique=False)

    op.create_table('plan_measurements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('measured_on', sa.Date(), nullable=False),
    sa.Column('value', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('evidence_url', sa.String(length=500), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['plan_indicators.id'], name=op.f('fk_plan_measurements_indicator_id_plan_indicators')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_plan_measurements_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_measurements'))
    )
    with op.batch_alter_table('plan_measurements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_measurements_indicator_id'), ['indicator_id'], unique=False)

    op.create_table('plan_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['plan_indicators.id'], name=op.f('fk_plan_targets_indicator_id_plan_indicators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_targets')),
    sa.UniqueConstraint('indicator_id', 'year', name=op.f('uq_plan_targets_indicator_id_year'))
    )
    with op.batch_alter_table('plan_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_targets_indicator_id'), ['indicator_id'], unique=False)



def downgrade():
    with op.batch_alter_table('plan_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_targets_indicator_id'))

    op.drop_table('plan_targets')
    with op.batch_alter_table('plan_measurements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_measurements_indicator_id'))

    op.drop_table('plan_measurements')
    with op.batch_alter_table('plan_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_indicators_objective_id'))

    op.drop_table('plan_indicators')
