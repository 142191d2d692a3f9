"""indexes for a large chain: the queue by outcome, and the name search (PostgreSQL)

Revision ID: e7b3c9a41d20
Revises: e4b2c9a1f7d3
Create Date: 2026-12-02 05:50:00

With a year of a large chain (1,000,000 screenings, `make bench-large`):

- The queue filtered by outcome read the screenings of that outcome and sorted them all
  (290 ms for "clear"): ix_screenings_outcome_queue is the queue's order after the outcome,
  so a page of one outcome is read in order.
- The name search looks for each word anywhere in screenings.search_name (LIKE '%word%'),
  which no B-tree index can answer, so every search read the whole table. On PostgreSQL a
  trigram index (pg_trgm, a "trusted" extension since PostgreSQL 13: the database's owner
  may create it) answers it. SQLite has no such index; a clinic small enough for SQLite has
  few enough screenings to read them all (README "Sizes of clinic").
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7b3c9a41d20'
down_revision = 'e4b2c9a1f7d3'
branch_labels = None
depends_on = None

TRIGRAMS = "ix_screenings_search_name_trgm"
BY_OUTCOME = "ix_screenings_outcome_queue"
#: The queue's ORDER BY (screening/models.py QUEUE_ORDER), column for column.
QUEUE_ORDER = ["(decision IS NOT NULL)", "urgent DESC", "outcome_rank DESC",
               "(appointment_date IS NULL)", "appointment_date", "submitted_at DESC", "id DESC"]


def upgrade():
    op.create_index(BY_OUTCOME, "screenings",
                    [sa.text(expression) for expression in ["outcome", *QUEUE_ORDER]])
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(TRIGRAMS, "screenings", ["search_name"], postgresql_using="gin",
                    postgresql_ops={"search_name": "gin_trgm_ops"})


def downgrade():
    # The extension stays: other objects of the database may use it, and it holds no data.
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index(TRIGRAMS, table_name="screenings")
    op.drop_index(BY_OUTCOME, table_name="screenings")
