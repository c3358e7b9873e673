# The README's two commands: `make run` (the main job) and `make test` (the tests).
SHELL := /bin/bash
SWIFT ?= swift
PG := hack/postgres.sh
TEST_LIMIT := python3 hack/with-timeout.py
# The one version of binary, image and chart (hack/set-version.sh changes it; hack/check-version.py checks the copies).
VERSION := $(shell tr -d '[:space:]' < VERSION)
# make image: release by default; `make test` builds it from the debug binary it already has (CONFIGURATION=debug),
# since a cold release build of the dependency graph would take CI past its time (docs/image.md).
CONFIGURATION ?= release
IMAGE ?= ghcr.io/pacer-dev/pacer
IMAGE_ARCHIVE ?= .tmp/pacer-image.tar
# Extra `swift build` flags for make image, e.g. IMAGE_BUILD_FLAGS=--scratch-path=.build-release.
IMAGE_BUILD_FLAGS ?=

.PHONY: run serve serve-release test build build-demo deps postgres postgres-stop bench-ingest clean image

deps:
	@hack/deps.sh

build:
	$(SWIFT) build --product pacer

# The demo is its own executable (Sources/pacer-demo), so the operator binary does not link kube-sim.
build-demo:
	$(SWIFT) build --product pacer-demo

# The container image as an OCI archive, built with buildah without a daemon (as root): docs/image.md.
image: deps
	$(SWIFT) build -c $(CONFIGURATION) $(IMAGE_BUILD_FLAGS) --product pacer
	IMAGE=$(IMAGE) VERSION=$(VERSION) hack/image/build.sh \
	  "$$($(SWIFT) build -c $(CONFIGURATION) $(IMAGE_BUILD_FLAGS) --show-bin-path)/pacer" $(IMAGE_ARCHIVE)

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
# A debug build, for development: about a quarter of the release build's ingest rate (docs/benchmarks.md). Measure
# with `make serve-release`, the same in release mode.
serve: postgres build
	.build/debug/pacer serve --database-url "$$($(PG) url)" --http-port $${PACER_HTTP_PORT:-8080}

serve-release: postgres
	$(SWIFT) build -c release --product pacer --scratch-path .build-release
	.build-release/release/pacer serve --database-url "$$($(PG) url)" --http-port $${PACER_HTTP_PORT:-8080}

# Runs every test against a real PostgreSQL (started here) and the real kubectl.
test: postgres
	python3 hack/check-imports.py
	$(SWIFT) build --build-tests
	python3 hack/check-chart.py
	# The PrometheusRule (promtool), the Grafana dashboard (a real Prometheus scraping pacer-demo) and the OpenAPI
	# document (schemathesis against the same running server): about a minute.
	python3 hack/check-observability.py
	python3 hack/check-version.py
	python3 hack/check-workflows.py
	# The image from the debug binary just built, run from its own filesystem (chroot as 65532) against PostgreSQL.
	$(MAKE) --no-print-directory image CONFIGURATION=debug
	PACER_TEST_DATABASE_URL="$$($(PG) url)" python3 hack/image/test-image.py $(IMAGE_ARCHIVE)
	# Each test run has a time limit far above its usual length (unit ~70 s, integration ~5 min): a hang fails the
	# build with the tests still running and every thread's stack (hack/with-timeout.py) instead of blocking CI.
	PACER_TEST_DATABASE_URL="$$($(PG) url)" $(TEST_LIMIT) 900 $(SWIFT) test --skip-build --parallel --skip IntegrationTests
	# The recompute at a reduced scale (issue 17): a generated history of 100,000 CDEvents through the in-memory pass,
	# and incremental == recompute on its tail. No timing is asserted.
	PACER_RECOMPUTE_SCALE=100000 PACER_TEST_DATABASE_URL="$$($(PG) url)" $(TEST_LIMIT) 900 $(SWIFT) test --skip-build --filter RecomputeScaleTests
	# The end-to-end suites (pacer run, the demo, Chromium, SIGKILL) after the others, so the timing-sensitive
	# tests above do not share the 2 cores with them.
	PACER_TEST_DATABASE_URL="$$($(PG) url)" $(TEST_LIMIT) 1800 $(SWIFT) test --skip-build --parallel --filter IntegrationTests
	hack/fuzz/run --seconds 10  # every parser under libFuzzer for 10 s (docs/fuzzing.md); a crash fails the build

bench-ingest: postgres
	hack/bench/ingest

clean: postgres-stop
	rm -rf .tmp
