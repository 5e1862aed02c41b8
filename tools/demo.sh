#!/usr/bin/env bash
# The main job, run by `make run`: shows what this build of floe-engine does on a demo lake.
# It grows with the engine. Today: the build and the machine's SIMD and I/O paths, a Spark-written
# Iceberg table (TPC-H lineitem) placed in the lake and inspected, and its Parquet data decoded.
set -euo pipefail
engine=${1:-build/tools/floe-engine}
here=$(cd "$(dirname "$0")/.." && pwd)
warehouse=${FLOE_WAREHOUSE:-$here/demo-lake}
mkdir -p "$warehouse/tpch"
if [ ! -d "$warehouse/tpch/lineitem" ]; then
  # A moved table: its metadata names paths under another root, which Floe re-roots.
  cp -r "$here/tests/data/iceberg/lineitem_iceberg" "$warehouse/tpch/lineitem"
fi
run() { echo; echo "\$ floe-engine $*"; "$engine" --warehouse "$warehouse" "$@"; }
# Shows the first lines of a command's output (without head's early exit failing the pipeline).
run_head() {
  local lines=$1 output
  shift
  output=$(run "$@")
  printf '%s\n' "$output" | sed -n "1,${lines}p"
  echo "..."
}
echo "== floe-engine $("$engine" --version | cut -d' ' -f2), warehouse $warehouse"
run info
show=$(run table show tpch.lineitem)
printf '%s\n' "$show"
# The current snapshot's data file, as table show lists it.
data_file=$(printf '%s\n' "$show" | awk '$1 == "data" && $NF ~ /\.parquet$/ {print $NF; exit}')
run_head 24 parquet meta "$data_file"
run_head 6 parquet dump "$data_file" --columns l_orderkey,l_quantity,l_extendedprice,l_shipdate --format csv
