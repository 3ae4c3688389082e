# Setup, demo and tests on a fresh machine. `make demo` and `make test` set up
# everything they need first (the virtualenv in .venv, the Python packages).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

# Debian's Chromium renders JavaScript pages (Playwright cannot download its own here).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup browser redis demo test lint clean-data

setup: $(VENV)/.installed browser redis

browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
		{ $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

# Debian's Redis for crawls on several machines (`crawl --distributed`); tests start
# their own server on a free loopback port.
redis:
	@command -v redis-server >/dev/null || \
		{ $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq redis-server; }

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

demo: setup
	$(PY) -m crawler demo

test: setup
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

# Stops the embedded MongoDB and deletes its data and the journal.
clean-data: setup
	$(PY) -m crawler db stop
	rm -rf .data
