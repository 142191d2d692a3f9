"""declaration: the wording version the client signed, and a minor's parent or guardian

Revision ID: c3a7e5d2b911
Revises: 94c093d1d7c2
Create Date: 2026-12-02 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a7e5d2b911'
down_revision = '94c093d1d7c2'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE, not batch mode, so SQLite keeps its expression indexes.
    op.add_column('screenings', sa.Column('declaration', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('screenings', 'declaration')  # SQLite 3.35 and later drop it in place
