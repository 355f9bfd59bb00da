SHELL := /bin/bash
export PATH := $(if $(wildcard /usr/local/go/bin/go),/usr/local/go/bin:,)$(PATH)
export TIMEBANK_TEST_OUTPUT ?= $(CURDIR)/test-output
GOTESTFLAGS ?=

.PHONY: run test services build bench lint fmt docker clean

## run: install/start PostgreSQL and Redis if needed, migrate, load demo data, serve on :8080
run: services build
	./bin/timebank migrate up
	./bin/timebank demo
	./bin/timebank serve

## test: the same set-up, then vet and every test (real PostgreSQL and Redis)
test: services
	go vet ./...
	go test -count=1 -p 2 -timeout 9m $(GOTESTFLAGS) ./...

services:
	@bash scripts/services.sh

build:
	go build -trimpath -o bin/timebank ./cmd/timebank

## bench: the README's benchmark table (pgbench and timebank bench on this machine)
bench: services build
	bash scripts/bench.sh

lint fmt:
	@test -z "$$(gofmt -l .)" || (gofmt -l . && false)
	go vet ./...

docker:
	docker build -t timebank .

clean:
	rm -rf bin test-output bench-results.md
