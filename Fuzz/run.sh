#!/usr/bin/env bash
# Builds the libFuzzer targets (swift build --sanitize=fuzzer) and runs each on a copy of its
# committed seed corpus. `Fuzz/run.sh [RUNS] [TARGET…]`: RUNS executions per target (default
# 1000000); scripts/test.sh runs a short pass. A crash leaves its input in Fuzz/.artifacts and
# fails the script. Prints one `<target> runs=N exec/s=E ok` line per target. FUZZ_CONFIGURATION=release
# builds optimised (slower to build, ~10× the executions per second; used for the recorded runs).
set -euo pipefail
cd "$(dirname "$0")"
runs="${1:-1000000}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(FuzzRequestBody FuzzJSONScanner FuzzSSEParser FuzzEventStream FuzzWordPiece FuzzConfigLoader)
fi
configuration="${FUZZ_CONFIGURATION:-debug}"
build_log="$(mktemp)"
if ! swift build -c "$configuration" --sanitize=fuzzer >"$build_log" 2>&1; then
  grep -E "error" "$build_log" | head -40 >&2
  echo "fuzz targets did not build" >&2
  exit 1
fi
grep -E "warning: |Build complete" "$build_log" | grep -v "CMakeLists\|unhandled" || true
rm -f "$build_log"
bin="$(swift build -c "$configuration" --sanitize=fuzzer --show-bin-path)"
mkdir -p .artifacts
for target in "${targets[@]}"; do
  work="$(mktemp -d)"
  cp Corpus/"$target"/* "$work"/
  log="$work.log"
  if ! "$bin/$target" -runs="$runs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix=.artifacts/"$target"- "$work" >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "$target FAILED (input saved under Fuzz/.artifacts)" >&2
    exit 1
  fi
  done_line="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)"
  speed="$(grep -E 'stat::average_exec_per_sec' "$log" | awk '{print $2}')"
  echo "$target runs=$(echo "$done_line" | sed -E 's/^#([0-9]+).*/\1/') exec/s=${speed:-?} corpus=$(ls "$work" | wc -l) ok"
  rm -rf "$work" "$log"
done
