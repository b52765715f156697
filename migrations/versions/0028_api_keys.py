"""write keys of the API (only their SHA-256 kept), scoped to a territory and some kinds of
writes, and the log of each write with the key's name (in the change log)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04 13:00:00

Stands alone: it imports nothing of the application.
"""
from alembic import op
import sqlalchemy as sa


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('scopes', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('hint', sa.String(length=4), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_tokens_created_by_id_users')),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name=op.f('fk_api_tokens_territory_id_territories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_territory_id'), ['territory_id'], unique=False)

    op.create_table('api_writes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('token_name', sa.String(length=120), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=60), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_api_writes_token_id_api_tokens')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_writes'))
    )
    with op.batch_alter_table('api_writes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_writes_token_id'), ['token_id'], unique=False)


def downgrade():
    with op.batch_alter_table('api_writes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_writes_token_id'))
    op.drop_table('api_writes')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_territory_id'))
    op.drop_table('api_tokens')
