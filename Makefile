# Cooperative Society — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python -W ignore::SyntaxWarning manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2
export VAR_DIR ?= $(CURDIR)/var

.PHONY: run setup install test browser bench lint format messages clean

## make run: install, migrate, load the Greek demo data, build the search index, serve.
run: setup
	@echo ""
	@echo "Cooperative Society is at http://$(HOST):$(PORT)/ (English: http://$(HOST):$(PORT)/en/)"
	@$(MANAGE) demo_logins
	@echo ""
	$(MANAGE) runserver $(HOST):$(PORT)

setup: install
	mkdir -p $(VAR_DIR)/static
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	$(MANAGE) rebuild_index --noinput --verbosity 0

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

## make test: the whole suite (unit, integration, browser), on SQLite or on DATABASE_URL.
test: install browser
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Browser tests drive Debian's Chromium; installed here when we may (root), skipped otherwise.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else \
			echo "Chromium is not installed (apt-get install chromium): browser tests will be skipped."; \
		fi; }

## make bench: the site under load (gunicorn, PostgreSQL, Redis, wrk) on generated data;
## writes tests/benchmarks/results/latest.json. Not part of `make test`.
bench: install
	@command -v wrk >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(BIN)/python -W ignore -m tests.benchmarks.run $(BENCH_ARGS)

lint: install
	mkdir -p $(VAR_DIR)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make messages: refresh the Greek and English catalogues after changing strings.
messages: install
	$(MANAGE) makemessages -l el -l en --no-obsolete --add-location file \
		--ignore .venv --ignore var --ignore "*/migrations/*" --ignore tests
	$(MANAGE) complete_english_catalogues
	$(MANAGE) compilemessages --ignore .venv --ignore var

clean:
	rm -rf $(VENV) var
