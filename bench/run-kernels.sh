#!/usr/bin/env bash
# Runs the kernel benchmark (bench/bench_kernels.c) from a build directory, as `make bench-kernels`
# does: first DuckDB's single-threaded GROUP BY SUM over the same rows and group counts
# (bench/kernels_duckdb.mjs, with the @duckdb/node-api package from tests/interop/node_modules),
# then bench_kernels with those figures so its lines show Floe/DuckDB ratios. The last line is
# bench_kernels' JSON object. FLOE_BENCH_ROWS sets the row count (default 100,000,000);
# FLOE_BENCH_DUCKDB=0 skips DuckDB.
set -euo pipefail
build=${1:-build}
rows=${FLOE_BENCH_ROWS:-100000000}
here=$(cd "$(dirname "$0")" && pwd)
binary="$build/bench/bench_kernels"
if [[ ! -x "$binary" ]]; then
    echo "run-kernels.sh: $binary not found; build first (make build)" >&2
    exit 1
fi
duckdb_args=()
if [[ "${FLOE_BENCH_DUCKDB:-1}" != 0 ]]; then
    if out=$(cd "$here/../tests/interop" && node "$here/kernels_duckdb.mjs" "$rows"); then
        echo "$out" | grep -v '^{' || true
        json=$(echo "$out" | grep '^{' | tail -1)
        for label in 1k 1m 50m; do
            value=$(echo "$json" | sed -n "s/.*\"$label\": *\([0-9.e+]*\).*/\1/p")
            [[ -n "$value" ]] && duckdb_args+=("--duckdb-$label" "$value")
        done
    else
        echo "run-kernels.sh: DuckDB comparison failed (is @duckdb/node-api installed in tests/interop?)" >&2
    fi
fi
exec "$binary" --rows "$rows" "${duckdb_args[@]}"
