#!/usr/bin/env python3
"""Fleet benchmark (issue #14): one replica on SQLite vs one on PostgreSQL + Redis vs two replicas
behind nginx on the same box, every request on the full accounting path (a virtual key with
credits and an RPM limit, so admission and settling go through the accountant and the ledger).
Reports throughput at c=64, the latency each setup adds at c=1 over calling the mock directly,
and Redis round trips per request (from Redis's own command counters). Appends to
docs/benchmarks.md. Usage: bench/fleet.sh [--duration 10]
"""

import argparse
import datetime
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "Tests" / "e2e"))

from servers import PostgresServer, RedisServer  # noqa: E402  (the e2e suite's throwaway servers)
from run import MASTER_KEY, ROOT, Process, free_port, publish, start_nginx, wait_http, wrk, wrk_script  # noqa: E402


def start_replica(work: pathlib.Path, name: str, upstream: int, storage: str) -> tuple[Process, int]:
    port = free_port()
    config = work / f"{name}.yaml"
    config.write_text(f"""
server: {{ port: {port}, master_key: {MASTER_KEY} }}
storage: {{ {storage}, ledger_journal: "{work}/{name}.journal" }}
providers:
  mock: {{ type: openai-compatible, base_url: "http://127.0.0.1:{upstream}/v1" }}
models:
  - name: mini
    targets: [ {{ provider: mock, model: gpt-4o-mini }} ]
    price: {{ input: 0.15, output: 0.60 }}
""")
    process = Process([str(ROOT / ".build" / "release" / "switchyard"), "serve", "--config", str(config), "--log-level", "warning"],
                      work / f"{name}.log")
    wait_http(f"http://127.0.0.1:{port}/healthz")
    return process, port


def limited_key(port: int) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/admin/keys", method="POST",
        data=json.dumps({"name": "bench", "credits": "1000000.00", "rpm": 100000000}).encode(),
        headers={"Authorization": f"Bearer {MASTER_KEY}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())["key"]


def start_balancer(work: pathlib.Path, ports: list[int]) -> tuple[Process, int]:
    port = free_port()
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in ports)
    (work / "lb.conf").write_text(f"""
worker_processes 1;
daemon off;
pid {work}/lb.pid;
error_log {work}/lb-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    upstream fleet {{
{servers}
        keepalive 128;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://fleet;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }}
    }}
}}
""")
    process = Process([shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(work), "-c", str(work / "lb.conf")], work / "lb.log")
    wait_http(f"http://127.0.0.1:{port}/healthz")
    return process, port


def redis_counters(redis: RedisServer) -> dict:
    output = subprocess.run(["redis-cli", "-p", str(redis.port), "INFO", "commandstats"], capture_output=True, text=True).stdout
    counters = {}
    for line in output.splitlines():
        if line.startswith("cmdstat_"):
            name, fields = line.split(":", 1)
            counters[name.removeprefix("cmdstat_")] = int(fields.split("calls=")[1].split(",")[0])
    return counters


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="switchyard-fleet-bench-"))
    mock, mock_port = start_nginx(work)
    redis = RedisServer(work)
    postgres = PostgresServer(work)
    processes = [mock]
    results = {}
    try:
        direct = wrk(f"http://127.0.0.1:{mock_port}/v1/chat/completions", 1, args.duration, wrk_script(work, "direct"))
        database = postgres.create_database("bench")
        setups = {
            "1 replica, SQLite": [("sqlite", f'url: "sqlite://{work}/bench.db"')],
            "1 replica, PostgreSQL + Redis": [("pg1", f'url: "{database}", redis: "{redis.url}"')],
            "2 replicas + nginx, PostgreSQL + Redis": [("pg2a", f'url: "{database}", redis: "{redis.url}"'),
                                                        ("pg2b", f'url: "{database}", redis: "{redis.url}"')],
        }
        for label, replicas in setups.items():
            started = [start_replica(work, name, mock_port, storage) for name, storage in replicas]
            processes += [process for process, _ in started]
            port = started[0][1]
            if len(started) > 1:
                balancer, port = start_balancer(work, [p for _, p in started])
                processes.append(balancer)
            key = limited_key(started[0][1])
            script = wrk_script(work, f"key-{len(results)}", key=key)
            url = f"http://127.0.0.1:{port}/v1/chat/completions"
            wrk(url, 8, 2, script)  # warm-up: connections, seeding, JIT-free but caches
            before = redis_counters(redis)
            c1 = wrk(url, 1, args.duration, script)
            c64 = wrk(url, 64, args.duration, script, threads=2)
            after = redis_counters(redis)
            served = c1["requests"] + c64["requests"]
            scripts = sum(after.get(name, 0) - before.get(name, 0) for name in ("evalsha", "eval"))
            total = sum(after.values()) - sum(before.values())
            results[label] = {"c1": c1, "c64": c64, "scripts_per_request": scripts / served, "commands_per_request": total / served}
            for process, _ in started:
                process.stop()
            if len(started) > 1:
                balancer.stop()
    finally:
        for process in processes:
            process.stop()
        redis.kill()
        postgres.remove()
    report(direct, results, args.duration)


def report(direct: dict, results: dict, duration: int) -> None:
    base = results["1 replica, SQLite"]["c64"]["rps"]
    lines = [
        "",
        f"## Fleet: SQLite vs PostgreSQL + Redis vs two replicas ({datetime.date.today().isoformat()}, bench/fleet.sh, {duration} s per cell)",
        "",
        "Every request on the full accounting path: a virtual key with credits and an RPM limit (admission, settling and the",
        "ledger), against nginx answering a fixed chat completion, all on one 2-core box (the replicas, PostgreSQL, Redis, nginx",
        f"and wrk share it). Calling the mock directly: p50 {direct['p50']:.3f} ms at c=1.",
        "",
        "| setup | req/s at c=64 | vs SQLite | p50 at c=64 (ms) | added p50 at c=1 (ms) | Redis round trips / request | Redis commands / request (inside the scripts) |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, result in results.items():
        lines.append(
            f"| {label} | {result['c64']['rps']:.0f} | {result['c64']['rps'] / base:.2f}× | {result['c64']['p50']:.2f} | "
            f"{result['c1']['p50'] - direct['p50']:.3f} | {result['scripts_per_request']:.2f} | {result['commands_per_request']:.2f} |")
    errors = {label: result["c64"]["errors"] + result["c1"]["errors"] for label, result in results.items()}
    lines += ["", f"Non-2xx responses: {errors}.", ""]
    publish("\n".join(lines))


if __name__ == "__main__":
    main()
