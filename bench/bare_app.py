"""The baseline for the HTTP benchmark: a bare Flask app returning a small page.

Served by gunicorn with exactly the settings the real app gets, so each page's
requests per second divided by this app's is the share of the best achievable that
the page reaches on the same machine in the same run. Two more baselines, to show what
a page's size or a database write costs by itself: `/padded/<size>` returns a static page
of `size` bytes, and POST `/insert` stores the posted form as one row in SQLite (WAL, the
app's pragmas, the file named by BENCH_BARE_DB) and redirects, as `/submit` does, without
validation or rendering.
"""

import json
import os
import sqlite3
from functools import lru_cache

from flask import Flask, redirect, request

PAGE = """<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Bare Flask</title></head>
<body><main><h1>Hello</h1><p>A small page from a bare Flask app, for comparison.</p></main></body>
</html>
"""
FILLER = '<label class="choice"><input type="checkbox" name="area" value="x"> An area</label>\n'

app = Flask(__name__)


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


@app.post("/insert")
def insert():
    form = request.form.to_dict(flat=False)
    with _database() as connection:  # one transaction, committed on leaving
        connection.execute("INSERT INTO submissions (submission_key, form) VALUES (?, ?)",
                           (request.form.get("submission_key", ""), json.dumps(form)))
    return redirect("/", code=303)


@lru_cache(maxsize=1)
def _database() -> sqlite3.Connection:
    """One connection per worker process, kept open (as SQLAlchemy's pool keeps the app's)."""
    connection = sqlite3.connect(os.environ["BENCH_BARE_DB"], timeout=10)
    connection.execute("PRAGMA busy_timeout = 10000")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("CREATE TABLE IF NOT EXISTS submissions (id INTEGER PRIMARY KEY, "
                       "submission_key TEXT UNIQUE, form TEXT)")
    connection.commit()
    return connection
