# planner: the everyday commands. `make help` lists them.
#
# Every target works from a fresh clone on a fresh Debian 12 machine: it installs
# what it needs (Debian packages, then a virtualenv) and skips what is already there.

# ---------------------------------------------------------------------------
# Settings; override any of them on the command line, e.g. `make run PORT=8000`.
# ---------------------------------------------------------------------------
PYTHON      ?= python3
VENV        ?= .venv
HOST        ?= 127.0.0.1
PORT        ?= 5000
# Several workers so one slow request (a PDF, say) does not hold up the others;
# SQLite runs in WAL mode, so readers and one writer work side by side.
WORKERS     ?= 3
# Access log through planner.access_log.AccessLogger: %(path)s is the path as
# sent (percent-encoded, so %0d%0a cannot forge a line), without the query string
# (searches carry patient names and birth dates) and without a calendar feed's
# token (the feed's only key).
ACCESS_LOG_FORMAT := %(h)s %(t)s "%(m)s %(path)s %(H)s" %(s)s %(b)s %(M)sms
ACCESS_LOGGER     := planner.access_log.AccessLogger
# Demo patients that `first-run` adds to an empty database.
DEMO_PATIENTS ?= 60
PYTEST_ARGS ?=
BENCH_ARGS  ?=

BIN   := $(VENV)/bin
FLASK := $(BIN)/flask --app planner

# Debian packages. WeasyPrint (PDF output) loads Pango and HarfBuzz at run time,
# and needs at least one font; the tests also drive a real Chromium and read PDFs
# back with poppler's pdftotext.
RUN_DEBS  := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
TEST_DEBS := chromium poppler-utils

# The tests drive Debian's Chromium: Playwright's own browser download is never used
# (machines here cannot reach it), so `playwright install` must not be run.
export PLANNER_CHROMIUM ?= /usr/bin/chromium

# Stamps record "installed from this pyproject.toml"; they live inside the venv so
# deleting .venv starts everything afresh.
INSTALL_STAMP := $(VENV)/.planner-installed
DEV_STAMP     := $(VENV)/.planner-dev-installed

# Use sudo only when we are not root (a CI machine runs as root and has no sudo).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
# Targets install things with apt and pip, which must not run side by side.
.NOTPARALLEL:
.DEFAULT_GOAL := help

# $(call ensure-debs,PACKAGES): install whichever of PACKAGES dpkg does not report
# as installed; when all are present this costs one dpkg-query each, no apt-get.
define ensure-debs
missing=""; \
for pkg in $(1); do \
    if [ "$$(dpkg-query -W -f='$${Status}' "$$pkg" 2>/dev/null)" != "install ok installed" ]; then \
        missing="$$missing $$pkg"; \
    fi; \
done; \
if [ -n "$$missing" ]; then \
    echo "Installing Debian packages:$$missing"; \
    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update; \
    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
fi
endef

.PHONY: help install run test lint bench clean system-deps test-system-deps venv dev-venv

help: ## List the targets
	@echo "Usage: make TARGET [VAR=value ...]"
	@echo
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) \
	    | awk 'BEGIN {FS = ":.*## "}; {printf "  %-10s %s\n", $$1, $$2}'
	@echo
	@echo "Variables: HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS)" \
	    "DEMO_PATIENTS=$(DEMO_PATIENTS) PYTEST_ARGS=... BENCH_ARGS=..."

install: system-deps venv ## Install the Debian packages and .venv, and nothing else

run: system-deps venv ## Serve planner with gunicorn on http://HOST:PORT (demo logins on first run)
	@# Both are idempotent: a second `make run` migrates if needed and keeps the data.
	$(FLASK) init-db
	$(FLASK) first-run --patients $(DEMO_PATIENTS)
	@echo
	@echo "planner is serving on http://$(HOST):$(PORT)"
	@echo
	@# exec: gunicorn replaces the shell, so Ctrl-C and SIGTERM reach it directly.
	exec $(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) \
	    --access-logfile - --access-logformat '$(ACCESS_LOG_FORMAT)' \
	    --logger-class $(ACCESS_LOGGER) 'planner:create_app()'

test: system-deps test-system-deps dev-venv ## Run the whole test suite (PYTEST_ARGS=... to pass options)
	@# PostgreSQL tests run too when PLANNER_TEST_DATABASE_URL is set (see .ci/run).
	@# One worker per core; each module stays on one worker (loadfile), since the
	@# fuzz modules' last tests read the tally of the module's other tests. Modules
	@# are handed out in the suite's order (longest first, tests/conftest.py), not
	@# xdist's default of most tests first, which left the API fuzz for the end.
	@# Bytecode on even where the environment turns it off (PYTHONDONTWRITEBYTECODE):
	@# each worker, and each server a test starts, otherwise compiles planner and
	@# the tests afresh (a collection alone: 12 s against 5 s). pip compiled the rest.
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n auto --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lint: dev-venv ## ruff check, ruff format --check, mypy (strict, planner/)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: system-deps dev-venv ## Run the benchmarks: each call's time, then the load test (BENCH_ARGS, LOAD_ARGS)
	$(BIN)/python -m tests.bench.run $(BENCH_ARGS)
	$(BIN)/python -m tests.bench.load $(LOAD_ARGS)

# gunicorn with 4 workers, on SQLite and on a throwaway PostgreSQL cluster, loaded
# from a second process; e.g. LOAD_ARGS='--clients 20 --seconds 30 --backends sqlite'.
.PHONY: bench-load
LOAD_ARGS ?=
bench-load: system-deps dev-venv ## Only the load test: gunicorn, tablets and staff, both databases (LOAD_ARGS=...)
	$(BIN)/python -m tests.bench.load $(LOAD_ARGS)

# Caches and build output only. Never instance/: it holds the database (patient
# records), the secret key and the demo credentials.
clean: ## Remove caches and build output (never instance/, which holds patient data)
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage htmlcov \
	    build dist test-artifacts
	find . -path ./$(VENV) -prune -o -path ./instance -prune -o \
	    -name __pycache__ -type d -exec rm -rf {} +

# --- set-up steps (called by the targets above) ------------------------------

system-deps:
	@$(call ensure-debs,$(RUN_DEBS))

test-system-deps:
	@$(call ensure-debs,$(TEST_DEBS))

venv: $(INSTALL_STAMP)

dev-venv: $(DEV_STAMP)

$(INSTALL_STAMP): pyproject.toml
	@# A venv made elsewhere, or by a Python since removed, may not start: remake it.
	@if ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
	    $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	        || { echo "planner needs Python 3.11 or newer as $(PYTHON)" >&2; exit 1; }; \
	    if ! $(PYTHON) -c 'import ensurepip' 2>/dev/null; then \
	        $(call ensure-debs,python3-venv); \
	    fi; \
	    echo "Creating $(VENV) with $(PYTHON)"; \
	    $(PYTHON) -m venv --clear $(VENV); \
	fi
	@# pip learned `--group` (PEP 735 dependency groups) in 25.1.
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=25.1'
	@# Editable: the app reads templates/, static/ and face_maps/ from the checkout.
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): $(INSTALL_STAMP)
	$(BIN)/python -m pip install --quiet --group dev
	touch $@
