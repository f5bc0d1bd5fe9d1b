# seatide: the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
BIN     ?= bin/seatide
PKGS    ?= ./...

.PHONY: run build test test-short vet fmt bench bench-publish clean

## run: build and serve on the embedded defaults (SQLite ./seatide.db, 127.0.0.1:5000)
run: build
	./$(BIN) serve

## build: compile the binary into bin/ (static: no cgo, so no libc is mapped, and it runs anywhere)
build:
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/seatide

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

## bench: Go benchmarks, then the service against its targets, beside a bare net/http + jwx
## baseline, loaded by wrk (installed with apt-get when missing): everything goes to bench/out/
## (about 5 minutes; BENCHFLAGS, e.g. -rounds 4 -mysql ''). The committed bench/results.* change
## only with bench-publish.
BENCHFLAGS ?=
bench:
	mkdir -p bench/out
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS) | tee bench/out/go-bench.txt
	$(GO) build -o bin/seatide-bench ./cmd/seatide-bench
	./bin/seatide-bench -out bench/out $(BENCHFLAGS)

## bench-publish: copy the last `make bench` (bench/out/results.*) to bench/, to be committed on purpose
bench-publish:
	@test -f bench/out/results.md || { echo "no bench/out/results.md: run make bench first"; exit 1; }
	cp bench/out/results.md bench/out/results.json bench/
	@echo "bench/results.md and bench/results.json updated from bench/out/: review and commit them"

clean:
	rm -rf bin bench/out
