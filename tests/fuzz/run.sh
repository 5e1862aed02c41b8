#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR over its seed corpus (tests/fuzz/corpus/<name>/) for
# SECONDS each. `make fuzz` runs the long campaign; `make test` a short one so none can rot.
# New inputs found go to a scratch folder, never into the committed corpus; a crash leaves its
# reproducer in BUILD_DIR/fuzz-artifacts/ and fails the run.
set -euo pipefail
build_dir=${1:?usage: run.sh BUILD_DIR SECONDS}
seconds=${2:?usage: run.sh BUILD_DIR SECONDS}
source_dir=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$build_dir/fuzz-artifacts"
found=0
for target in "$build_dir"/tests/fuzz/fuzz_*; do
  [ -x "$target" ] || continue
  found=$((found + 1))
  name=$(basename "$target")
  name=${name#fuzz_}
  corpus="$source_dir/corpus/$name"
  scratch="$build_dir/fuzz-corpus/$name"
  mkdir -p "$scratch"
  echo "fuzz: $name for ${seconds}s (seeds: $(ls "$corpus" 2>/dev/null | wc -l))"
  ASAN_OPTIONS=detect_leaks=1 "$target" -max_total_time="$seconds" -max_len=1048576 -rss_limit_mb=2048 \
    -timeout=10 -artifact_prefix="$build_dir/fuzz-artifacts/$name-" -print_final_stats=0 \
    "$scratch" "$corpus" 2>"$build_dir/fuzz-$name.log" || {
      tail -40 "$build_dir/fuzz-$name.log"
      echo "fuzz: $name FAILED (reproducer in $build_dir/fuzz-artifacts/)"
      exit 1
    }
  grep -E '^(#[0-9]+\s+DONE|Done [0-9]+ runs)' "$build_dir/fuzz-$name.log" | tail -1 || true
done
echo "fuzz: $found targets ran clean"
