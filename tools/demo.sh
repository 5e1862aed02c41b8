#!/usr/bin/env bash
# The main job, run by `make run`: shows what this build of floe-engine can do on a demo lake.
# It grows with the engine; today it reports the build, the machine's SIMD and I/O paths, and
# the warehouse's tables.
set -euo pipefail
engine=${1:-build/tools/floe-engine}
warehouse=${FLOE_WAREHOUSE:-$PWD/demo-lake}
mkdir -p "$warehouse"
echo "== floe-engine --version"
"$engine" --version
echo
echo "== floe-engine --warehouse $warehouse info"
"$engine" --warehouse "$warehouse" info
