"""languages of emails: the language an invitation's emails are in, and the language each
queued email is written in

Revision ID: a9c4e2f7b3d1
Revises: a9c4e2f7b318
Create Date: 2026-12-02 10:00:00

Both nullable: invitations and emails queued before languages existed are in the clinic's
language (SCREENING_LANGUAGE), which an empty value means.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9c4e2f7b3d1'
down_revision = 'a9c4e2f7b318'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE, not batch mode: on SQLite a batch would copy the tables.
    op.add_column('invitations', sa.Column('language', sa.String(length=16), nullable=True))
    op.add_column('outbox_messages', sa.Column('language', sa.String(length=16),
                                               nullable=True))


def downgrade():
    op.drop_column('outbox_messages', 'language')  # SQLite 3.35 and later drop it in place
    op.drop_column('invitations', 'language')
