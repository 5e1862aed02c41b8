# Floe's front door. `make` builds; `make test` installs what is missing, builds and runs every
# test (x86-64 with -Werror, the ASan+UBSan build, and aarch64 under qemu); `make run` installs,
# builds and runs the demo. Builds live in build/ (release), build-asan/ and build-arm64/.
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all build deps test test-x86 test-asan test-arm64 test-scalar test-interop test-fuzz build-fuzz run bench-io bench-kernels bench-iceberg bench-parquet bench-query test-bench-query bench-refresh bench test-bench-refresh fuzz clean

all: build

deps:
	@tools/install-deps.sh

build:
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFLOE_WERROR=ON $(CMAKE_FLAGS) >build.cmake.log 2>&1 || { cat build.cmake.log; exit 1; }
	@cmake --build build -j$(JOBS)

test: deps
	@$(MAKE) --no-print-directory test-x86 test-scalar test-interop test-bench-query test-bench-refresh test-asan test-arm64 test-fuzz
	@echo "make test: x86-64, x86-64 with FLOE_ISA=scalar, DuckDB/icebird interop, ASan+UBSan, aarch64 (qemu) and fuzz smoke all passed"

test-x86: build
	@echo "== x86-64 tests (native ISA) =="
	@cd build && ctest --output-on-failure -j$(JOBS)

# The same suite with every kernel forced to its scalar reference, as DESIGN.md asks.
test-scalar: build
	@echo "== x86-64 tests with FLOE_ISA=scalar =="
	@cd build && FLOE_ISA=scalar ctest --output-on-failure -j$(JOBS)

# Differential tests against independent implementations (DuckDB, icebird), pinned by
# tests/interop/package-lock.json and installed with npm ci when the lock changes.
test-interop: build
	@echo "== interoperability tests against DuckDB and icebird =="
	@cd tests/interop && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }
	@cd tests/interop && FLOE_ENGINE=$(CURDIR)/build/tools/floe-engine FLOE_BUILD_DIR=$(CURDIR)/build node --test --test-reporter=spec

test-asan:
	@echo "== x86-64 tests under AddressSanitizer + UndefinedBehaviorSanitizer =="
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DFLOE_WERROR=ON -DFLOE_SANITIZE=ON >build-asan.cmake.log 2>&1 || { cat build-asan.cmake.log; exit 1; }
	@cmake --build build-asan -j$(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j$(JOBS)

test-arm64:
	@echo "== aarch64 kernel tests (cross-compiled, run under qemu-aarch64) =="
	@cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DFLOE_KERNELS_ONLY=ON -DFLOE_WERROR=ON >build-arm64.cmake.log 2>&1 || { cat build-arm64.cmake.log; exit 1; }
	@cmake --build build-arm64 -j$(JOBS)
	@cd build-arm64 && ctest --output-on-failure -j$(JOBS)

FUZZ_SECONDS ?= 300
# libFuzzer needs clang; the fuzz build instruments the whole library (ASan + UBSan too).
build-fuzz:
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFLOE_FUZZ=ON -DFLOE_BUILD_TESTS=OFF >build-fuzz.cmake.log 2>&1 || { cat build-fuzz.cmake.log; exit 1; }
	@cmake --build build-fuzz -j$(JOBS)

fuzz: deps build-fuzz
	@tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

# The short form inside make test.
test-fuzz: build-fuzz
	@echo "== fuzz targets, 15 s each =="
	@tests/fuzz/run.sh build-fuzz 15

run: deps build
	@tools/demo.sh build/tools/floe-engine build/tools/datagen/floe-datagen

bench-io: build
	@bench/run-io.sh build

bench-parquet: build
	@bench/run-parquet.sh build

bench-iceberg: build
	@build/bench/bench_iceberg_open

bench-query: build
	@cd tests/interop && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }
	@bench/run-query.sh build

# The small form inside make test (1M orders), so the benchmark cannot rot.
test-bench-query: build
	@echo "== query benchmark, small form (1M orders) =="
	@bench/run-query.sh build --rows 1M --repeat 1

# Incremental refresh against Floe's full refresh and DuckDB's full recompute (issue #7): 50M
# orders, deltas of 0.1/1/10%, four dynamic tables, history growth 5M -> 50M.
bench-refresh: build
	@cd tests/interop && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }
	@bench/run-refresh.sh build

# The small form inside make test (200K orders, one repeat): fails when any refreshed table's
# rows differ from DuckDB's answer, so the harness and the refresh cannot rot.
test-bench-refresh: build
	@echo "== refresh benchmark, small form (200K orders) =="
	@cd tests/interop && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }
	@bench/run-refresh.sh build --rows 200k --rows-per-file 20k --repeat 1 --chain --freshness --freshness-commits 3

# The whole refresh benchmark (issue #8): lakes of 1M, 10M and 50M orders, the chain, freshness
# under `floe-engine run`; writes bench/out/refresh.csv, report.md and SVG plots.
bench: build
	@cd tests/interop && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }
	@bench/run-bench.sh build

bench-kernels: build
	@bench/run-kernels.sh build

clean:
	rm -rf build build-asan build-arm64 build-fuzz build*.cmake.log
