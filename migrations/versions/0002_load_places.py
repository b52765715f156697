"""Load the 16 regions, 56 provinces and 346 comunas of Chile (portal/places/data/cut.csv)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21

"""

from alembic import op

from portal.places.reference import sync_places

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    sync_places(op.get_bind())


def downgrade():
    op.execute("DELETE FROM comunas")
    op.execute("DELETE FROM provinces")
    op.execute("DELETE FROM regions")
