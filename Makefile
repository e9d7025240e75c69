# CEM developer commands. `make run` and `make test` work on a fresh clone with only Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Emailed links (SITE_URL) point at the server `make run` starts, unless SITE_URL is set
# (in the environment or on the command line); production always sets it.
SITE_HOST := $(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST))

.PHONY: help venv venv-dev messages run migrate seed test lint format worker beat bench clean

help:
	@echo "make run     - install, migrate, seed demo data if empty, serve http://$(HOST):$(PORT)"
	@echo "               (make run LANGUAGE=zh-hans seeds a Chinese demo company)"
	@echo "make test    - run the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)"
	@echo "make lint    - ruff check, ruff format --check, makemigrations --check, lint-imports (the layer contract)"
	@echo "make worker  - a Celery worker on every queue, or QUEUES=email,metrics (needs REDIS_URL or CELERY_BROKER_URL)"
	@echo "make beat    - the Celery beat scheduler (needs REDIS_URL or CELERY_BROKER_URL)"
	@echo "make bench   - run the benchmarks in bench/ (see bench/RESULTS.md)"

# The stamp files are rebuilt whenever a requirements file changes.
$(VENV)/.stamp-runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.stamp-dev: $(VENV)/.stamp-runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.stamp-runtime
venv-dev: $(VENV)/.stamp-dev

# The translation catalogues (locale/*/LC_MESSAGES/django.po) compiled to the .mo files Django reads.
# Needs GNU gettext's msgfmt (Debian/Ubuntu: apt-get install gettext; macOS: brew install gettext).
messages: venv
	@command -v msgfmt >/dev/null 2>&1 || { echo "msgfmt not found: install GNU gettext (apt-get install gettext, brew install gettext)"; exit 1; }
	$(PY) manage.py compilemessages --ignore '.venv/*' -v 0

migrate: venv
	$(PY) manage.py migrate --noinput

# LANGUAGE=zh-hans seeds the Chinese demo company (and its staff read the product in Chinese).
seed: migrate messages
	$(if $(LANGUAGE),DEMO_LANGUAGE=$(LANGUAGE) )$(PY) manage.py seed_demo --if-empty

run worker beat: export SITE_URL ?= http://$(SITE_HOST):$(PORT)

run: seed
	@echo "Serving on http://$(HOST):$(PORT)/ (emailed links start $$SITE_URL; tasks run inline unless REDIS_URL is set)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: venv-dev messages
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports

format: venv-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Every queue, or only QUEUES (comma-separated, e.g. `make worker QUEUES=email,webhooks`; the full
# names, with CELERY_QUEUE_PREFIX if one is set).
worker: venv
	$(VENV)/bin/celery -A cem worker --loglevel=INFO$(if $(QUEUES), -Q $(QUEUES))

beat: venv
	$(VENV)/bin/celery -A cem beat --loglevel=INFO --schedule=$(VENV)/celerybeat-schedule

bench: venv-dev
	@scripts="$$(ls bench/bench_*.py 2>/dev/null)"; \
	if [ -z "$$scripts" ]; then echo "No benchmarks in bench/ yet."; exit 0; fi; \
	for script in $$scripts; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache test-output
