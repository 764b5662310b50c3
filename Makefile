# Two commands: `make build` and `make test`. Both set everything up first (venv, pip, apt, npm).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
# System packages: fonts for every output, poppler/LibreOffice/Chromium for previews and real-client tests.
APT_PACKAGES := fonts-inter fonts-lato fonts-noto-core fonts-noto-color-emoji fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 \
	poppler-utils zbar-tools libreoffice-impress-nogui chromium chromium-driver
PYTEST_ARGS ?=
# Two workers: the machine (and CI) has 2 cores; browser, PDF and LibreOffice tests overlap well.

.PHONY: build test setup setup-test system npm clean bench schema

build: setup
	$(PY) build.py

test: setup-test
	$(VENV)/bin/ruff check coursekit tests
	$(PY) -m mypy --strict coursekit
	$(PY) -m pytest -n 2 --dist worksteal $(PYTEST_ARGS)

bench: setup-test
	$(PY) benchmarks/run.py

schema: setup
	$(PY) -m coursekit.cli schema

setup: system $(VENV)/.stamp-install npm

setup-test: system $(VENV)/.stamp-test npm

# apt only when something is missing, and only as root (CI and this machine run as root).
system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "apt: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing system packages:$$missing (run as root, or: sudo apt-get install$$missing)"; fi; \
	fi
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq nodejs npm >/dev/null; } || true

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip

$(VENV)/.stamp-install: $(VENV)/bin/python pyproject.toml
	$(VENV)/bin/pip install -q -e '.[check]'
	touch $@

$(VENV)/.stamp-test: $(VENV)/.stamp-install pyproject.toml
	$(VENV)/bin/pip install -q -e '.[check,test]'
	touch $@

npm: node_modules/.stamp

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf outputs .pytest_cache .hypothesis node_modules
