"""screening language: the language the client answered in

Revision ID: f2a6d8c4b1e9
Revises: e7b3c9a41d20
Create Date: 2026-12-02 09:40:00

Every screening stored before languages existed was answered in English.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2a6d8c4b1e9'
down_revision = 'e7b3c9a41d20'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE, not batch mode: on SQLite a batch would copy the table and lose the
    # expression index ix_screenings_queue.
    op.add_column('screenings', sa.Column('language', sa.String(length=16), nullable=False,
                                          server_default="en"))


def downgrade():
    op.drop_column('screenings', 'language')  # SQLite 3.35 and later drop it in place
