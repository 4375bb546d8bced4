# 友享购 — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install run test test-services lint bench schema clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@command -v ffprobe >/dev/null 2>&1 || { echo "installing ffmpeg (Debian package: video uploads are measured with ffprobe)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq ffmpeg >/dev/null; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

## Serve the whole API on the embedded default (SQLite, in-memory graph and bus) with demo data and dev login.
run: install
	DEV_LOGIN=$${DEV_LOGIN:-1} $(BIN)/python server.py serve --seed-demo

## Installs what the real test services need (redis-server, FerretDB; Maven fetches Neo4j and Gremlin Server).
test-services:
	tests/services/install.sh

## The whole suite against real Redis, Neo4j, Gremlin Server and FerretDB, started by the tests themselves.
test: install test-services
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy .

## The benchmarks whose figures are in the README (minutes; Neo4j is started like the tests do).
bench: install test-services
	$(BIN)/python bench/friend_suggestions.py --graphs memory,neo4j
	$(BIN)/python bench/influence.py
	$(BIN)/python bench/orders.py
	$(BIN)/python bench/checkout.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/group_buy.py
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/recs_eval.py
	$(BIN)/python bench/recs_eval.py --perf
	$(BIN)/python bench/live_fanout.py

## Rewrite schema.graphql from the code (a test fails when they differ).
schema: install
	$(BIN)/python server.py export-schema > schema.graphql

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache *.egg-info
