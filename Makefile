# seatide: the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
BIN     ?= bin/seatide
PKGS    ?= ./...

.PHONY: run build test test-short vet fmt bench clean fuzz-smoke

## run: build and serve on the embedded defaults (SQLite ./seatide.db, 127.0.0.1:5000)
run: build
	./$(BIN) serve

## build: compile the binary into bin/
build:
	$(GO) build -o $(BIN) ./cmd/seatide

## test: vet, then every test with the race detector (MariaDB/PostgreSQL tests skip locally when absent; under CI=true they must run)
test: vet
	$(GO) test -race -count=1 $(PKGS)

## test-short: the quick tests only, without the race detector
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

## bench: Go benchmarks into bench/out/, then the service against issue 10's targets:
## bench/results.json and bench/results.md (about 1.5 minutes; BENCHFLAGS, e.g. -duration 10s -mysql '')
BENCHFLAGS ?=
bench:
	mkdir -p bench/out
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS) | tee bench/out/go-bench.txt
	$(GO) build -o bin/seatide-bench ./cmd/seatide-bench
	./bin/seatide-bench -out bench $(BENCHFLAGS)

clean:
	rm -rf bin bench/out
