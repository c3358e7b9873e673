# The README's two commands: `make run` (the main job) and `make test` (the tests).
SHELL := /bin/bash
SWIFT ?= swift
PG := hack/postgres.sh

.PHONY: run test build deps postgres postgres-stop bench-ingest clean

deps:
	@hack/deps.sh

build:
	$(SWIFT) build --product pacer

postgres: deps
	@$(PG) start >/dev/null

postgres-stop:
	@$(PG) stop

# Starts a private PostgreSQL under .tmp/ and serves Pacer on http://127.0.0.1:8080 until Ctrl-C.
run: postgres build
	.build/debug/pacer serve --database-url "$$($(PG) url)" --http-port $${PACER_HTTP_PORT:-8080}

# Runs every test against a real PostgreSQL (started here) and the real kubectl.
test: postgres
	$(SWIFT) build --build-tests
	python3 hack/check-chart.py
	PACER_TEST_DATABASE_URL="$$($(PG) url)" $(SWIFT) test --skip-build --parallel

bench-ingest: postgres
	hack/bench/ingest

clean: postgres-stop
	rm -rf .tmp
