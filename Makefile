# The README's two commands: `make run` (the main job) and `make test` (the tests).
SHELL := /bin/bash
SWIFT ?= swift
PG := hack/postgres.sh

.PHONY: run serve test build build-demo deps postgres postgres-stop bench-ingest clean

deps:
	@hack/deps.sh

build:
	$(SWIFT) build --product pacer

# The demo is its own executable (Sources/pacer-demo), so the operator binary does not link kube-sim.
build-demo:
	$(SWIFT) build --product pacer-demo

postgres: deps
	@$(PG) start >/dev/null

postgres-stop:
	@$(PG) stop

# The demo: a private PostgreSQL and an in-process kube-sim, the default pipeline, a scripted history; prints the
# four keys per app, then serves the dashboard and API on http://127.0.0.1:8080 until Ctrl-C.
# Extra flags: make run ARGS="--no-serve" (or --http-port, --kubeconfig to use a real cluster, --database-url).
run: deps build-demo
	.build/debug/pacer-demo $(ARGS)

# Pacer alone against the private PostgreSQL of hack/postgres.sh (ingest and API only, no Kubernetes).
serve: postgres build
	.build/debug/pacer serve --database-url "$$($(PG) url)" --http-port $${PACER_HTTP_PORT:-8080}

# Runs every test against a real PostgreSQL (started here) and the real kubectl.
test: postgres
	python3 hack/check-imports.py
	$(SWIFT) build --build-tests
	python3 hack/check-chart.py
	# The PrometheusRule (promtool), the Grafana dashboard (a real Prometheus scraping pacer-demo) and the OpenAPI
	# document (schemathesis against the same running server): about a minute.
	python3 hack/check-observability.py
	PACER_TEST_DATABASE_URL="$$($(PG) url)" $(SWIFT) test --skip-build --parallel --skip IntegrationTests
	# The end-to-end suites (pacer run, the demo, Chromium, SIGKILL) after the others, so the timing-sensitive
	# tests above do not share the 2 cores with them.
	PACER_TEST_DATABASE_URL="$$($(PG) url)" $(SWIFT) test --skip-build --parallel --filter IntegrationTests
	hack/fuzz/run --seconds 10  # every parser under libFuzzer for 10 s (docs/fuzzing.md); a crash fails the build

bench-ingest: postgres
	hack/bench/ingest

clean: postgres-stop
	rm -rf .tmp
