"""subscribers to the portal's events (webhooks), the log of every delivery attempt, and the
outbox's third channel: events for other systems, each row for one subscriber

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 12:30:00

Stands alone: it imports nothing of the application.
"""
from alembic import op
import sqlalchemy as sa


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None



def upgrade():
    op.create_table('webhook_subscribers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('url', sa.String(length=254), nullable=False),
    sa.Column('events', sa.String(length=500), nullable=False),
    sa.Column('secret', sa.String(length=80), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_webhook_subscribers_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_subscribers'))
    )
    # The channel's column grows to hold "webhook", and its check admits it.
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_outbox_channel'), type_='check')
        batch_op.alter_column('channel', existing_type=sa.String(length=5), type_=sa.String(length=7), existing_nullable=False)
        batch_op.create_check_constraint('outbox_channel', "channel IN ('email', 'sms', 'webhook')")
        batch_op.add_column(sa.Column('subscriber_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_subscriber_id'), ['subscriber_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_subscriber_id_webhook_subscribers'), 'webhook_subscribers', ['subscriber_id'], ['id'])
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('subscriber_id', sa.Integer(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.Column('milliseconds', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['outbox.id'], name=op.f('fk_webhook_deliveries_message_id_outbox')),
    sa.ForeignKeyConstraint(['subscriber_id'], ['webhook_subscribers.id'], name=op.f('fk_webhook_deliveries_subscriber_id_webhook_subscribers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_subscriber_id'), ['subscriber_id'], unique=False)


def downgrade():
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_subscriber_id'))
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_message_id'))
    op.drop_table('webhook_deliveries')
    op.execute("DELETE FROM outbox WHERE channel = 'webhook'")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_subscriber_id_webhook_subscribers'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_subscriber_id'))
        batch_op.drop_column('subscriber_id')
        batch_op.drop_constraint(op.f('ck_outbox_outbox_channel'), type_='check')
        batch_op.alter_column('channel', existing_type=sa.String(length=7), type_=sa.String(length=5), existing_nullable=False)
        batch_op.create_check_constraint('outbox_channel', "channel IN ('email', 'sms')")
    op.drop_table('webhook_subscribers')
