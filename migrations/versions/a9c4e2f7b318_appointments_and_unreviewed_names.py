"""indexes for the Appointments view and an unreviewed name search; two unused dropped

Revision ID: a9c4e2f7b318
Revises: f2a6d8c4b1e9
Create Date: 2026-12-02 10:00:00

Measured on a year of a large chain (`make bench-large`, 1,000,000 screenings, 522,656
invitations, PostgreSQL 15):

- The Appointments view (invitations from today on, not cancelled, by date, time and id)
  read every upcoming invitation through ix_invitations_appointment_date to drop the
  cancelled ones and to count them (58 ms for 21,312), then sorted them.
  ix_invitations_upcoming holds only the invitations not cancelled, in the view's order:
  the count reads the index alone (3.5 ms) and the page is its first 25 entries.
- A name search among the screenings not reviewed yet found every screening of the name
  through the trigram index and every unreviewed screening through ix_screenings_decision,
  and intersected them (24 ms for "smith"). ix_screenings_unreviewed_name_trgm (PostgreSQL)
  is the trigram index of the unreviewed screenings alone (60,336): 2.8 ms.
- How many screenings a name search finds is estimated by PostgreSQL from a sample of the
  names (its statistics). With the default 100 a common surname ("muller", 19,283) was
  estimated at 29,163 after one ANALYZE and at 94 after the next: then the queue read every
  one of them and sorted them (165 ms) instead of reading the queue's index in order until
  25 were found (3 ms). 1,000 keeps the estimate near (19,000 to 22,000 over three).
- ix_screenings_client_name and ix_screenings_outcome are read by no query (the name
  search reads search_name, anywhere in it; the outcome filter reads
  ix_screenings_outcome_queue, which starts with the outcome), yet every stored screening
  wrote both: dropping them takes a submission's write-ahead log on SQLite from 23 pages
  to 20.5 (the floor's insert writes 4.5).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9c4e2f7b318'
down_revision = 'f2a6d8c4b1e9'
branch_labels = None
depends_on = None

UPCOMING = "ix_invitations_upcoming"
UNREVIEWED_NAMES = "ix_screenings_unreviewed_name_trgm"
NOT_CANCELLED = sa.text("cancelled_at IS NULL")
UNREVIEWED = sa.text("decision IS NULL")
#: The sample of search_name's statistics (PostgreSQL's default is 100; -1 says "default").
NAME_STATISTICS = 1000
UNUSED = {"ix_screenings_client_name": "client_name", "ix_screenings_outcome": "outcome"}


def upgrade():
    op.create_index(UPCOMING, "invitations", ["appointment_date", "appointment_time", "id"],
                    sqlite_where=NOT_CANCELLED, postgresql_where=NOT_CANCELLED)
    for name in UNUSED:
        op.drop_index(name, table_name="screenings")
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(UNREVIEWED_NAMES, "screenings", ["search_name"],
                        postgresql_using="gin", postgresql_where=UNREVIEWED,
                        postgresql_ops={"search_name": "gin_trgm_ops"})
        op.execute("ALTER TABLE screenings ALTER COLUMN search_name "
                   f"SET STATISTICS {NAME_STATISTICS}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE screenings ALTER COLUMN search_name SET STATISTICS -1")
        op.drop_index(UNREVIEWED_NAMES, table_name="screenings")
    for name, column in UNUSED.items():
        op.create_index(name, "screenings", [column])
    op.drop_index(UPCOMING, table_name="invitations")
