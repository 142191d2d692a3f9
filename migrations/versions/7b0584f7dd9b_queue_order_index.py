"""queue order index

Revision ID: 7b0584f7dd9b
Revises: 98755ed30d75
Create Date: 2026-11-26 16:26:22.497775

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b0584f7dd9b'
down_revision = '98755ed30d75'
branch_labels = None
depends_on = None


#: The queue's ORDER BY (screening/models.py QUEUE_ORDER), column for column.
QUEUE_ORDER = ["(decision IS NOT NULL)", "urgent DESC", "outcome_rank DESC",
               "(appointment_date IS NULL)", "appointment_date", "submitted_at DESC", "id DESC"]
RANKS = {"clear": 0, "caution": 1, "local": 2, "medical_clearance": 3, "postpone": 4}


def upgrade():
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome_rank', sa.Integer(), nullable=False,
                                      server_default="0"))
    op.execute("UPDATE screenings SET outcome_rank = CASE outcome "
               + " ".join(f"WHEN '{outcome}' THEN {rank}" for outcome, rank in RANKS.items())
               + " ELSE 0 END")
    op.create_index("ix_screenings_queue", "screenings",
                    [sa.text(expression) for expression in QUEUE_ORDER])


def downgrade():
    op.drop_index("ix_screenings_queue", table_name="screenings")
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.drop_column('outcome_rank')
