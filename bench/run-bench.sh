#!/usr/bin/env bash
# `make bench` (issue #8 items 3 and 4): the refresh benchmark (bench/run-refresh.sh) on lakes of
# growing history, with the three-table chain, plus freshness under `floe-engine run` on the
# 10M lake, then bench/report_svg.mjs writes bench/out/refresh.csv, bench/out/report.md and
# the SVG plots (refresh time against delta size and against history size, log-log).
#
#   bench/run-bench.sh [BUILD_DIR] [--sizes 1M,10M,50M] [--freshness-size 10M]
#       [--freshness-commits N] [--out DIR]
#
# Each size runs deltas of 0.1%, 1% and 10% (median of 3 appends, 1 at 10%; full recompute
# once per delta); the largest size also measures history growth against a lake 10x smaller.
# Lakes are generated once and cached as bench/run-refresh.sh describes. Budget: under 30
# minutes on a 2-core machine with the lakes cached. The last line is one JSON object; the exit
# status is 1 when any refresh failed or any answer differed from DuckDB's.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=build
if [[ $# -gt 0 && $1 != --* ]]; then build=$1; shift; fi
[[ $build == /* ]] || build="$root/$build"

sizes=1M,10M,50M freshness_size=10M freshness_commits=100 out="$root/bench/out"
while [[ $# -gt 0 ]]; do
    [[ $# -ge 2 ]] || { echo "run-bench.sh: $1 needs a value" >&2; exit 2; }
    case $1 in
        --sizes) sizes=$2 ;;
        --freshness-size) freshness_size=$2 ;;
        --freshness-commits) freshness_commits=$2 ;;
        --out) out=$2 ;;
        *) echo "run-bench.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift 2
done
mkdir -p "$out"
[[ $out == /* ]] || out="$PWD/$out"

IFS=, read -r -a size_list <<<"$sizes"
largest=${size_list[-1]}
reports=()
status=0
started=$(date +%s)
for size in "${size_list[@]}"; do
    arguments=("$build" --rows "$size" --chain --json-out "$out/refresh-$size.json")
    [[ $size == "$largest" ]] || arguments+=(--growth-rows 0)
    if [[ $size == "$freshness_size" ]]; then
        arguments+=(--freshness --freshness-commits "$freshness_commits")
    fi
    echo "== refresh benchmark, $size orders =="
    rm -f "$out/refresh-$size.json"
    "$root/bench/run-refresh.sh" "${arguments[@]}" | grep -v '^{' || status=1
    if [[ -f $out/refresh-$size.json ]]; then reports+=("$out/refresh-$size.json"); else status=1; fi
done
echo "== report ($(( $(date +%s) - started )) s of benchmarks) =="
[[ ${#reports[@]} -gt 0 ]] || { echo "run-bench.sh: no benchmark produced a report" >&2; exit 1; }
node "$root/bench/report_svg.mjs" "$out" "${reports[@]}" || status=1
exit $status
