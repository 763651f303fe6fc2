# The two commands of the README: `make run` and `make test`. Each creates .venv itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint bench messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Sets up and runs Arrêt on its embedded default (SQLite file ./arret.db) with the 2021 case:
# prints tokens for each role, then serves the web UI on http://127.0.0.1:8080/ and the
# feed on 127.0.0.1:5353 until Ctrl-C.
run: $(STAMP)
	$(BIN)/arret demo
	$(BIN)/arret serve

# Sets up and runs everything CI checks: lint, types, and the whole test suite (which
# installs and starts the PostgreSQL, resolvers and browser it needs when run as root).
# Two worker processes, one test file each at a time (a file's servers are set up once):
# most tests wait on servers and sockets, so two run in about the time of one.
test: $(STAMP) lint
	$(BIN)/pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy --strict src

bench: $(STAMP)
	$(BIN)/python bench/policy.py

# Adds the web UI's new messages to each catalogue (src/arret/web/locale), to translate.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k flash:2 -o $(VENV)/messages.pot src/arret
	$(BIN)/pybabel update -i $(VENV)/messages.pot -d src/arret/web/locale

clean:
	rm -rf $(VENV) arret.db arret.db-*
