"""money line by line: what each source's approver decided on a line (all, part or none, with
its reason, document and budget year) and what was executed of it each year

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 07:40:00

Stands alone: it imports nothing of the application.
"""
from alembic import op
import sqlalchemy as sa


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('portfolio_funding_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('funding_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.Enum('approved', 'partial', 'rejected', name='funding_decision', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('in_kind', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('document', sa.String(length=300), nullable=False),
    sa.Column('budget_year', sa.Integer(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(decision = 'rejected') = (amount = 0)", name=op.f('ck_portfolio_funding_approvals_rejected_means_nothing')),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_portfolio_funding_approvals_amount_not_negative')),
    sa.ForeignKeyConstraint(['funding_id'], ['portfolio_line_funding.id'], name=op.f('fk_portfolio_funding_approvals_funding_id_portfolio_line_funding')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_portfolio_funding_approvals_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portfolio_funding_approvals')),
    sa.UniqueConstraint('funding_id', name=op.f('uq_portfolio_funding_approvals_funding_id'))
    )
    op.create_table('portfolio_funding_executions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('funding_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_portfolio_funding_executions_amount_not_negative')),
    sa.ForeignKeyConstraint(['funding_id'], ['portfolio_line_funding.id'], name=op.f('fk_portfolio_funding_executions_funding_id_portfolio_line_funding')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_portfolio_funding_executions_reported_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portfolio_funding_executions'))
    )
    with op.batch_alter_table('portfolio_funding_executions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portfolio_funding_executions_funding_id'), ['funding_id'], unique=False)


def downgrade():
    with op.batch_alter_table('portfolio_funding_executions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portfolio_funding_executions_funding_id'))

    op.drop_table('portfolio_funding_executions')
    op.drop_table('portfolio_funding_approvals')
