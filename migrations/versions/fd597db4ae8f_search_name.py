"""search name: each client's name as the queue's search compares it

Revision ID: fd597db4ae8f
Revises: b1fa3f707239
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from screening.names import KEY_LENGTH, search_key


# revision identifiers, used by Alembic.
revision = 'fd597db4ae8f'
down_revision = 'b1fa3f707239'
branch_labels = None
depends_on = None

#: Rows keyed per statement while filling the column in.
BATCH = 1000
screenings = sa.table("screenings", sa.column("id", sa.Integer),
                      sa.column("client_name", sa.String), sa.column("search_name", sa.String))


def upgrade():
    # Plain ALTER TABLE, not batch mode: on SQLite a batch would copy the table and lose the
    # expression index ix_screenings_queue. The server default only fills the column in for
    # a moment (like outcome_rank's): every row is keyed below, and the app keys new ones.
    op.add_column('screenings', sa.Column('search_name', sa.String(length=KEY_LENGTH),
                                          nullable=False, server_default=""))
    fill_in_search_names(op.get_bind())
    op.create_index('ix_screenings_person', 'screenings', ['search_name', 'date_of_birth'])


def fill_in_search_names(connection) -> None:
    """Key every stored name with the same function the app keys new ones with."""
    update = (screenings.update().where(screenings.c.id == sa.bindparam("row"))
              .values(search_name=sa.bindparam("key")))
    rows = connection.execute(sa.select(screenings.c.id, screenings.c.client_name)
                              .order_by(screenings.c.id)).all()
    for start in range(0, len(rows), BATCH):
        connection.execute(update, [{"row": row_id, "key": search_key(name)}
                                    for row_id, name in rows[start:start + BATCH]])


def downgrade():
    op.drop_index('ix_screenings_person', table_name='screenings')
    op.drop_column('screenings', 'search_name')  # SQLite 3.35 and later drop it in place
