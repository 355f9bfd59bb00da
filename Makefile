SHELL := /bin/bash
# Go from the official tarball is often not on PATH in non-login shells.
ifeq ($(shell command -v go 2>/dev/null),)
ifneq ($(wildcard /usr/local/go/bin/go),)
export PATH := /usr/local/go/bin:$(PATH)
endif
endif
# Screenshots from the browser tests.
export TIMEBANK_TEST_OUTPUT ?= $(CURDIR)/test-output
GOTESTFLAGS ?=

.PHONY: run test chaos export-million services build bench bench-read lint fmt docker clean

## run: install/start PostgreSQL and Redis if needed, migrate, load demo data, serve on 127.0.0.1:8080
run: services build
	./bin/timebank migrate up
	./bin/timebank demo
	./bin/timebank serve

## test: the same set-up, Chromium and poppler-utils, then vet and every test (real PostgreSQL and Redis);
## the web package, the longest, is named first so that it starts first and the others share the other slot;
## every test of it runs in parallel with the others (two at a time, as many as the processors)
test: services
	@bash scripts/chromium.sh
	@bash scripts/poppler.sh
	go vet ./...
	go test -count=1 -p 2 -timeout 20m $(GOTESTFLAGS) ./web/ ./...

## chaos: the fault-injection suite at full length (a short run is part of `make test`): a PostgreSQL
## cluster and a Redis of its own, 16 clients, 20 s of load around each fault
chaos: services
	TIMEBANK_CHAOS_SECONDS=$${TIMEBANK_CHAOS_SECONDS:-20} TIMEBANK_CHAOS_CLIENTS=$${TIMEBANK_CHAOS_CLIENTS:-16} \
		go test -count=1 -run '^TestChaos$$' -v -timeout 30m ./cmd/timebank/

## export-million: an organization's export of a million service records, its heap against 10⁵
## (`make test` runs the same test at 10⁵ against 10⁴)
export-million: services
	TIMEBANK_TEST_EXPORT_ROWS=1000000 go test -count=1 -run '^TestExportOfManyRecords$$' -v -timeout 20m ./pkg/activity/

## services: PostgreSQL and Redis running, role and database timebank present
services:
	@bash scripts/services.sh

build:
	go build -trimpath -o bin/timebank ./cmd/timebank

## bench: the README's benchmark tables (pgbench and timebank bench, then the read benchmark, on this machine)
bench: build
	@bash scripts/services.sh --bench
	bash scripts/bench.sh
	bash scripts/bench_read.sh

## bench-read: the read benchmark alone (wrk against `timebank serve`, beside redis-benchmark)
bench-read: build
	@bash scripts/services.sh --bench
	bash scripts/bench_read.sh

lint fmt:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...

docker:
	docker build -t timebank .

clean:
	rm -rf bin test-output bench-results.md bench-lines.txt bench-read-results.md bench-read-serve.log bench-serve.log
