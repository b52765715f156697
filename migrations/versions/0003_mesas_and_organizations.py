"""mesas and organizations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 09:33:42.149791

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('mesas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('thematic', 'territorial', 'regional', name='mesa_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('theme', sa.String(length=120), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('forming', 'active', 'dormant', 'closed', name='mesa_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status_since', sa.Date(), nullable=False),
    sa.Column('pre_existing', sa.Boolean(), nullable=False),
    sa.Column('founding_instrument', sa.Enum('constitutive_minutes', 'agreement', 'protocol', 'ordinance', name='founding_instrument', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('founded_on', sa.Date(), nullable=True),
    sa.Column('chair_title', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'regional' AND region_id IS NOT NULL AND territory_id IS NULL) OR (kind <> 'regional' AND territory_id IS NOT NULL)", name=op.f('ck_mesas_place_for_kind')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_mesas_region_id_regions')),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name=op.f('fk_mesas_territory_id_territories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mesas')),
    sa.UniqueConstraint('slug', name=op.f('uq_mesas_slug'))
    )
    with op.batch_alter_table('mesas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mesas_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mesas_territory_id'), ['territory_id'], unique=False)
        batch_op.create_index('uq_mesas_one_territorial_per_territory', ['territory_id'], unique=True, sqlite_where=sa.text("kind = 'territorial'"), postgresql_where=sa.text("kind = 'territorial'"))

    op.create_table('organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('short_name', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.Enum('public_service', 'municipality', 'regional_government', 'producers_association', 'cooperative', 'community_organization', 'indigenous_community', 'company', 'university', 'ngo', 'other', name='organization_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('actor_type', sa.Enum('public', 'private', 'social', 'knowledge', name='actor_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('comuna_id', sa.Integer(), nullable=True),
    sa.Column('rut', sa.String(length=12), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['comuna_id'], ['comunas.id'], name=op.f('fk_organizations_comuna_id_comunas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations')),
    sa.UniqueConstraint('name', name=op.f('uq_organizations_name')),
    sa.UniqueConstraint('rut', name=op.f('uq_organizations_rut'))
    )
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organizations_comuna_id'), ['comuna_id'], unique=False)




def downgrade():

    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organizations_comuna_id'))

    op.drop_table('organizations')
    with op.batch_alter_table('mesas', schema=None) as batch_op:
        batch_op.drop_index('uq_mesas_one_territorial_per_territory', sqlite_where=sa.text("kind = 'territorial'"), postgresql_where=sa.text("kind = 'territorial'"))
        batch_op.drop_index(batch_op.f('ix_mesas_territory_id'))
        batch_op.drop_index(batch_op.f('ix_mesas_region_id'))

    op.drop_table('mesas')

