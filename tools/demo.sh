#!/usr/bin/env bash
# The main job, run by `make run`: shows what this build of floe-engine does on a demo lake.
# It grows with the engine. Today: the build and the machine's SIMD and I/O paths, a Spark-written
# Iceberg table (TPC-H lineitem) placed in the lake, inspected and read with its deletes applied,
# its Parquet data decoded, and a new table made by ingesting Parquet files in two snapshots.
set -euo pipefail
engine=${1:-build/tools/floe-engine}
here=$(cd "$(dirname "$0")/.." && pwd)
# Always its own folder (never $FLOE_WAREHOUSE): the demo deletes and rebuilds it.
warehouse=$here/demo-lake
# The demo lake is made anew each run, so the demo always shows the same story.
rm -rf "$warehouse"
mkdir -p "$warehouse/tpch"
# A moved table: its metadata names paths under another root, which Floe re-roots.
cp -r "$here/tests/data/iceberg/lineitem_iceberg" "$warehouse/tpch/lineitem"
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
run_head 6 table dump tpch.lineitem --columns l_orderkey,l_linenumber,l_quantity,l_shipmode
run ingest demo.alltypes "$here/tests/data/parquet/alltypes_plain.parquet"
run ingest demo.alltypes "$here/tests/data/parquet/alltypes_plain.snappy.parquet"
run table dump demo.alltypes --columns id,bool_col,int_col,double_col,timestamp_col --format csv
