"""invitations and the outbox

Revision ID: 94c093d1d7c2
Revises: 55d1c0a368ca
Create Date: 2026-12-01 23:21:32.061120

"""
import warnings
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '94c093d1d7c2'
down_revision = '55d1c0a368ca'
branch_labels = None
depends_on = None

FK = 'fk_screenings_invitation_id_invitations'


@contextmanager
def _changing_screenings():
    """Batch mode for the screenings table. On SQLite it copies the table, and the copy
    loses the indexes on expressions (the queue's: SQLite cannot reflect them), so those
    are put back afterwards, as they were."""
    bind = op.get_bind()
    saved = bind.execute(sa.text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'screenings' "
        "AND sql IS NOT NULL")).all() if bind.dialect.name == "sqlite" else []
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
        with op.batch_alter_table('screenings', schema=None) as batch_op:
            yield batch_op
    if saved:
        present = set(bind.scalars(sa.text("SELECT name FROM sqlite_master "
                                           "WHERE type = 'index'")))
        for name, sql in saved:
            if name not in present and "invitation_id" not in sql:
                op.execute(sql)


def upgrade():
    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('link_key', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('client_name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('appointment_date', sa.Date(), nullable=False),
    sa.Column('appointment_time', sa.Time(), nullable=False),
    sa.Column('therapist', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['therapists.id'], name=op.f('fk_invitations_created_by_id_therapists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('link_key', name=op.f('uq_invitations_link_key')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_appointment_date'), ['appointment_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_email'), ['email'], unique=False)

    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('screening_id', sa.Integer(), nullable=True),
    sa.Column('dedupe_key', sa.String(length=120), nullable=True),
    sa.Column('message_id', sa.String(length=250), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=32), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_outbox_messages_invitation_id_invitations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['screening_id'], ['screenings.id'], name=op.f('fk_outbox_messages_screening_id_screenings'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_messages_dedupe_key'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_messages_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_screening_id'), ['screening_id'], unique=False)

    with _changing_screenings() as batch_op:
        batch_op.add_column(sa.Column('invitation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_screenings_invitation_id'), ['invitation_id'],
                              unique=False)
        batch_op.create_foreign_key(FK, 'invitations', ['invitation_id'], ['id'],
                                    ondelete='SET NULL')

def downgrade():
    with _changing_screenings() as batch_op:
        batch_op.drop_constraint(FK, type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_screenings_invitation_id'))
        batch_op.drop_column('invitation_id')

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_screening_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_messages_invitation_id'))
        batch_op.drop_index('ix_outbox_messages_due')

    op.drop_table('outbox_messages')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_email'))
        batch_op.drop_index(batch_op.f('ix_invitations_appointment_date'))

    op.drop_table('invitations')
