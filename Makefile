# The two commands of the README: `make run` and `make test`. Each creates .venv itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint bench messages lock client clean

# Installs exactly what requirements.lock pins, each file checked against its hash, then
# Arrêt itself (editable, its dependencies already there).
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# Sets up and runs Arrêt on its embedded default (SQLite file ./arret.db) with the 2021 case:
# prints tokens for each role, then serves the web UI on http://127.0.0.1:8080/ and the
# feed on 127.0.0.1:5353 until Ctrl-C.
run: $(STAMP)
	$(BIN)/arret demo
	$(BIN)/arret serve

# Sets up and runs everything CI checks: lint, types, and the whole test suite (which
# installs and starts the PostgreSQL, resolvers and browser it needs when run as root).
# Two worker processes, one test file each at a time (a file's servers are set up once).
# The suite keeps both cores busy (vmstat: 1 % idle): a third worker ran it in 17:36
# against 18:38 for two, within the machine's noise, with more contention for the tests
# that time real servers. The 25 slowest tests are listed at the end of every run: where
# to look first to keep the suite short.
test: $(STAMP) lint
	$(BIN)/pytest -n 2 --dist loadfile --durations=25

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

# Resolves pyproject.toml's dependencies (and the dev extra) again to their newest
# releases and pins each with its files' hashes in requirements.lock; `make test` then
# reinstalls from it. To move one package only: add `--upgrade-package NAME` to LOCK_ARGS.
LOCK_TOOLS := .lock-venv
LOCK_ARGS  ?= --upgrade
lock:
	$(PYTHON) -m venv $(LOCK_TOOLS)
	$(LOCK_TOOLS)/bin/pip install --quiet pip-tools==7.5.2
	$(LOCK_TOOLS)/bin/pip-compile --quiet --generate-hashes --extra dev --strip-extras \
		--allow-unsafe --no-emit-find-links --no-emit-index-url $(LOCK_ARGS) \
		-o requirements.lock pyproject.toml

# Generates the typed Python client of the API (tests/support/arret_client) from the
# document of the current version (tests/fixtures/openapi/openapi.json), with
# openapi-python-client in a venv of its own: it caps typer below the version the CLI
# runs on. Run after recording a new version of the contract; tests/integration/
# test_generated_client.py fails while the client is older than the document.
CLIENT_TOOLS := .client-venv
CLIENT_GENERATOR := openapi-python-client==0.29.1
client: $(STAMP)
	$(PYTHON) -m venv $(CLIENT_TOOLS)
	$(CLIENT_TOOLS)/bin/pip install --quiet $(CLIENT_GENERATOR)
	$(CLIENT_TOOLS)/bin/openapi-python-client generate --meta none --overwrite \
		--fail-on-warning --config tests/support/arret_client.yml \
		--path tests/fixtures/openapi/openapi.json --output-path tests/support/arret_client
	$(BIN)/python -c 'import sys; sys.path.insert(0, "tests"); from support import openapi; \
		openapi.stamp_client()'

clean:
	rm -rf $(VENV) $(LOCK_TOOLS) $(CLIENT_TOOLS) arret.db arret.db-*
