# The two commands every new user and CI rely on: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The process environment wins over .env, which wins over the default: `PORT=8080 make run`.
PORT ?= $(or $(shell grep -s '^PORT=' .env | tail -n 1 | tr -cd '0-9'),8000)
VENV := .venv
PY := $(VENV)/bin/python
# First Python >= 3.12 on PATH (Django 6.1 needs it); pyenv shims honour .python-version.
PYTHON ?= $(shell for c in python3.13 python3.12 python3; do \
	command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	&& { echo $$c; break; }; done)

.PHONY: help setup run test lint format vendor clean bench bench-smoke messages gettext

help:
	@echo "make run    set up (venv, requirements, migrations, names, static, translations) and serve on 127.0.0.1:$(PORT) with a worker"
	@echo "make test   set up and run the whole test suite with coverage"
	@echo "make lint   ruff check + format check + import contracts + mypy + makemigrations --check"
	@echo "make messages  gather the interface's strings into locale/*/LC_MESSAGES/django.po and djangojs.po"
	@echo "make bench  the benchmark (minutes; not part of make test): BENCH_ARGS='--entries 100000'"

# The requirements, then the project itself, editable (so .venv/bin/aysekai exists): its
# dependencies are the pins, and setuptools (pinned in base.txt) builds it without isolation,
# so nothing more is downloaded. pyproject.toml is a prerequisite: it names the packages.
$(VENV)/.installed: requirements/base.txt requirements/production.txt requirements/dev.txt pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "error: Python >= 3.12 is required (Django 6.1); tried python3.13, python3.12, python3." >&2; \
		echo "       Install one (e.g. 'pyenv install 3.13') or run 'make PYTHON=/path/to/python3.12 ...'." >&2; \
		exit 1; fi
	@if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

.env:
	cp .env.example $@

# Where the interface's strings are gathered from and the translations compiled (not the
# virtualenv, npm's packages, var/, nor code that shows no page: tests, the benchmark, scripts,
# the command-line tool).
I18N_IGNORE := --ignore=.venv --ignore=node_modules --ignore=var
MESSAGES_IGNORE := $(I18N_IGNORE) --ignore=tests --ignore=bench --ignore=scripts --ignore=aysekai_cli
# The scripts' strings (the djangojs domain, served by Django's JavaScript catalog at /jsi18n/):
# the site's own, in static/js, not the vendored ones.
JS_MESSAGES_IGNORE := $(MESSAGES_IGNORE) --ignore=static/vendor

# The translations (locale/*/LC_MESSAGES/django.po) compile with GNU gettext's msgfmt: installed
# from Debian when missing and we are root, as the benchmark's wrk is.
gettext:
	@if ! command -v msgfmt >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext) >/dev/null 2>&1 || true; fi
	@command -v msgfmt >/dev/null 2>&1 || { \
		echo "error: GNU gettext is required to compile the translations (msgfmt)." >&2; \
		echo "       Install it: 'apt install gettext', 'brew install gettext' or 'dnf install gettext'." >&2; \
		exit 1; }

setup: $(VENV)/.installed .env gettext
	@mkdir -p var/celery/queue var/celery/processed var/celery/results
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_names
	$(PY) manage.py compilemessages $(I18N_IGNORE) --verbosity 0
	$(PY) manage.py collectstatic --noinput --verbosity 0

# After changing the interface's text: the .po files gain the new strings (to translate) and lose
# none silently (obsolete ones are kept, marked #~). tests/site/test_translations.py checks this.
messages: $(VENV)/.installed gettext
	$(PY) manage.py makemessages --locale=tr --locale=ar --no-location $(MESSAGES_IGNORE)
	$(PY) manage.py makemessages --domain=djangojs --locale=tr --locale=ar --no-location $(JS_MESSAGES_IGNORE)

# honcho would load .env over the inherited environment, so it reads no file (`--env
# /dev/null`); each Django process reads .env itself, never over a variable already set.
HONCHO = PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho --env /dev/null

run: setup
	$(HONCHO) start --port $(PORT)

# The coverage gate lives here, not in pytest's addopts: `pytest tests/<one file>` then passes
# when its tests do, while the whole suite (and so CI) still fails below COVERAGE_MIN.
COVERAGE_MIN := 90

test: setup
	bash scripts/test_tools.sh
	$(VENV)/bin/pytest --cov --cov-report=term-missing:skip-covered --cov-fail-under=$(COVERAGE_MIN)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The benchmark (bench/, docs/operations.md "Benchmark"): gunicorn in production mode on the
# shared Postgres and Redis when they answer (else SQLite), loaded with wrk (installed from
# Debian when missing and we are root; else a Python load generator). Writes
# bench/results/latest.json and the README's table. Not part of `make test`.
BENCH_ARGS ?=
WRK := $(shell command -v wrk 2>/dev/null)

bench: setup
	@if [ -z "$(WRK)" ] && [ "$$(id -u)" = 0 ]; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null 2>&1 \
		|| echo "wrk could not be installed: the Python load generator is used"; fi
	$(PY) -m bench $(BENCH_ARGS)

# A minute's check that the benchmark works (CI): 50 entries, 1 s per URL, no numbers judged.
bench-smoke: setup
	$(PY) -m bench --smoke $(BENCH_ARGS)

# Maintainers only: refresh static/vendor/ from the npm packages pinned in package.json.
vendor: $(VENV)/.installed
	SUBSET_PYTHON=$(PY) scripts/vendor_assets.sh

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache .import_linter_cache .coverage htmlcov
