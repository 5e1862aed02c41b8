#!/usr/bin/env bash
# `make bench-parquet`: Floe's single-thread Parquet decode throughput per column type and codec
# against DuckDB's single-thread scan of the same column, side by side. The 10M-row files are
# written by DuckDB once into BUILD/bench-parquet-data and reused.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/$build/bench-parquet-data"
interop="$root/tests/interop"
(cd "$interop" && node lib/bench_parquet_duckdb.mjs generate "$data")
results="$root/$build/bench-parquet-floe.jsonl"
"$root/$build/bench/bench_parquet" "$data" 3 > "$results"
(cd "$interop" && node lib/bench_parquet_duckdb.mjs compare "$data" "$results")
