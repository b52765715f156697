"""rounds can be cancelled with a reason; a closed round keeps each initiative's title and cost
as they were at closing

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 18:30:00

Stands alone: it imports nothing of the application.
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_rounds_round_status'), type_='check')
        batch_op.alter_column('status', existing_type=sa.String(length=6), type_=sa.String(length=9), existing_nullable=False)
        batch_op.create_check_constraint(
            op.f('ck_rounds_round_status'), "status IN ('open', 'closed', 'cancelled')"
        )
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=500), nullable=False, server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_rounds_cancelled_by_id_users'), 'users', ['cancelled_by_id'], ['id'])
    with op.batch_alter_table('round_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_at_close', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('cost_at_close', sa.BigInteger(), nullable=True))
    # Rounds closed before this revision: their initiatives as they are now is all there is.
    op.execute(
        "UPDATE round_items SET title_at_close = (SELECT title FROM initiatives"
        " WHERE initiatives.id = round_items.initiative_id),"
        " cost_at_close = (SELECT estimated_cost FROM initiatives"
        " WHERE initiatives.id = round_items.initiative_id)"
        " WHERE round_id IN (SELECT id FROM rounds WHERE status = 'closed')"
    )


def downgrade():
    with op.batch_alter_table('round_items', schema=None) as batch_op:
        batch_op.drop_column('cost_at_close')
        batch_op.drop_column('title_at_close')
    op.execute("UPDATE rounds SET status = 'closed' WHERE status = 'cancelled'")
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_rounds_cancelled_by_id_users'), type_='foreignkey')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_by_id')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_constraint(op.f('ck_rounds_round_status'), type_='check')
        batch_op.alter_column('status', existing_type=sa.String(length=9), type_=sa.String(length=6), existing_nullable=False)
        batch_op.create_check_constraint(op.f('ck_rounds_round_status'), "status IN ('open', 'closed')")
