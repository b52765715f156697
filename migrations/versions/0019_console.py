"""the administration console: each territory's stages (phase and status, with decree and
reason), the date of its decree, the earlier record of a mesa the program joined, and the log
of what the console did

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 22:30:00

Stands alone: it imports nothing of the application. The console's log enters the change log
(portal/audit) empty; the territories that exist get their present stage, since the date their
first comuna joined.
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('territories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decree_on', sa.Date(), nullable=True))
    with op.batch_alter_table('mesas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prior_record', sa.Text(), nullable=False, server_default=''))
    op.create_table('territory_stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('phase', sa.Enum('before_plan', 'annual_plan', 'triennial_plan', name='stage_phase', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('rezagado', 'egresando', 'egresado', name='stage_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('decree', sa.String(length=200), nullable=False),
    sa.Column('decree_on', sa.Date(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_territory_stages_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name=op.f('fk_territory_stages_territory_id_territories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_territory_stages'))
    )
    with op.batch_alter_table('territory_stages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_territory_stages_territory_id'), ['territory_id'], unique=False)
    op.create_table('admin_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('subject', sa.String(length=60), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_admin_actions_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_actions'))
    )
    with op.batch_alter_table('admin_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_actions_actor_id'), ['actor_id'], unique=False)
    # The territories already recorded: their present phase and status, as a first stage.
    op.execute(
        "INSERT INTO territory_stages (territory_id, phase, status, since, decree, reason, recorded_at)"
        " SELECT t.id, t.phase, t.status,"
        " COALESCE((SELECT MIN(valid_from) FROM territory_comunas c WHERE c.territory_id = t.id), CURRENT_DATE),"
        " t.decree, '', CURRENT_TIMESTAMP FROM territories t"
    )


def downgrade():
    with op.batch_alter_table('admin_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_actions_actor_id'))
    op.drop_table('admin_actions')
    with op.batch_alter_table('territory_stages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_territory_stages_territory_id'))
    op.drop_table('territory_stages')
    with op.batch_alter_table('mesas', schema=None) as batch_op:
        batch_op.drop_column('prior_record')
    with op.batch_alter_table('territories', schema=None) as batch_op:
        batch_op.drop_column('decree_on')
