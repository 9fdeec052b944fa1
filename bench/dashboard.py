#!/usr/bin/env python3
"""Dashboard pages at scale (issue #15): seeds a throwaway PostgreSQL with 1 million keys and 10
million ledger rows (90 days; a third of them routed, 1 % failed) with the rollups the store keeps,
starts the real gateway on it, signs in as an operator and times every page through HTTP — the
overview, key list, search and a deep page, usage by each grouping, logs with each filter, a
request's page, routing and models — against a 100 ms target. Also reports the gateway's memory
and CPU with a million keys. Appends to docs/benchmarks.md.
Usage: bench/dashboard.sh [--keys 1000000] [--rows 10000000]
"""

import argparse
import datetime
import http.cookiejar
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "Tests" / "e2e"))

from servers import PostgresServer  # noqa: E402
from run import MASTER_KEY, ROOT, Process, cpu_seconds, free_port, publish, rss_kb, wait_http  # noqa: E402
from usage import build_rollups  # noqa: E402

DAYS = 90
CHUNK = 1_000_000


def seed(postgres: PostgresServer, keys: int, rows: int, now: int) -> float:
    start = now - DAYS * 86_400
    began = time.monotonic()
    postgres.psql(f"""
        INSERT INTO virtual_keys (id, name, owner, key_hash, key_prefix, created_at, models, credits_nanos, metadata)
        SELECT 'key_' || g, 'team ' || g, NULL, md5('a' || g) || md5('b' || g), 'sk-sy-' || substr(md5(g::text), 1, 4) || '…',
            {start} + g::bigint * {DAYS * 86_400} / {keys}, '[]', 10000000000, '{{}}'
        FROM generate_series(1, {keys}) AS g""", "ui")
    for offset in range(0, rows, CHUNK):
        count = min(CHUNK, rows - offset)
        postgres.psql(f"""
            INSERT INTO ledger (request_id, key_id, model, provider, upstream_model, route, prompt_tokens, completion_tokens,
                cached_tokens, reasoning_tokens, estimated, cost_nanos, status, latency_ms, ttft_ms, attempts, stream, created_at)
            SELECT 'seed_' || g, 'key_' || (g % 1000 + 1), CASE WHEN g % 3 = 0 THEN (CASE WHEN g % 12 = 0 THEN 'strong' ELSE 'mini' END)
                    ELSE 'model_' || (g % 20) END,
                'provider_' || (g % 5), 'upstream',
                CASE WHEN g % 3 = 0 THEN (CASE WHEN g % 12 = 0 THEN 'auto strong p=0.80 t=0.50' ELSE 'auto weak p=0.20 t=0.50' END) END,
                100 + g % 50, 20 + g % 30, 0, 0, false, 1000 + g % 500, CASE WHEN g % 100 = 0 THEN 502 ELSE 200 END,
                50.0 + g % 200, NULL, 1, false, {start} + (g::bigint * {DAYS * 86_400} / {rows})
            FROM generate_series({offset + 1}, {offset + count}) AS g""", "ui")
    build_rollups(postgres, "ui")
    return time.monotonic() - began


class Browser:
    """An HTTP client with the dashboard's session cookie."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def sign_in(self) -> None:
        body = urllib.parse.urlencode({"api_key": MASTER_KEY}).encode()
        with self.opener.open(self.base + "/ui/login", data=body, timeout=60) as response:
            assert response.url.endswith("/ui"), response.url

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=120) as response:
            assert response.status == 200, (path, response.status)
            return response.read().decode()

    def time(self, path: str, runs: int = 7) -> dict:
        self.get(path)  # warm
        samples = []
        for _ in range(runs):
            began = time.perf_counter()
            self.get(path)
            samples.append((time.perf_counter() - began) * 1000)
        return {"median": statistics.median(samples), "max": max(samples)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="switchyard-dashboard-bench-"))
    postgres = PostgresServer(work)
    gateway = None
    try:
        url = postgres.create_database("ui")
        port = free_port()
        config = work / "switchyard.yaml"
        config.write_text(f"""
server: {{ port: {port}, master_key: {MASTER_KEY} }}
storage: {{ url: "{url}", ledger_journal: "" }}
providers:
  fake: {{ type: openai-compatible, base_url: "http://127.0.0.1:9/v1" }}
models:
  - {{ name: mini, targets: [ {{ provider: fake, model: gpt-4o-mini }} ], price: {{ input: 0.15, output: 0.60 }} }}
  - {{ name: strong, targets: [ {{ provider: fake, model: gpt-4o }} ], price: {{ input: 2.50, output: 10 }} }}
routers:
  - {{ name: auto, kind: learned, weak: mini, strong: strong, strong_share: 0.25 }}
""")
        binary = ROOT / ".build" / "release" / "switchyard"
        subprocess.run([str(binary), "keys", "list", "--config", str(config)], check=True, capture_output=True)  # migrates
        now = int(time.time())
        seed_seconds = seed(postgres, args.keys, args.rows, now)

        started = time.monotonic()
        gateway = Process([str(binary), "serve", "--config", str(config), "--log-level", "warning"], work / "switchyard.log")
        wait_http(f"http://127.0.0.1:{port}/healthz", timeout=600)
        start_seconds = time.monotonic() - started
        idle_cpu = cpu_seconds(gateway.pid)
        time.sleep(20)
        idle_cpu = (cpu_seconds(gateway.pid) - idle_cpu) / 20
        rss = rss_kb(gateway.pid)

        browser = Browser(port)
        browser.sign_in()
        first_keys = browser.get("/ui/keys")
        deep = re.search(r'href="(/ui/keys\?after=[^"]+)"', first_keys)
        assert deep, "the key list has a next page"
        # A cursor 900,000 keys in: keyset paging costs the same anywhere.
        deep_cursor = f"/ui/keys?after={now - DAYS * 86_400 + 100_000 * DAYS * 86_400 // args.keys}.key_100000"
        pages = {
            "overview (24 h, 7 d, 30-day charts)": "/ui",
            "keys, first page": "/ui/keys",
            "keys, next page (cursor)": deep.group(1).replace("&amp;", "&"),
            "keys, a page 900,000 keys in": deep_cursor,
            "keys, search by name": "/ui/keys?q=team+777777",
            "usage by day, 30 days": "/ui/usage?days=30&group=day",
            "usage by model, 90 days": "/ui/usage?days=90&group=model",
            "usage by provider, 30 days": "/ui/usage?days=30&group=provider",
            "usage by key, 30 days (top 1,000)": "/ui/usage?days=30&group=key",
            "usage CSV by model, 90 days": "/ui/usage.csv?days=90&group=model",
            "logs, first page": "/ui/logs",
            "logs, one key": "/ui/logs?key=key_7",
            "logs, one model": "/ui/logs?model=strong",
            "logs, errors": "/ui/logs?status=error",
            "a request's page": "/ui/logs/seed_4242",
            "key page (facts, 7 d, recent)": "/ui/keys/key_7",
            "routing (30 days)": "/ui/routing",
            "models": "/ui/models",
        }
        timings = {label: browser.time(path) for label, path in pages.items()}
    finally:
        if gateway:
            gateway.stop()
        postgres.remove()
    report(args, seed_seconds, start_seconds, idle_cpu, rss, timings)


def report(args, seed_seconds: float, start_seconds: float, idle_cpu: float, rss: tuple[int, int], timings: dict) -> None:
    lines = [
        "",
        f"## Dashboard pages over {args.keys:,} keys and {args.rows:,} ledger rows ({datetime.date.today().isoformat()}, bench/dashboard.sh)",
        "",
        f"PostgreSQL 15 on this 2-core box, {DAYS} days of rows (a third routed by a learned router, 1 % failed), seeded in",
        f"{seed_seconds:.0f} s. The release gateway started in {start_seconds:.1f} s, then used {idle_cpu * 100:.1f} % of a core",
        f"idle and {rss[0] / 1024:.0f} MB of memory with every key cached. Each page is fetched with an operator's session",
        "cookie over HTTP (rendering included), 7 runs after a warm-up; the target is < 100 ms.",
        "",
        "| page | median (ms) | max (ms) |",
        "|---|---|---|",
    ]
    for label, timing in timings.items():
        lines.append(f"| {label} | {timing['median']:.1f} | {timing['max']:.1f} |")
    lines.append("")
    publish("\n".join(lines))


if __name__ == "__main__":
    main()
