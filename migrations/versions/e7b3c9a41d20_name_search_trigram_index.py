"""name search trigram index (PostgreSQL)

Revision ID: e7b3c9a41d20
Revises: c3a7e5d2b911
Create Date: 2026-12-02 05:50:00

The queue's name search looks for each word anywhere in screenings.search_name (LIKE
'%word%'), which no B-tree index can answer: with a year of a large chain (1,000,000
screenings) every search read the whole table. On PostgreSQL a trigram index (pg_trgm, a
"trusted" extension since PostgreSQL 13: the database's owner may create it) answers it.
SQLite has no such index; a clinic small enough for SQLite has few enough screenings to
read them all (see README "Sizes of clinic").
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e7b3c9a41d20'
down_revision = 'c3a7e5d2b911'
branch_labels = None
depends_on = None

INDEX = "ix_screenings_search_name_trgm"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(INDEX, "screenings", ["search_name"], postgresql_using="gin",
                    postgresql_ops={"search_name": "gin_trgm_ops"})


def downgrade():
    # The extension stays: other objects of the database may use it, and it holds no data.
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index(INDEX, table_name="screenings")
