# seatide: the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
BIN     ?= bin/seatide
PKGS    ?= ./...

.PHONY: run build test test-short vet fmt bench clean console

## run: build and serve on the embedded defaults (SQLite ./seatide.db, 127.0.0.1:5000)
run: build
	./$(BIN) serve

## build: compile the binary into bin/, stamped with the git revision that
## `seatide version` prints (GOFLAGS may say -buildvcs=false; the flag here
## wins; go cannot stamp from a `git worktree`, whose .git is a file)
build:
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/seatide

## test: vet, then every test with the race detector (MariaDB/PostgreSQL tests skip locally when absent; under CI=true they must run)
test: vet
	$(GO) test -race -count=1 -timeout 20m $(PKGS)

## test-short: the quick tests only: no database servers (SQLite stays), no end-to-end runs, no race detector
test-short:
	$(GO) test -short $(PKGS)

vet:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

fmt:
	gofmt -w $$(git ls-files '*.go')

## bench: Go benchmarks into bench/out/, then the service against issue 10's targets:
## bench/results.json and bench/results.md (about 1.5 minutes; BENCHFLAGS, e.g. -duration 10s -mysql '')
BENCHFLAGS ?=
bench:
	mkdir -p bench/out
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS) | tee bench/out/go-bench.txt
	$(GO) build -o bin/seatide-bench ./cmd/seatide-bench
	./bin/seatide-bench -out bench $(BENCHFLAGS)

## console: rebuild the embedded web console from adapters/console/web (needs Node.js and npm);
## commit adapters/console/dist with its source: CI rebuilds it and fails when they differ
console:
	cd adapters/console/web && npm ci --no-audit --no-fund && npm run build

clean:
	rm -rf bin bench/out
