# 友享购 — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install run test test-services lint bench schema clean web clients-test

install: $(STAMP)

# The clients (clients/: SDK, H5 shop, console, GraphiQL) build too when Node is on the machine; the server never needs it.
NODE := $(shell command -v node 2>/dev/null)
CLIENTS_STAMP := clients/node_modules/.installed-stamp
ifneq ($(NODE),)
install: $(CLIENTS_STAMP) clients/web/dist/index.html
endif

$(CLIENTS_STAMP): clients/package-lock.json
	cd clients && npm ci --no-audit --no-fund
	touch $(CLIENTS_STAMP)

clients/web/dist/index.html: $(CLIENTS_STAMP) $(shell find clients/sdk/src clients/web/src clients/web/*.html -type f 2>/dev/null)
	cd clients && npm run build

## Build the H5 shop, the console and GraphiQL into clients/web/dist (served by `make run` at / and /graphql).
web: $(CLIENTS_STAMP)
	cd clients && npm run build

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
ifneq ($(NODE),)
	$(MAKE) clients-test
endif

## The SDK's generated code is current, its unit tests (fake Taro and the real server, with graphql-http's audit),
## the shopper pages' JavaScript size, and the browser journeys (Debian's Chromium; with CI=true a missing one fails).
clients-test: install
	cd clients && npm run check && npm test && npm run build && npm run size && npm run e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy .

## The benchmarks whose figures are in the README (minutes; Neo4j is started like the tests do).
bench: install test-services
	@command -v wrk >/dev/null 2>&1 || { echo "installing wrk (Debian package: bench/read_path.py drives the server with it)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/read_path.py
	$(BIN)/python bench/friend_suggestions.py --graphs memory,neo4j
	$(BIN)/python bench/influence.py
	$(BIN)/python bench/orders.py
	$(BIN)/python bench/checkout.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/group_buy.py
	$(BIN)/python bench/seckill.py
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/recs_eval.py
	$(BIN)/python bench/recs_eval.py --perf
	$(BIN)/python bench/live_fanout.py

## Rewrite schema.graphql from the code (a test fails when they differ), and the SDK's generated types from it.
schema: install
	$(BIN)/python tools/mutation_refusals.py > schema/mutation_refusals.json.new
	mv schema/mutation_refusals.json.new schema/mutation_refusals.json
	$(BIN)/python server.py export-schema > schema.graphql
ifneq ($(NODE),)
	cd clients && npm run codegen
endif

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache *.egg-info
