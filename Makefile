# Weekback — build, test and run against a real MariaDB.
#
# make test   runs every test with -race against the server scripts/ensure-mariadb finds or starts
# make demo   builds and runs `weekback demo` against that server
# make bench  runs bench/snapshot, bench/server, bench/export, bench/compare and bench/download against that
#             server, then prints every target with PASS or MISS (also in var/bench/targets.txt); extra flags
#             in BENCH_ARGS, BENCH_SERVER_ARGS, BENCH_EXPORT_ARGS, BENCH_COMPARE_ARGS and
#             BENCH_DOWNLOAD_ARGS="..."; BENCH_NEIGHBOUR=1 runs stress-ng --cpu 1 beside every benchmark
# make lint   go vet + staticcheck (pinned)
# make test-galera  starts the 3-node Galera test cluster (scripts/ensure-galera) and runs every TestGalera…
#             test against it (the source on the ensure-mariadb server), then the suites that touch the meta
#             schema (GALERA_SUITES: mysql, jobs, snapshotter, server) with node 1 as the test server
# make test-galera-ci  the CI subset: locks, migrations and job claims on the cluster (a few minutes)
# make galera prints the DSNs of the 3-node Galera test cluster, starting it when needed
# make clean  stops the private MariaDB and the Galera test cluster (if any) and removes bin/ and var/
#
# Set WEEKBACK_TEST_DSN to use a server of your own, or WEEKBACK_PRIVATE_MARIADB=1 to force the
# private one under var/mariadb/ (see scripts/ensure-mariadb).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# staticcheck 2026.2.2 (module v0.8.2): supports Go 1.26.
STATICCHECK_VERSION := v0.8.2
BENCH_ARGS ?=
BENCH_SERVER_ARGS ?=
BENCH_EXPORT_ARGS ?=
BENCH_COMPARE_ARGS ?=
BENCH_DOWNLOAD_ARGS ?=
BENCH_NEIGHBOUR ?=
export BENCH_NEIGHBOUR
DEMO_ARGS ?=
# The suites run with node 1 of the Galera cluster as their test server by make test-galera (source
# and backup both on node 1), less GALERA_SKIP: the TestGalera… tests (the first step ran them) and
# tests whose source fixture Galera refuses (a SEQUENCE with CACHE, error 1235; a production source is
# never the cluster). cmd/weekback is left out: most of its fixtures are such sources; its Galera
# end-to-end tests (TestGalera…) keep the source apart. One package at a time (-p 1): with the source
# on node 1, a snapshot's BACKUP STAGE pauses the node's replication, and another package's DDL in that
# moment is refused ("1047 Aborting TOI: Replication paused on node for FTWRL/BACKUP STAGE").
GALERA_SUITES ?= ./mysql/... ./jobs/... ./snapshotter/... ./server/...
GALERA_SKIP := ^(TestEveryObjectCopiedOrNamed|TestGalera.*)$$
# The TestGalera… tests run one package at a time (-p 1): some kill or isolate a node, which the
# tests of another package running meanwhile would see as a failure.
# The Galera tests CI runs: the lock, migration and job-claim ones.
GALERA_CI_TESTS := TestGalera(MigrateAtOnce|SnapshotLockExclusive|LeaseTakenOver|SwitchFenced|JobsExactlyOnce|SnapshotsAtOnce|FirstUseOnThreeNodes|JobsOverTwoReplicas)$$

.PHONY: all build test test-galera test-galera-ci demo bench lint vet staticcheck fmt clean mariadb galera

all: lint build test

build:
	$(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o bin/weekback ./cmd/weekback

test:
	@if [[ -z "$${WEEKBACK_REQUIRE_BROWSER:-}" ]] && ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then \
		echo '!!! chromium not found: browser tests will be SKIPPED (apt-get install chromium; set WEEKBACK_REQUIRE_BROWSER=1 to make them fail instead)' >&2; \
	fi
	DSN=$$(scripts/ensure-mariadb) && WEEKBACK_TEST_DSN="$$DSN" $(GO) test -race -count=1 -timeout 20m ./...

test-galera:
	DSNS=$$(scripts/ensure-galera) && DSN=$$(scripts/ensure-mariadb) && \
		WEEKBACK_GALERA_DSNS="$$DSNS" WEEKBACK_TEST_DSN="$$DSN" $(GO) test -race -count=1 -p 1 -timeout 30m -run '^TestGalera' ./... && \
		WEEKBACK_TEST_DSN="$${DSNS%% *}" $(GO) test -race -count=1 -p 1 -timeout 60m -skip '$(GALERA_SKIP)' $(GALERA_SUITES)

test-galera-ci:
	DSNS=$$(scripts/ensure-galera) && DSN=$$(scripts/ensure-mariadb) && \
		WEEKBACK_GALERA_DSNS="$$DSNS" WEEKBACK_TEST_DSN="$$DSN" $(GO) test -race -count=1 -p 1 -timeout 15m -run '^$(GALERA_CI_TESTS)' ./mysql/ ./cmd/weekback/

demo: build
	DSN=$$(scripts/ensure-mariadb) && WEEKBACK_TEST_DSN="$$DSN" bin/weekback demo $(DEMO_ARGS)

bench: build
	@mkdir -p var/bench && : > var/bench/targets.txt
	trap "exit 130" INT TERM; DSN=$$(scripts/ensure-mariadb); rc=0; \
		export WEEKBACK_TEST_DSN="$$DSN" BENCH_TARGETS="$(CURDIR)/var/bench/targets.txt"; \
		$(GO) run ./bench/snapshot $(BENCH_ARGS) || rc=1; \
		$(GO) run ./bench/server $(BENCH_SERVER_ARGS) || rc=1; \
		$(GO) run ./bench/export $(BENCH_EXPORT_ARGS) || rc=1; \
		$(GO) run ./bench/compare $(BENCH_COMPARE_ARGS) || rc=1; \
		$(GO) run ./bench/download $(BENCH_DOWNLOAD_ARGS) || rc=1; \
		printf '\n== make bench: every target%s ==\n' "$${BENCH_NEIGHBOUR:+ (BENCH_NEIGHBOUR=$$BENCH_NEIGHBOUR)}"; \
		cat var/bench/targets.txt; \
		if [[ $$rc != 0 ]]; then echo 'make bench: a benchmark failed (see above); its targets are missing here' >&2; fi; \
		exit $$rc

lint: vet staticcheck

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

fmt:
	$(GO) fmt ./...

# Prints the DSN of the test server, starting the private one when needed.
mariadb:
	@scripts/ensure-mariadb

# Prints the three DSNs of the Galera test cluster, starting it when needed (scripts/ensure-galera).
galera:
	@scripts/ensure-galera

# A failed stop aborts before var/ is removed: deleting the datadir under a running server would
# leave it orphaned.
clean:
	scripts/ensure-mariadb --stop
	scripts/ensure-galera --stop
	rm -rf bin var
