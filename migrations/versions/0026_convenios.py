"""convenios and protocolos: their parties, signatory roles, term, renewal date, what each
party contributes (money or in kind, valued) and the initiatives they finance

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 08:00:00

Stands alone: it imports nothing of the application.
"""
from alembic import op
import sqlalchemy as sa


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('convenios',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('convenio', 'protocolo', name='convenio_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('renewal_on', sa.Date(), nullable=True),
    sa.Column('document', sa.String(length=300), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_convenios_term_in_order')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_convenios_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_convenios_created_by_id_users')),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name=op.f('fk_convenios_territory_id_territories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_convenios'))
    )
    with op.batch_alter_table('convenios', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_convenios_territory_id'), ['territory_id'], unique=False)

    op.create_table('convenio_initiatives',
    sa.Column('convenio_id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['convenio_id'], ['convenios.id'], name=op.f('fk_convenio_initiatives_convenio_id_convenios')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_convenio_initiatives_initiative_id_initiatives')),
    sa.PrimaryKeyConstraint('convenio_id', 'initiative_id', name=op.f('pk_convenio_initiatives'))
    )
    with op.batch_alter_table('convenio_initiatives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_convenio_initiatives_initiative_id'), ['initiative_id'], unique=False)

    op.create_table('convenio_parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('convenio_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('signatory_role', sa.String(length=160), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=True),
    sa.Column('in_kind', sa.Boolean(), nullable=False),
    sa.Column('contribution', sa.String(length=300), nullable=False),
    sa.CheckConstraint('amount IS NULL OR amount >= 0', name=op.f('ck_convenio_parties_amount_not_negative')),
    sa.ForeignKeyConstraint(['convenio_id'], ['convenios.id'], name=op.f('fk_convenio_parties_convenio_id_convenios')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_convenio_parties_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_convenio_parties')),
    sa.UniqueConstraint('convenio_id', 'organization_id', name=op.f('uq_convenio_parties_convenio_id_organization_id'))
    )
    with op.batch_alter_table('convenio_parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_convenio_parties_convenio_id'), ['convenio_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_convenio_parties_organization_id'), ['organization_id'], unique=False)


def downgrade():
    with op.batch_alter_table('convenio_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_convenio_parties_organization_id'))
        batch_op.drop_index(batch_op.f('ix_convenio_parties_convenio_id'))

    op.drop_table('convenio_parties')
    with op.batch_alter_table('convenio_initiatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_convenio_initiatives_initiative_id'))

    op.drop_table('convenio_initiatives')
    with op.batch_alter_table('convenios', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_convenios_territory_id'))

    op.drop_table('convenios')
