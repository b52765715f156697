"""notices that reach people: the outbox, mail preferences per kind, follows, reminder keys,
the address an observer leaves for the answer, and when a session's agenda was sent

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 03:21:14

Stands alone: it imports nothing of the application.
"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('follows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target', sa.Enum('territory', 'mesa', 'initiative', 'commitment', name='follow_target', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_follows_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follows')),
    sa.UniqueConstraint('target', 'target_id', 'user_id', name=op.f('uq_follows_target_target_id_user_id')),
    sa.UniqueConstraint('target', 'target_id', 'email', name=op.f('uq_follows_target_target_id_email'))
    )
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.create_index('ix_follows_target', ['target', 'target_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follows_user_id'), ['user_id'], unique=False)

    op.create_table('notice_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('cadence', sa.Enum('now', 'daily', 'weekly', 'never', name='notice_cadence', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notice_preferences_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_preferences')),
    sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_notice_preferences_user_id_kind'))
    )
    with op.batch_alter_table('notice_preferences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_preferences_user_id'), ['user_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('email', 'sms', name='outbox_channel', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('to', sa.String(length=254), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=True),
    sa.Column('attachment_name', sa.String(length=120), nullable=True),
    sa.Column('attachment_type', sa.String(length=120), nullable=True),
    sa.Column('attachment', sa.Text(), nullable=True),
    sa.Column('unsubscribe_url', sa.String(length=500), nullable=True),
    sa.Column('message_id', sa.String(length=250), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('available_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outbox_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_outbox_waiting', ['available_at'], unique=False, postgresql_where=sa.text('sent_at IS NULL AND failed_at IS NULL'), sqlite_where=sa.text('sent_at IS NULL AND failed_at IS NULL'))

    with op.batch_alter_table('commitment_observations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('author_email', sa.String(length=254), nullable=True))

    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agenda_sent_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('digest', sa.String(length=10), nullable=True))
        batch_op.create_index(batch_op.f('ix_notices_digest'), ['digest'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_notices_key'), ['key'])



def downgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('agenda_sent_at')

    with op.batch_alter_table('commitment_observations', schema=None) as batch_op:
        batch_op.drop_column('author_email')

    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_notices_key'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_notices_digest'))
        batch_op.drop_column('digest')
        batch_op.drop_column('key')
        batch_op.drop_column('kind')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_waiting', postgresql_where=sa.text('sent_at IS NULL AND failed_at IS NULL'), sqlite_where=sa.text('sent_at IS NULL AND failed_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_outbox_user_id'))

    op.drop_table('outbox')
    with op.batch_alter_table('notice_preferences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_preferences_user_id'))

    op.drop_table('notice_preferences')
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follows_user_id'))
        batch_op.drop_index('ix_follows_target')

    op.drop_table('follows')
