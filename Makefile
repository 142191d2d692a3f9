# massage-screening: `make run` serves the app on http://127.0.0.1:5000 (SQLite in instance/;
# `make run PORT=8080` serves it on another port), `make test` runs the whole test suite.
# Both create the virtualenv on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app screening
STAMP := $(VENV)/.installed-stamp
PG_STAMP := $(VENV)/.postgres-stamp
KEY_FILE := instance/secret_key
PORT := 5000

.PHONY: run test lint clean translations translations-compile

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

$(KEY_FILE):
	mkdir -p instance
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $(KEY_FILE)

# Plain HTTP on this machine only, so the session cookie cannot be marked Secure here.
RUN_ENV = SCREENING_SECRET_KEY="$$(cat $(KEY_FILE))" SCREENING_SESSION_COOKIE_SECURE=false

run: $(STAMP) $(KEY_FILE)
	$(RUN_ENV) $(FLASK) db upgrade
	@echo "Serving on http://127.0.0.1:$(PORT) (press Ctrl+C to stop)."
	@echo "Therapists sign in at http://127.0.0.1:$(PORT)/review/sign-in. No account yet? In another"
	@echo "terminal: .venv/bin/flask --app screening therapist add you@example.com --name 'Your Name'"
	$(RUN_ENV) $(FLASK) run --host 127.0.0.1 --port $(PORT)

# The suite runs in one process per core (pytest-xdist), each test file whole in one of them
# (a browser module's live app and database are shared by its tests);
# `make test PYTEST_WORKERS=0` runs it in this process alone.
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL = -n $(PYTEST_WORKERS) --dist loadfile

test: $(STAMP)
	$(BIN)/ruff check screening tests
	$(BIN)/bandit --quiet --recursive screening --severity-level high
	$(BIN)/pytest $(PYTEST_PARALLEL)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# `make bench`: the rule engine against a hand-written floor, rule book load and start-up,
# and the pages under gunicorn (2 workers) against a bare Flask app with wrk
# (`apt-get install -y wrk`; a slower Python load generator otherwise). Prints a table and
# writes bench/results.json; takes about two minutes. Not part of `make test`.
.PHONY: bench bench-large
bench: $(PG_STAMP)
	$(BIN)/python -m bench.run

# `make bench-large`: a year of a chain of 50 clinics (1,000,000 screenings) on a throwaway
# PostgreSQL cluster: seeding (COPY, a few minutes), the queue's pages and filters, the name
# search, the Appointments view, the CSV export's memory and the purge. Writes
# bench/results-large.json.
bench-large: $(PG_STAMP)
	$(BIN)/python -m bench.large

# `make test-postgres`: the test suite again with PostgreSQL as the app's database (the same
# tests; the browser tests are left out, as their live server always uses SQLite). Uses the
# server in SCREENING_TEST_DATABASE_URL if set, else starts a throwaway cluster from the
# installed PostgreSQL (`apt-get install postgresql`) and removes it afterwards. Installs the
# `postgres` extra (psycopg) into the virtualenv first.
.PHONY: test-postgres

$(PG_STAMP): $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,postgres]'
	touch $(PG_STAMP)

test-postgres: $(PG_STAMP)
	bash .ci/with-postgres $(BIN)/pytest $(PYTEST_PARALLEL) --ignore=tests/browser

# `make translations`: gather every message the app says (babel.cfg: the Python and the
# templates) into screening/translations/messages.pot and update each language's
# messages.po from it (new messages come in with an empty translation to write; a test
# fails until they have one). `make translations-compile`: the .mo files Flask-Babel reads,
# which are committed (tests/web/test_translations.py fails when one is older than its .po).
# A new language: `$(BIN)/pybabel init -i screening/translations/messages.pot -d
# screening/translations -l fr`, translate its messages.po, compile, and add it to
# SCREENING_LANGUAGES.
TRANSLATIONS := screening/translations

translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext --no-location --sort-output \
		--project massage-screening -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) \
		--no-fuzzy-matching --ignore-obsolete

translations-compile: $(STAMP)
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS)
