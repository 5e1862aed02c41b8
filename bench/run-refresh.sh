#!/usr/bin/env bash
# `make bench-refresh` (issue #7 "Speed"): incremental refresh of four dynamic tables (GROUP BY
# region, GROUP BY customer_id, orders JOIN customers by segment, a filter-project table) after
# appends of 0.1%, 1% and 10% of the history, against Floe's full refresh and DuckDB's full
# recompute over the same files, plus the history-growth ratio (bench/refresh_bench.mjs).
#
#   bench/run-refresh.sh [BUILD_DIR] [--rows N] [--customers M] [--rows-per-file N]
#       [--deltas 0.1,1,10] [--repeat R] [--repeat-large R] [--full-repeat R]
#       [--growth-rows N] [--chain] [--freshness] [--freshness-commits N] [--json-out FILE]
#
# Defaults: 50M orders in files of 1M rows, customers = rows / 50 (1M), incremental times the
# median of 3 appends (1 at 10%), full recompute once per delta, growth measured on a lake of
# rows / 10 with the same customers (--growth-rows 0: skip). --chain adds the three-table chain,
# --freshness the freshness measurement under `floe-engine run` on a copy of the same lake
# (--freshness-commits appends of 1,000 rows each, default 100).
# Counts take k/M/G suffixes.
#
# Lakes: floe-datagen (seed 1) writes each base lake once into $FLOE_BENCH_CACHE (default
# BUILD_DIR/bench-refresh-data)/orders-<rows>-<customers>-<rows-per-file>, reused while it is
# complete (the layout of bench/run-query.sh's cache, so one can serve both). The benchmark
# appends to and creates tables in a working copy: data files hard-linked (they are immutable;
# paths in the old manifests still name the base's files), metadata copied, so the base lake is
# never written; the copies are removed at exit. The last line is one JSON object; the exit
# status is 1 when a refresh fails or an answer differs from DuckDB's.
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

rows=50000000 customers= rows_per_file=1000000 deltas=0.1,1,10 repeat=3 repeat_large=1
full_repeat=1 growth_rows= chain=false freshness=false freshness_commits=100 json_out=
while [[ $# -gt 0 ]]; do
    case $1 in
        --chain) chain=true; shift; continue ;;
        --freshness) freshness=true; shift; continue ;;
    esac
    [[ $# -ge 2 ]] || { echo "run-refresh.sh: $1 needs a value" >&2; exit 2; }
    case $1 in
        --rows) rows=$(count "$2") ;;
        --customers) customers=$(count "$2") ;;
        --rows-per-file) rows_per_file=$(count "$2") ;;
        --deltas) deltas=$2 ;;
        --repeat) repeat=$2 ;;
        --repeat-large) repeat_large=$2 ;;
        --full-repeat) full_repeat=$2 ;;
        --growth-rows) growth_rows=$(count "$2") ;;
        --freshness-commits) freshness_commits=$(count "$2") ;;
        --json-out) json_out=$2 ;;
        *) echo "run-refresh.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift 2
done
[[ -n $customers ]] || customers=$(( rows / 50 > 1000 ? rows / 50 : 1000 ))
[[ -n $growth_rows ]] || growth_rows=$(( rows / 10 ))

datagen="$build/tools/datagen/floe-datagen"
engine="$build/tools/floe-engine"
timer="$build/bench/floe-process-timer"
for binary in "$datagen" "$engine" "$timer"; do
    if [[ ! -x $binary ]]; then
        echo "run-refresh.sh: $binary not found; build first (make build)" >&2
        exit 1
    fi
done

cache_root="${FLOE_BENCH_CACHE:-$build/bench-refresh-data}"
work_root="$build/bench-refresh-work"
mkdir -p "$work_root"
copies=()
cleanup() { [[ ${#copies[@]} -eq 0 ]] || rm -rf "${copies[@]}"; }
trap cleanup EXIT

# The base lake of $1 orders and $2 customers: generated once, then reused.
base_lake() {
    local lake_rows=$1 lake_customers=$2
    local cache="$cache_root/orders-$lake_rows-$lake_customers-$rows_per_file"
    if [[ ! -f $cache/complete ]]; then
        rm -rf "$cache"
        mkdir -p "$cache"
        echo "generating $lake_rows orders and $lake_customers customers into $cache" >&2
        "$datagen" orders --warehouse "$cache/lake" --rows "$lake_rows" --customers "$lake_customers" \
            --rows-per-file "$rows_per_file" --seed 1 >&2
        touch "$cache/complete"
    fi
    echo "$cache/lake"
}

# A working copy of lake $1 named $2: data hard-linked, metadata copied (commits replace
# version-hint.text by rename, but a copy leaves no doubt that the base is never touched).
working_copy() {
    local base=$1 copy="$work_root/$2-$$"
    rm -rf "$copy"
    copies+=("$copy")
    cp -al "$base" "$copy"
    local metadata
    for metadata in "$copy"/*/*/metadata; do
        rm -rf "$metadata"
        cp -r "${base}${metadata#"$copy"}" "$metadata"
    done
    echo "$copy"
}

base=$(base_lake "$rows" "$customers")
arguments=(--engine "$engine" --datagen "$datagen" --timer "$timer" --rows "$rows" --deltas "$deltas"
    --repeat "$repeat" --repeat-large "$repeat_large" --full-repeat "$full_repeat")
working_copy "$base" "orders-$rows" >/dev/null
arguments+=(--warehouse "${copies[-1]}")
if [[ $growth_rows -gt 0 ]]; then
    growth_base=$(base_lake "$growth_rows" "$customers")
    working_copy "$growth_base" "growth-$growth_rows" >/dev/null
    arguments+=(--growth-warehouse "${copies[-1]}" --growth-rows "$growth_rows")
fi
if $freshness; then
    working_copy "$base" "freshness-$rows" >/dev/null
    arguments+=(--freshness-warehouse "${copies[-1]}" --freshness-commits "$freshness_commits")
fi
$chain && arguments+=(--chain)
[[ -z $json_out ]] || arguments+=(--json-out "$json_out")

cd "$root/tests/interop"
node "$root/bench/refresh_bench.mjs" "${arguments[@]}" \
    --json-extra "{\"customers\": $customers, \"rows_per_file\": $rows_per_file, \"cpus\": $(nproc)}"
