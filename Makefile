# seatide: the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
BIN     ?= bin/seatide
PKGS    ?= ./...

.PHONY: run build test test-short vet fmt bench bench-publish clean console fuzz-smoke

## run: build and serve on the embedded defaults (SQLite ./seatide.db, 127.0.0.1:5000)
run: build
	./$(BIN) serve

## build: compile the binary into bin/, stamped with the git revision that
## `seatide version` prints (GOFLAGS may say -buildvcs=false; the flag here
## wins; go cannot stamp from a `git worktree`, whose .git is a file);
## static (no cgo): no libc is mapped, and it runs anywhere
build:
	CGO_ENABLED=0 $(GO) build -buildvcs=auto -o $(BIN) ./cmd/seatide

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

## fuzz-smoke: each fuzz target for FUZZTIME (3s) beyond its seed corpus (testdata/fuzz/): the v1
## parameter reader, the Python-style JSON writer, the token parsers, the Minecraft packet readers
FUZZTIME ?= 3s
FUZZ_TARGETS = ./adapters/http:FuzzV1Params ./adapters/http:FuzzPythonJSON ./domain/users:FuzzTokenParsing \
	./adapters/jwt:FuzzVerify ./adapters/mcping:FuzzPacketReaders
fuzz-smoke:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$fn ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

## bench: Go benchmarks, then the service against its targets, beside a bare net/http + jwx
## baseline, loaded by wrk (installed with apt-get when missing): everything goes to bench/out/
## (about 5 minutes; BENCHFLAGS, e.g. -rounds 4 -mysql ''). The committed bench/results.* change
## only with bench-publish.
BENCHFLAGS ?=
# The packages that have Go benchmarks (compiling every test binary for none is slow).
BENCHPKGS ?= $(sort $(dir $(shell grep -rl --include='*_test.go' '^func Benchmark' . 2>/dev/null)))
bench:
	mkdir -p bench/out
	$(GO) test -run '^$$' -bench . -benchmem $(BENCHPKGS) | tee bench/out/go-bench.txt
	$(GO) build -o bin/seatide-bench ./cmd/seatide-bench
	./bin/seatide-bench -out bench/out $(BENCHFLAGS)

## bench-publish: copy the last `make bench` (bench/out/results.*) to bench/, to be committed on purpose
bench-publish:
	@test -f bench/out/results.md || { echo "no bench/out/results.md: run make bench first"; exit 1; }
	cp bench/out/results.md bench/out/results.json bench/
	@echo "bench/results.md and bench/results.json updated from bench/out/: review and commit them"

## console: rebuild the embedded web console from adapters/console/web (needs Node.js and npm);
## commit adapters/console/dist with its source: CI rebuilds it and fails when they differ
console:
	cd adapters/console/web && npm ci --no-audit --no-fund && npm run build

clean:
	rm -rf bin bench/out
