"""clients: a record grouping a person's screenings and invitations

Each screening already stored gets a client record of its own (never merged by name: a
therapist merges records); an invitation gets the client of the screening sent from it,
else one of its own.

Revision ID: e4b2c9a1f7d3
Revises: d4b8f1c6a2e7
Create Date: 2026-12-02 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4b2c9a1f7d3'
down_revision = 'd4b8f1c6a2e7'
branch_labels = None
depends_on = None

#: Plain columns, not foreign keys: adding a foreign key on SQLite copies the table, and
#: dropping the old copy fires the ON DELETE actions of the tables referring to it (the
#: screenings sent from an invitation would lose their invitation_id). The app keeps them.
TABLES = ('screenings', 'invitations')


def upgrade():
    op.create_table('clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('search_name', sa.String(length=200), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('merged_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['merged_into_id'], ['clients.id'], name=op.f('fk_clients_merged_into_id_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clients'))
    )
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clients_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_clients_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clients_search_name'), ['search_name'], unique=False)

    for table in TABLES:
        # Plain ALTER TABLE, not batch mode, so SQLite keeps the tables (and their indexes).
        op.add_column(table, sa.Column('client_id', sa.Integer(), nullable=True))
        op.create_index(op.f(f'ix_{table}_client_id'), table, ['client_id'], unique=False)
    _backfill()


def _backfill():
    """One client per screening (as it was sent); invitations follow their screening."""
    bind = op.get_bind()
    clients = sa.table('clients', *(sa.column(name) for name in (
        'id', 'name', 'search_name', 'date_of_birth', 'email', 'phone', 'created_at')))
    screenings = bind.execute(sa.text(
        "SELECT id, client_name, search_name, date_of_birth, email, phone, submitted_at, "
        "invitation_id FROM screenings ORDER BY id")).all()
    for row in screenings:
        client_id = bind.execute(clients.insert().values(
            name=row.client_name, search_name=row.search_name, date_of_birth=row.date_of_birth,
            email=row.email, phone=row.phone, created_at=row.submitted_at)
            .returning(clients.c.id)).scalar_one()
        bind.execute(sa.text("UPDATE screenings SET client_id = :client WHERE id = :id"),
                     {"client": client_id, "id": row.id})
    bind.execute(sa.text(
        "UPDATE invitations SET client_id = (SELECT MIN(client_id) FROM screenings "
        "WHERE screenings.invitation_id = invitations.id)"))
    invitations = bind.execute(sa.text(
        "SELECT id, client_name, email, phone, created_at FROM invitations "
        "WHERE client_id IS NULL ORDER BY id")).all()
    from screening.names import search_key  # the same key the app sets with a name
    for row in invitations:
        client_id = bind.execute(clients.insert().values(
            name=row.client_name, search_name=search_key(row.client_name), email=row.email,
            phone=row.phone, created_at=row.created_at).returning(clients.c.id)).scalar_one()
        bind.execute(sa.text("UPDATE invitations SET client_id = :client WHERE id = :id"),
                     {"client": client_id, "id": row.id})


def downgrade():
    for table in reversed(TABLES):
        op.drop_index(op.f(f'ix_{table}_client_id'), table_name=table)
        op.drop_column(table, 'client_id')  # SQLite 3.35 and later drop it in place
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clients_search_name'))
        batch_op.drop_index(batch_op.f('ix_clients_merged_into_id'))
        batch_op.drop_index(batch_op.f('ix_clients_email'))
    op.drop_table('clients')
