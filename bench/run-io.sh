#!/usr/bin/env bash
# Runs the I/O benchmark (bench/bench_io.c) from a build directory: `bench/run-io.sh build`, as
# `make bench-io` does. The 1 GiB file set is made once under BUILD/bench-io-data and reused;
# set FLOE_BENCH_IO_DATA to put it elsewhere (a different disk, say).
set -euo pipefail
build=${1:-build}
binary="$build/bench/bench_io"
if [[ ! -x "$binary" ]]; then
    echo "run-io.sh: $binary not found; build first (make build)" >&2
    exit 1
fi
exec "$binary" "${FLOE_BENCH_IO_DATA:-$build/bench-io-data}"
