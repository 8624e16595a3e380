# Phialo Portal. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Tests run on PostgreSQL and Redis (both run on every development and CI machine);
# point these elsewhere to use other servers. DATABASE_URL=sqlite:///... runs them on SQLite.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/phialo
TEST_CACHE_URL ?= redis://127.0.0.1:6379/1
TEST_BROKER_URL ?= redis://127.0.0.1:6379/2
PYTEST_ARGS ?= --reuse-db

.PHONY: help install browser demo run test test-fast lint format migrations-check schema bench messages ci

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements/base.txt requirements/dev.txt requirements/production.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt -r requirements/production.txt
	@touch $@

install: $(BIN)/.installed  ## create .venv and install the pinned requirements

demo: install  ## set up and run the demo on SQLite (seeded; prints the admin login)
	$(BIN)/python -m config.secret_key
	$(BIN)/python manage.py migrate --noinput
	BACKEND_URL=http://$(HOST):$(PORT) $(BIN)/python manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: /admin/  dashboard: /dashboard/  API docs: /api/docs/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

run: install  ## run the development server without seeding
	$(BIN)/python -m config.secret_key
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The browser tests drive Debian's Chromium (no browser download); installed here when missing
# and this machine can (root with apt), otherwise the tests say how.
browser:
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
	@command -v chromium >/dev/null || echo "chromium is not installed: the report browser tests will fail (apt-get install chromium)"

test: install browser  ## run the whole test suite (PostgreSQL + Redis by default)
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} CACHE_URL=$${CACHE_URL:-$(TEST_CACHE_URL)} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)} \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: PYTEST_ARGS = --reuse-db -m "not slow"
test-fast: test  ## the suite without the slow migrate-from-zero check

lint: install  ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install  ## ruff fix and format
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install  ## fail when a model change has no migration
	$(BIN)/python manage.py makemigrations --check --dry-run

schema: install  ## write the API's OpenAPI document to openapi.yaml (committed: the contract's machine form)
	$(BIN)/python manage.py spectacular --file openapi.yaml

bench: install  ## run the benchmarks; writes bench/results/latest.json
	$(BIN)/python -m bench

messages: install  ## refresh locale/de/LC_MESSAGES/django.po from the code, then compile it (needs gettext)
	$(BIN)/python manage.py makemessages -l de --no-obsolete --ignore=".venv/*" --ignore="bench/*" --ignore="tests/*"
	$(BIN)/python manage.py compilemessages -l de --ignore=".venv/*"

ci:  ## what CI runs, from a clean checkout
	.ci/run
