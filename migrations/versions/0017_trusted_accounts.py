"""accounts confirm their address before they sign in; an invitation may join a member kept on
record to the account of the address it was sent to

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 22:00:00

Stands alone: it imports nothing of the application.
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True))
    # Accounts opened before this revision signed in without confirming their address; they
    # keep signing in (their owners are known to the mesas that seated them), counted as
    # confirmed when they were created.
    op.execute("UPDATE users SET email_verified_at = created_at")
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('membership_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_invitations_membership_id_memberships'), 'memberships', ['membership_id'], ['id'])


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invitations_membership_id_memberships'), type_='foreignkey')
        batch_op.drop_column('membership_id')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')
