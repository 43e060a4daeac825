# Weekback — build, test and run against a real MariaDB.
#
# make test   runs every test with -race against the server scripts/ensure-mariadb finds or starts
# make demo   builds and runs `weekback demo` against that server
# make bench  runs bench/snapshot, bench/server, bench/export, bench/compare and bench/download against that
#             server, then prints every target with PASS or MISS (also in var/bench/targets.txt); extra flags
#             in BENCH_ARGS, BENCH_SERVER_ARGS, BENCH_EXPORT_ARGS, BENCH_COMPARE_ARGS and
#             BENCH_DOWNLOAD_ARGS="..."; BENCH_NEIGHBOUR=1 runs stress-ng --cpu 1 beside every benchmark
# make lint   go vet + staticcheck (pinned)
# make clean  stops the private MariaDB (if any) and removes bin/ and var/
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

.PHONY: all build test demo bench lint vet staticcheck fmt clean mariadb

all: lint build test

build:
	$(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o bin/weekback ./cmd/weekback

test:
	@if [[ -z "$${WEEKBACK_REQUIRE_BROWSER:-}" ]] && ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then \
		echo '!!! chromium not found: browser tests will be SKIPPED (apt-get install chromium; set WEEKBACK_REQUIRE_BROWSER=1 to make them fail instead)' >&2; \
	fi
	DSN=$$(scripts/ensure-mariadb) && WEEKBACK_TEST_DSN="$$DSN" $(GO) test -race -count=1 -timeout 20m ./...

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

# A failed stop aborts before var/ is removed: deleting the datadir under a running server would
# leave it orphaned.
clean:
	scripts/ensure-mariadb --stop
	rm -rf bin var
