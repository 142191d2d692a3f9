"""The baselines for the HTTP benchmark: a bare Flask app, and floors that do a page's
unavoidable work and nothing else.

Served by gunicorn with exactly the settings the real app gets, so each page's requests per
second divided by a baseline's is the share of the best achievable that the page reaches on
the same machine in the same run.

- `/`: a small page (bare Flask).
- `/padded/<size>`: a static page of `size` bytes (what a page's size costs by itself).
- `/session-page/<size>`: the questionnaire's floor: a page of `size` bytes that starts a
  signed session cookie holding a new CSRF token and shows the token signed, as Flask-WTF
  does on a first visit.
- POST `/insert?bytes=N`: the submission's floor on SQLite: the posted form stored as one
  row of N bytes (the size of the app's stored screening) in the file named by
  BENCH_BARE_DB, with the app's pragmas (WAL, busy timeout, foreign keys) and
  synchronous=FULL, committed; then a 303 as `/submit` answers. No validation, no screening.
- POST `/insert-pg?bytes=N`: the same on the PostgreSQL server named by BENCH_BARE_PG_URL.
- `/queue`: the signed-in queue's floor: reads the app's session cookie (same secret key),
  finds its review session by the token's hash, runs the queue's own first-page query
  (BENCH_QUEUE_SQL, compiled from screening.review.queue by the bench) on the app's
  database (BENCH_APP_DB or BENCH_APP_PG_URL) and writes the rows as a table.
"""

import hashlib
import html
import json
import os
import sqlite3
from functools import lru_cache

from flask import Flask, abort, redirect, request, session
from itsdangerous import URLSafeTimedSerializer

PAGE = """<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Bare Flask</title></head>
<body><main><h1>Hello</h1><p>A small page from a bare Flask app, for comparison.</p></main></body>
</html>
"""
FILLER = '<label class="choice"><input type="checkbox" name="area" value="x"> An area</label>\n'
#: What Flask-WTF signs its CSRF token with.
CSRF_SALT = "wtf-csrf-token"

app = Flask(__name__)
app.secret_key = os.environ.get("SCREENING_SECRET_KEY", "bare-app-without-a-secret")
app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                  SESSION_COOKIE_SECURE=False)


@app.get("/")
def index():
    return PAGE


@app.get("/padded/<int:size>")
def padded(size: int):
    return _padded(min(size, 1_000_000))


@lru_cache(maxsize=4)
def _padded(size: int) -> str:
    body = PAGE.replace("</main>", FILLER * (size // len(FILLER) + 1) + "</main>")
    return body[:size]


@app.get("/session-page/<int:size>")
def session_page(size: int):
    """A first visit: a new CSRF token in a new signed session, signed again into the page."""
    raw = hashlib.sha1(os.urandom(64)).hexdigest()  # as flask_wtf.csrf.generate_csrf
    session["csrf_token"] = raw
    signed = URLSafeTimedSerializer(app.secret_key, salt=CSRF_SALT).dumps(raw)
    field = f'<input type="hidden" name="csrf_token" value="{signed}">'
    page = _padded(min(size, 1_000_000))
    return page[:len(PAGE) // 2] + field + page[len(PAGE) // 2 + len(field):]


def _row(size: int) -> tuple[str, str]:
    """The posted form as JSON, padded to `size` bytes (the app's stored row)."""
    form = json.dumps(request.form.to_dict(flat=False))
    return request.form.get("submission_key", ""), form + " " * max(0, size - len(form))


@app.post("/insert")
def insert():
    key, row = _row(request.args.get("bytes", 0, type=int))
    with _database() as connection:  # one transaction, committed on leaving
        connection.execute("INSERT INTO submissions (submission_key, form) VALUES (?, ?)",
                           (key, row))
    return redirect("/", code=303)


@app.post("/insert-pg")
def insert_pg():
    key, row = _row(request.args.get("bytes", 0, type=int))
    connection = _pg_database()
    with connection.transaction():
        connection.execute("INSERT INTO bare_submissions (submission_key, form) "
                           "VALUES (%s, %s)", (key, row))
    return redirect("/", code=303)


@lru_cache(maxsize=1)
def _database() -> sqlite3.Connection:
    """One connection per worker process, kept open (as SQLAlchemy's pool keeps the app's)."""
    connection = sqlite3.connect(os.environ["BENCH_BARE_DB"], timeout=10)
    connection.execute("PRAGMA busy_timeout = 10000")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("CREATE TABLE IF NOT EXISTS submissions (id INTEGER PRIMARY KEY, "
                       "submission_key TEXT UNIQUE, form TEXT)")
    connection.commit()
    return connection


@lru_cache(maxsize=1)
def _pg_database():
    import psycopg

    connection = psycopg.connect(os.environ["BENCH_BARE_PG_URL"], autocommit=True)
    connection.execute("CREATE TABLE IF NOT EXISTS bare_submissions (id serial PRIMARY KEY, "
                       "submission_key varchar(64) UNIQUE, form text)")
    return connection


@app.get("/queue")
def queue():
    """One page of the queue for a signed-in therapist, without the app around it."""
    token = session.get("_user_id")
    if not token:
        abort(403)
    sql, params = json.loads(os.environ["BENCH_QUEUE_SQL"])
    found, rows = _app_queries(hashlib.sha256(token.encode()).hexdigest(), sql, params)
    if not found:
        abort(403)
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(str(value))}</td>" for value in row)
                    + "</tr>\n" for row in rows)
    return f"<!doctype html><title>Queue</title><table>{cells}</table>"


SESSION_SQL = "SELECT id FROM review_sessions WHERE token_hash = {} AND ended_at IS NULL"


def _app_queries(token_hash: str, sql: str, params: list) -> tuple[bool, list]:
    if os.environ.get("BENCH_APP_PG_URL"):
        connection = _app_pg()
        with connection.transaction():
            found = connection.execute(SESSION_SQL.format("%s"), (token_hash,)).fetchone()
            return found is not None, connection.execute(sql, params).fetchall()
    connection = _app_sqlite()
    with connection:
        found = connection.execute(SESSION_SQL.format("?"), (token_hash,)).fetchone()
        return found is not None, connection.execute(sql, params).fetchall()


@lru_cache(maxsize=1)
def _app_sqlite() -> sqlite3.Connection:
    connection = sqlite3.connect(os.environ["BENCH_APP_DB"], timeout=10)
    connection.execute("PRAGMA busy_timeout = 10000")
    connection.execute("PRAGMA journal_mode = WAL")
    return connection


@lru_cache(maxsize=1)
def _app_pg():
    import psycopg

    return psycopg.connect(os.environ["BENCH_APP_PG_URL"], autocommit=True)


def queue_sql(dialect_name: str) -> str:
    """The queue's first page as the app sends it (screening.review.queue), with its
    parameters, as JSON for BENCH_QUEUE_SQL. Imported by the bench, not by the bare app."""
    from sqlalchemy.dialects import postgresql, sqlite

    from screening.review.queue import QUEUE_COLUMNS, Filters, queue_query

    statement = queue_query(Filters()).with_only_columns(*QUEUE_COLUMNS).limit(25)
    if dialect_name == "sqlite":
        compiled = statement.compile(dialect=sqlite.dialect(paramstyle="qmark"))
        params = [compiled.params[name] for name in compiled.positiontup]
    else:
        compiled = statement.compile(dialect=postgresql.dialect(paramstyle="format"))
        params = [compiled.params[name] for name in compiled.positiontup]
    return json.dumps([str(compiled), params], default=str)

