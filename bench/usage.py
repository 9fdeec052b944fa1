#!/usr/bin/env python3
"""Usage at scale (issue #14): seeds a throwaway PostgreSQL with 10 million ledger rows (90 days,
1,000 keys, 20 models, 5 providers) and their hourly rollups, then times what operators ask — the
real gateway's /admin/usage by day, model and key over the whole range and over 30 days with
partial-hour edges, and a key's budget spend (the store's `spend`, as the Redis seeding and budget
checks run it) — against the 100 ms target. Appends to docs/benchmarks.md.
Usage: bench/usage.sh [--rows 10000000]
"""

import argparse
import datetime
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "Tests" / "e2e"))

from servers import PostgresServer  # noqa: E402
from run import MASTER_KEY, ROOT, Process, free_port, publish, wait_http  # noqa: E402

DAYS = 90
CHUNK = 1_000_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--keep", action="store_true", help="leave the seeded PostgreSQL running (to investigate), print its URL")
    args = parser.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="switchyard-usage-bench-"))
    postgres = PostgresServer(work)
    gateway = None
    try:
        url = postgres.create_database("usage")
        port = free_port()
        config = work / "switchyard.yaml"
        config.write_text(f'server: {{ port: {port}, master_key: {MASTER_KEY} }}\nstorage: {{ url: "{url}", ledger_journal: "" }}\n')
        binary = ROOT / ".build" / "release" / "switchyard"
        subprocess.run([str(binary), "keys", "list", "--config", str(config)], check=True, capture_output=True)  # migrates

        now = int(time.time()) // 3600 * 3600
        start = now - DAYS * 86_400
        seeded = time.monotonic()
        for offset in range(0, args.rows, CHUNK):
            count = min(CHUNK, args.rows - offset)
            postgres.psql(f"""
                INSERT INTO ledger (request_id, key_id, model, provider, upstream_model, route, prompt_tokens, completion_tokens,
                    cached_tokens, reasoning_tokens, estimated, cost_nanos, status, latency_ms, ttft_ms, attempts, stream, created_at)
                SELECT 'seed_' || g, 'key_' || (g % 1000), 'model_' || (g % 20), 'provider_' || (g % 5), 'upstream', NULL,
                    100 + g % 50, 20 + g % 30, 0, 0, false, 1000 + g % 500, 200, 100.0, NULL, 1, false,
                    {start} + (g::bigint * {DAYS * 86_400} / {args.rows})
                FROM generate_series({offset + 1}, {offset + count}) AS g""", "usage")
        build_rollups(postgres, "usage")
        seed_seconds = time.monotonic() - seeded
        rollup_rows = (int(postgres.psql("SELECT COUNT(*) FROM usage_hourly", "usage")),
                       int(postgres.psql("SELECT COUNT(*) FROM usage_daily", "usage")))

        gateway = Process([str(binary), "serve", "--config", str(config), "--log-level", "warning"], work / "switchyard.log")
        wait_http(f"http://127.0.0.1:{port}/healthz")
        edge = 1234  # seconds into an hour: the range has partial hours at both ends
        queries = {}
        for group in ("day", "model", "key"):
            queries[f"by {group}, all {DAYS} days"] = f"/admin/usage?group_by={group}"
            queries[f"by {group}, 30 days, partial-hour edges"] = f"/admin/usage?group_by={group}&from={now - 30 * 86_400 + edge}&to={now - edge}"
        timings = {label: time_get(port, path) for label, path in queries.items()}
        check = fetch(port, f"/admin/usage?group_by=key")
        total = sum(row["requests"] for row in check["data"])
        assert total == args.rows, total
        spend = time_spend(postgres, now)
    finally:
        if gateway:
            gateway.stop()
        if args.keep:
            print(f"kept: {postgres.url('usage')} (data in {postgres.dir})", flush=True)
        else:
            postgres.remove()
    report(args.rows, seed_seconds, rollup_rows, timings, spend)


def build_rollups(postgres: PostgresServer, database: str) -> None:
    """The rollups the store keeps as it writes, built in one pass for seeded rows — in time order, as they are laid
    down when written hour after hour — then the planner's statistics."""
    postgres.psql("""
        INSERT INTO usage_hourly (hour, key_id, model, provider, requests, prompt_tokens, completion_tokens, cost_nanos)
        SELECT created_at - created_at % 3600, COALESCE(key_id, ''), model, provider, COUNT(*), SUM(prompt_tokens),
            SUM(completion_tokens), SUM(cost_nanos) FROM ledger GROUP BY 1, 2, 3, 4 ORDER BY 1""", database)
    postgres.psql("""
        INSERT INTO usage_daily (day, key_id, model, provider, requests, prompt_tokens, completion_tokens, cost_nanos)
        SELECT hour - hour % 86400, key_id, model, provider, SUM(requests), SUM(prompt_tokens), SUM(completion_tokens),
            SUM(cost_nanos) FROM usage_hourly GROUP BY 1, 2, 3, 4 ORDER BY 1""", database)
    postgres.psql("""
        INSERT INTO usage_hourly_all (hour, model, provider, requests, prompt_tokens, completion_tokens, cost_nanos)
        SELECT hour, model, provider, SUM(requests), SUM(prompt_tokens), SUM(completion_tokens), SUM(cost_nanos)
        FROM usage_hourly GROUP BY 1, 2, 3 ORDER BY 1""", database)
    postgres.psql("""
        INSERT INTO usage_daily_all (day, model, provider, requests, prompt_tokens, completion_tokens, cost_nanos)
        SELECT day, model, provider, SUM(requests), SUM(prompt_tokens), SUM(completion_tokens), SUM(cost_nanos)
        FROM usage_daily GROUP BY 1, 2, 3 ORDER BY 1""", database)
    postgres.psql("""
        INSERT INTO routing_daily (day, router, label, model, requests, prompt_tokens, completion_tokens, cost_nanos)
        SELECT created_at - created_at % 86400, split_part(route, ' ', 1), split_part(route, ' ', 2), model, COUNT(*),
            SUM(prompt_tokens), SUM(completion_tokens), SUM(cost_nanos) FROM ledger
        WHERE route IS NOT NULL AND route NOT LIKE 'attempts=%' GROUP BY 1, 2, 3, 4""", database)
    postgres.psql("ANALYZE", database)


def fetch(port: int, path: str) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {MASTER_KEY}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def time_get(port: int, path: str, runs: int = 7) -> dict:
    fetch(port, path)  # warm
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fetch(port, path)
        samples.append((time.perf_counter() - began) * 1000)
    return {"median": statistics.median(samples), "max": max(samples)}


def time_spend(postgres: PostgresServer, now: int, runs: int = 7) -> dict:
    """The store's spend query for one key since a period start 20 days ago (server-side time)."""
    since = now - now % 86_400 - 20 * 86_400
    sql = (f"EXPLAIN (ANALYZE, FORMAT JSON) SELECT (COALESCE((SELECT SUM(cost_nanos) FROM usage_daily WHERE key_id = 'key_7' "
           f"AND day >= {since}), 0) + COALESCE((SELECT SUM(cost_nanos) FROM usage_hourly WHERE key_id = 'key_7' AND false), 0) "
           f"+ COALESCE((SELECT SUM(cost_nanos) FROM ledger WHERE key_id = 'key_7' AND false), 0))::BIGINT")
    samples = [json.loads(postgres.psql(sql, "usage"))[0]["Execution Time"] for _ in range(runs)]
    return {"median": statistics.median(samples), "max": max(samples)}


def report(rows: int, seed_seconds: float, rollup_rows: tuple[int, int], timings: dict, spend: dict) -> None:
    lines = [
        "",
        f"## Usage queries over {rows:,} ledger rows ({datetime.date.today().isoformat()}, bench/usage.sh)",
        "",
        f"PostgreSQL 15 on this 2-core box, {DAYS} days of rows for 1,000 keys × 20 models × 5 providers, seeded in",
        f"{seed_seconds:.0f} s; the rollups hold {rollup_rows[0]:,} hourly and {rollup_rows[1]:,} daily rows (every key uses",
        "every hour here: the worst case for rollups). Each query through the real gateway (`GET /admin/usage`, HTTP round trip",
        "included), 7 runs after a warm-up; the target is < 100 ms.",
        "",
        "| query | median (ms) | max (ms) |",
        "|---|---|---|",
    ]
    for label, timing in timings.items():
        lines.append(f"| {label} | {timing['median']:.1f} | {timing['max']:.1f} |")
    lines.append(f"| one key's budget spend since a period start (server time) | {spend['median']:.2f} | {spend['max']:.2f} |")
    lines.append("")
    publish("\n".join(lines))


if __name__ == "__main__":
    main()
