#!/usr/bin/env bash
# Learned-router decision latency (tokenize + embed + score) on a release build: 2k-token prompts
# and MMLU prompts, p50/p99 and peak RSS, appended to docs/routing.md. Loopback-free, ~1 min after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${SWITCHYARD_ROUTING_DATA:-../shared/data/routing/mmlu}"
swift build -c release --product switchyard >/dev/null
BIN=.build/release/switchyard
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - "$DATA" "$WORK" <<'PY'
import csv, glob, json, sys, random
data, work = sys.argv[1], sys.argv[2]
prompts = []
for path in sorted(glob.glob(f"{data}/mmlu_*.csv")):
    with open(path, newline="") as handle:
        prompts += [row["prompt"] for row in csv.DictReader(handle)]
random.Random(7).shuffle(prompts)
with open(f"{work}/mmlu.jsonl", "w") as out:
    for prompt in prompts[:3000]:
        out.write(json.dumps({"prompt": prompt}) + "\n")
# ~2k-token prompts: MMLU questions concatenated until about 8,000 characters (≈ 2,000 WordPiece tokens).
with open(f"{work}/long.jsonl", "w") as out:
    for index in range(1000):
        text, cursor = "", index
        while len(text) < 8000:
            text += prompts[cursor % len(prompts)] + "\n"
            cursor += 17
        out.write(json.dumps({"prompt": text[:8000]}) + "\n")
PY

# Five runs each: on a shared 2-core machine one run's p99 moves with the neighbours' load.
size=$(stat -c %s Sources/SwitchyardRouting/Resources/router-mmlu.syr)
{
  echo
  echo "### Decision latency — $(date -u +%F) $(git rev-parse --short HEAD) ($(nproc) cores, release build)"
  echo
  echo "| prompts | run | result |"
  echo "|---|---|---|"
  for run in 1 2 3 4 5; do
    echo "| 3,000 MMLU prompts | $run | $("$BIN" router score --timing < "$WORK/mmlu.jsonl" 2>&1 >/dev/null | tail -1) |"
  done
  for run in 1 2 3 4 5; do
    echo "| 1,000 prompts of ≈2,000 tokens (8,000 characters) | $run | $("$BIN" router score --timing < "$WORK/long.jsonl" 2>&1 >/dev/null | tail -1) |"
  done
  echo
  echo "Weights file: $size bytes."
} | tee -a docs/routing.md
