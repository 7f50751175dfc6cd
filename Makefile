# The two commands: `make demo` and `make test`. Everything else supports them.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# Tests run with production-like settings: DEBUG off, a throwaway secret key.
TEST_ENV := SECRET_KEY=test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz \
            DJANGO_DEBUG=0 ALLOWED_HOSTS=testserver,127.0.0.1,localhost
DEMO_ENV := DJANGO_DEBUG=1
PYTEST_ARGS ?=
# The whole suite runs against the real parts: PostgreSQL and Redis on this machine.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tracker

.PHONY: demo test test-sqlite install lint format clean-demo docs chromium messages catalogue

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# The translations (locale/<language>/LC_MESSAGES/django.po, in the repository) are
# compiled for the pages and emails to read; docs/translation.md says how to add one.
CATALOGUES := $(wildcard locale/*/LC_MESSAGES/django.po)
messages: $(CATALOGUES:.po=.mo)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po
	@bash .ci/gettext.sh
	msgfmt --check -o $@ $<

# After changing marked strings: brings the catalogues up to date (translations kept).
catalogue: install
	$(DEMO_ENV) $(PY) manage.py makemessages -l zh_Hans --no-obsolete \
	  --ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=staticfiles --ignore=static

# The browser tests (pytest -m browser) drive Debian's chromium; installed when missing.
chromium:
	bash .ci/chromium.sh
	bash .ci/fonts.sh

demo: install messages
	mkdir -p var/mail
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo
	@echo "Alert emails are written to var/mail/. Open http://127.0.0.1:8000/ and sign in."
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: install chromium messages
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(TEST_ENV) DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest $(PYTEST_ARGS)

# The embedded default (SQLite, tasks in process): everything but the integration tests.
test-sqlite: install chromium messages
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(TEST_ENV) DATABASE_URL=sqlite:///var/test.sqlite3 $(PY) -m pytest -m "not integration" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

docs: install
	$(DEMO_ENV) $(PY) manage.py clinical_rules_doc

clean-demo:
	rm -f var/tracker.sqlite3
