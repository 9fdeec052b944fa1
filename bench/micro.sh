#!/usr/bin/env bash
# Micro-benchmarks (Benchmarks/, ordo-one/benchmark, release build): the hot paths' allocation counts per
# operation and per request (`RequestPipeline`: one chat completion through the whole gateway in process).
#   bench/micro.sh            fails when a benchmark's p90 allocation count exceeds Benchmarks/Thresholds by > 5 %
#   bench/micro.sh --update   records the current counts as the thresholds (after a deliberate change; commit them)
# Only allocation counts are committed: they are the same on every machine, times are not.
set -euo pipefail
cd "$(dirname "$0")/../Benchmarks"
# Only the benchmark target: the package's other executable (hummingbird-floor, a server for bench/run.sh)
# would be started by the tool as if it were one, and never exit.
if [ "${1:-}" != "--update" ]; then
  exec swift package --disable-sandbox benchmark thresholds check --target SwitchyardBenchmarks --no-progress
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
swift package --disable-sandbox --allow-writing-to-package-directory benchmark thresholds update --target SwitchyardBenchmarks --no-progress --path "$scratch"
rm -f Thresholds/*.json
# The tool writes names with '_' for ' ' but reads them back verbatim: keep the benchmarks' own names.
python3 - "$scratch" <<'PY'
import json, pathlib, sys
for written in pathlib.Path(sys.argv[1]).glob("*.p90.json"):
    counts = {"mallocCountTotal": json.loads(written.read_text())["mallocCountTotal"]}
    (pathlib.Path("Thresholds") / written.name.replace("_", " ")).write_text(json.dumps(counts, indent=2) + "\n")
PY
ls Thresholds
