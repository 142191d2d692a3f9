"""saved drafts: answers a client saves to come back to, beside the check page's drafts

Revision ID: d4b8f1c6a2e7
Revises: c3a7e5d2b911
Create Date: 2026-12-02 06:00:00.000000

"""
import warnings

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4b8f1c6a2e7'
down_revision = 'c3a7e5d2b911'
branch_labels = None
depends_on = None


def upgrade():
    with warnings.catch_warnings():
        # Batch mode reflects the tables these refer to; SQLite cannot read back the
        # screenings' expression index (left as it is).
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
        _upgrade()


def downgrade():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
        _downgrade()


def _upgrade():
    with op.batch_alter_table('drafts') as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), nullable=False,
                                      server_default='check'))
        batch_op.add_column(sa.Column('link_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('invitation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('submission_key', sa.String(length=32), nullable=True))
        batch_op.alter_column('token_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_drafts_link_key'), ['link_key'])
        batch_op.create_unique_constraint(batch_op.f('uq_drafts_invitation_id'),
                                          ['invitation_id'])
        batch_op.create_index(batch_op.f('ix_drafts_submission_key'), ['submission_key'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_drafts_invitation_id_invitations'),
                                    'invitations', ['invitation_id'], ['id'],
                                    ondelete='CASCADE')
    with op.batch_alter_table('drafts') as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=10), server_default=None)
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.add_column(sa.Column('draft_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_messages_draft_id'), ['draft_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_draft_id_drafts'),
                                    'drafts', ['draft_id'], ['id'], ondelete='SET NULL')


def _downgrade():
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_draft_id_drafts'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_draft_id'))
        batch_op.drop_column('draft_id')
    # The saved drafts cannot be kept in the older table (no token of their own).
    op.execute("DELETE FROM drafts WHERE kind <> 'check'")
    with op.batch_alter_table('drafts') as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_drafts_invitation_id_invitations'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_drafts_submission_key'))
        batch_op.drop_constraint(batch_op.f('uq_drafts_invitation_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_drafts_link_key'), type_='unique')
        batch_op.alter_column('token_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('submission_key')
        batch_op.drop_column('invitation_id')
        batch_op.drop_column('link_key')
        batch_op.drop_column('kind')
