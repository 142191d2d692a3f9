# massage-screening: `make run` serves the app on http://127.0.0.1:5000 (SQLite in instance/),
# `make test` runs the whole test suite. Both create the virtualenv on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app screening
STAMP := $(VENV)/.installed-stamp
KEY_FILE := instance/secret_key

.PHONY: run test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

$(KEY_FILE):
	mkdir -p instance
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $(KEY_FILE)

run: $(STAMP) $(KEY_FILE)
	SCREENING_SECRET_KEY="$$(cat $(KEY_FILE))" $(FLASK) db upgrade
	@echo "Serving on http://127.0.0.1:5000 (press Ctrl+C to stop)"
	SCREENING_SECRET_KEY="$$(cat $(KEY_FILE))" $(FLASK) run --host 127.0.0.1 --port 5000

test: $(STAMP)
	$(BIN)/ruff check screening tests
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
