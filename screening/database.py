"""The database: SQLAlchemy bound in the factory, schema managed by Alembic (Flask-Migrate)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import MetaData, Select, event, func, literal_column, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from werkzeug.routing import IntegerConverter

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
#: The largest id a row can have: an INTEGER column on PostgreSQL holds no more.
MAX_ROW_ID = 2**31 - 1


class Base(DeclarativeBase):
    # Named constraints, so later migrations can alter them (SQLite batch mode needs names).
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


db = SQLAlchemy(model_class=Base)
migrate = Migrate(directory=str(MIGRATIONS))


def init_app(app: Flask) -> None:
    """Bind the database and the migrations to the app. The tables are registered when
    `screening.models` (which imports `db` from here) is imported, by the package itself."""
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)


def for_dialect(dialect_name: str):
    """Alembic's include_object for autogenerate on `dialect_name`: an index made for other
    databases only (`Index(...).ddl_if(dialect=...)`) is neither expected nor missing."""

    def include(obj, _name, type_, reflected, _compare_to) -> bool:
        ddl_if = getattr(obj, "_ddl_if", None)
        return not (type_ == "index" and not reflected and ddl_if is not None
                    and ddl_if.dialect not in (None, dialect_name))
    return include


class RowId(IntegerConverter):
    """`<int:...>` in the app's URLs, which are all row ids: only 1 to MAX_ROW_ID match, so a
    number too large for the database is "not found" instead of a database error."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        super().__init__(url_map, min=1, max=MAX_ROW_ID)


def paginate(query: Select, page: int, per_page: int,
             count_up_to: int | None = None) -> Pagination:
    """A page of `query`: the first for a number below 1, the last for one past the end,
    however large (only numbers the database can take reach it).

    With `count_up_to`, rows are counted only that far: counting a million rows to say so
    takes longer than showing a page, so past it `page.more` is true and `page.total` is
    `count_up_to` + 1 (its pages end one past the count)."""
    wanted = min(max(page, 1), MAX_ROW_ID)
    result = _page(query, wanted, per_page, count_up_to)
    if result.page > result.pages > 0:
        result = _page(query, result.pages, per_page, count_up_to)
    return result


def _page(query: Select, page: int, per_page: int, count_up_to: int | None) -> Pagination:
    if count_up_to is None:
        return db.paginate(query, page=page, per_page=per_page, error_out=False)
    return CountedUpTo(select=query, session=db.session(), page=page, per_page=per_page,
                       max_per_page=None, error_out=False, count_up_to=count_up_to)


def count_up_to(query: Select, limit: int) -> Select:
    """How many rows `query` selects, counted no further than `limit` + 1."""
    rows = (query.order_by(None)
            .with_only_columns(literal_column("1"), maintain_column_froms=True)
            .limit(limit + 1).subquery())
    return select(func.count()).select_from(rows)


class CountedUpTo(SelectPagination):
    """A page of a select whose rows are counted up to a limit (see `paginate`)."""

    def _query_items(self) -> list:
        """The page's rows: objects for a select of one entity, else rows of its columns
        (a page shown as it is read: no ORM object, no loader for each column left out)."""
        select = self._query_args["select"]
        result = self._query_args["session"].execute(
            select.limit(self.per_page).offset(self._query_offset))
        return result.scalars().all() if _one_entity(select) else result.all()

    def _query_count(self) -> int:
        return self._query_args["session"].scalar(
            count_up_to(self._query_args["select"], self._query_args["count_up_to"]))

    @property
    def more(self) -> bool:
        return self.total > self._query_args["count_up_to"]

    @property
    def counted_up_to(self) -> int:
        return self._query_args["count_up_to"]


def _one_entity(select: Select) -> bool:
    descriptions = select.column_descriptions
    return len(descriptions) == 1 and descriptions[0]["expr"] is descriptions[0]["entity"]


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: wait for locks instead of failing, write-ahead log, enforce foreign keys."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


@event.listens_for(Engine, "before_cursor_execute", retval=True)
def _postgresql_text_without_nul(conn, cursor, statement, parameters, context, executemany):
    """PostgreSQL: drop NUL characters from text sent to it, which it cannot store.

    SQLite stores them; PostgreSQL refuses the whole statement, so a name, note or search
    holding one would fail as if the database were down. A NUL is never meaningful text.
    """
    if conn.dialect.name == "postgresql" and parameters:
        parameters = _without_nul(parameters)
    return statement, parameters


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_without_nul(item) for item in value)
    return value
