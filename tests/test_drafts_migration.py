"""The migration that adds saved drafts beside the check page's: the check page's drafts
stored before it stay check drafts, and downgrading deletes only the saved ones (the older
table has no place for them). On SQLite, and on PostgreSQL when a server is given."""

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from screening.database import db
from tests.test_migrations import current_revision, empty_app  # noqa: F401 (a fixture)

REVISION = "d4b8f1c6a2e7"
PREVIOUS = "c3a7e5d2b911"
OLD_DRAFTS = sa.table("drafts", sa.column("token_hash"), sa.column("fields"),
                      sa.column("created_at"))


def drafts() -> list[tuple]:
    with db.engine.connect() as connection:
        return sorted(connection.execute(sa.text(
            "SELECT token_hash, kind, invitation_id, submission_key FROM drafts")).all())


def test_check_drafts_are_kept_up_and_saved_ones_go_down(empty_app):  # noqa: F811
    upgrade(revision=PREVIOUS)
    with db.engine.begin() as connection:
        connection.execute(OLD_DRAFTS.insert(), [
            {"token_hash": "a" * 64, "fields": '[["client_name", "Ann"]]',
             "created_at": datetime.now(UTC)}])
    upgrade(revision=REVISION)
    assert current_revision() == REVISION
    assert drafts() == [("a" * 64, "check", None, None)]
    with db.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO drafts (kind, token_hash, link_key, submission_key, fields, created_at)"
            " VALUES ('saved', :hash, :key, :submission, '[]', :at)"),
            {"hash": "b" * 64, "key": "k" * 43, "submission": "s" * 32, "at": datetime.now(UTC)})
    downgrade(revision=PREVIOUS)
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT token_hash FROM drafts")).scalars().all() \
            == ["a" * 64]
        assert "kind" not in connection.execute(sa.text("SELECT * FROM drafts")).keys()
    upgrade()
    assert drafts() == [("a" * 64, "check", None, None)]
