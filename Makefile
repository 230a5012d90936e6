# Reunite developer commands. `make demo` and `make test` work from a clean clone.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# PostgreSQL used by `make test-postgres` (CI runs both databases).
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: install messages translations demo demo-channel serve test test-sqlite test-postgres lint system-deps clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) messages

# Compile the translation catalogues (.po -> .mo) when a .po is newer; pure Python (polib).
messages: $(STAMP)
	$(BIN)/python -m reunite.web.catalogues

# Refresh the catalogues from the source after marking new strings (needs GNU gettext:
# apt-get install gettext); then translate the new entries (docs/i18n.md).
translations: $(STAMP)
	cd src/reunite && REUNITE_DEBUG=1 ../../$(BIN)/python -m django makemessages -l uk -l ru \
		--add-location file --settings=reunite.config.settings
	$(BIN)/python -m reunite.web.catalogues

# The demo runs with REUNITE_DEBUG=1: plain-HTTP cookies on 127.0.0.1 and a generated key.
demo: $(STAMP) messages
	REUNITE_DEBUG=1 $(BIN)/reunite demo
	REUNITE_DEBUG=1 $(BIN)/reunite serve --host $(HOST) --port $(PORT)

# Three installations (UA-NIB, RU-CRO, MEDIATOR) on ports 8101-8103, each its own database.
demo-channel: $(STAMP) messages
	$(BIN)/reunite demo-channel

serve: $(STAMP) messages
	REUNITE_DEBUG=1 $(BIN)/reunite serve --host $(HOST) --port $(PORT)

# System packages the tests need (each script does nothing when the package is there).
system-deps:
	bash scripts/install-browser.sh
	bash scripts/install-java.sh

test: $(STAMP) system-deps test-sqlite
	@if [ -n "$$CI" ] || [ -n "$$REUNITE_TEST_POSTGRES" ]; then $(MAKE) test-postgres; fi

test-sqlite: $(STAMP) messages
	env -u DATABASE_URL $(BIN)/python -m pytest -n 2 -p no:cacheprovider

# The database-backed tests again on PostgreSQL (engines do not touch a database).
# Each run uses its own test database name (the shell's process id), so runs never collide.
test-postgres: $(STAMP) messages
	DATABASE_URL=$(TEST_POSTGRES_URL) REUNITE_TEST_DB_NAME=test_reunite_$$$$ \
		$(BIN)/python -m pytest -n 2 -p no:cacheprovider tests/app

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	REUNITE_DEBUG=1 $(BIN)/mypy src

clean:
	rm -rf $(VENV) var/*.sqlite3 build *.egg-info
