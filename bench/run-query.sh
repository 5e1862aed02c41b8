#!/usr/bin/env bash
# `make bench-query`: ad-hoc query time of Floe (floe-engine query, 1 and 2 threads) against
# DuckDB (1 and 2 threads) over the same Parquet files: GROUP BY region, GROUP BY customer_id,
# GROUP BY day and region, orders JOIN customers by segment (bench/bench_query.mjs).
#
#   bench/run-query.sh [BUILD_DIR] [--rows N] [--customers M] [--rows-per-file N] [--repeat R]
#
# Defaults: 50M orders in files of 1M rows, customers = rows / 50 (1M), median of 3 runs after a
# warm-up. Counts take k/M/G suffixes. The tables are generated once by floe-datagen (seed 1) into
# $FLOE_BENCH_CACHE (default BUILD_DIR/bench-query-data)/orders-<rows>-<customers>-<rows-per-file>
# and reused while that folder is complete; delete it to regenerate. The small form for make test:
# `bench/run-query.sh build --rows 1M --repeat 1`. The last line is one JSON object; the exit
# status is 1 when a Floe query fails or disagrees with DuckDB.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=build
if [[ $# -gt 0 && $1 != --* ]]; then build=$1; shift; fi
[[ $build == /* ]] || build="$root/$build"

# A count with an optional k/M/G suffix, as floe-datagen reads it.
count() {
    local text=$1
    case $text in
        *[kK]) echo $(( ${text%?} * 1000 )) ;;
        *M) echo $(( ${text%?} * 1000000 )) ;;
        *G) echo $(( ${text%?} * 1000000000 )) ;;
        *) echo $(( text )) ;;
    esac
}

rows=50000000 customers= rows_per_file=1000000 repeat=3
while [[ $# -gt 0 ]]; do
    [[ $# -ge 2 ]] || { echo "run-query.sh: $1 needs a value" >&2; exit 2; }
    case $1 in
        --rows) rows=$(count "$2") ;;
        --customers) customers=$(count "$2") ;;
        --rows-per-file) rows_per_file=$(count "$2") ;;
        --repeat) repeat=$2 ;;
        *) echo "run-query.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift 2
done
[[ -n $customers ]] || customers=$(( rows / 50 > 1000 ? rows / 50 : 1000 ))

datagen="$build/tools/datagen/floe-datagen"
engine="$build/tools/floe-engine"
for binary in "$datagen" "$engine"; do
    if [[ ! -x $binary ]]; then
        echo "run-query.sh: $binary not found; build first (make build)" >&2
        exit 1
    fi
done

cache="${FLOE_BENCH_CACHE:-$build/bench-query-data}/orders-$rows-$customers-$rows_per_file"
generation_seconds=null
if [[ ! -f $cache/complete ]]; then
    rm -rf "$cache"
    mkdir -p "$cache"
    echo "generating $rows orders and $customers customers into $cache"
    started=$(date +%s%N)
    "$datagen" orders --warehouse "$cache/lake" --rows "$rows" --customers "$customers" \
        --rows-per-file "$rows_per_file" --seed 1
    elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
    generation_seconds=$(printf '%d.%03d' $(( elapsed_ms / 1000 )) $(( elapsed_ms % 1000 )))
    touch "$cache/complete"
else
    echo "reusing $cache"
fi

cd "$root/tests/interop"
exec node "$root/bench/bench_query.mjs" --engine "$engine" --warehouse "$cache/lake" \
    --repeat "$repeat" \
    --json-extra "{\"customers\": $customers, \"rows_per_file\": $rows_per_file, \"generation_s\": $generation_seconds}"
