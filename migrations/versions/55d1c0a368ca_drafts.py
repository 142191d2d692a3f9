"""drafts: answers checked but not sent yet, for the check page's own address

Revision ID: 55d1c0a368ca
Revises: fd597db4ae8f
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '55d1c0a368ca'
down_revision = 'fd597db4ae8f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_drafts')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_drafts_token_hash')),
    )
    op.create_index(op.f('ix_drafts_created_at'), 'drafts', ['created_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_drafts_created_at'), table_name='drafts')
    op.drop_table('drafts')
