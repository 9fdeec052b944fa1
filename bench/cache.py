"""Response-cache benchmark: hit vs miss latency through the real gateway, memory per 10k entries.

Two paced mocks (50 ms and 0 ms to the answer), one `switchyard serve` with two cached aliases. A miss
is measured with `Cache-Control: no-cache` (the lookup skipped, the answer fetched and stored); a hit
is the same request again. Memory: RSS after filling 10,000 distinct entries, minus RSS before.
"""

import http.client
import json
import os
import pathlib
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = ROOT / ".build" / "release"
KEY = "sk-sy-bench-cache"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mock(latency_ms: int) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen([str(BIN / "switchyard-fake-upstream"), "--paced", "--latency-ms", str(latency_ms)], stdout=subprocess.PIPE, text=True)
    return process, int(process.stdout.readline().split()[-1])


def rss_kib(pid: int) -> int:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    slow, slow_port = mock(50)
    fast, fast_port = mock(0)
    work = pathlib.Path(tempfile.mkdtemp())
    port = free_port()
    (work / "switchyard.yaml").write_text(f"""
server: {{ host: 127.0.0.1, port: {port}, master_key: {KEY}, ui: false }}
storage: {{ url: "sqlite://{work}/bench.db" }}
providers:
  slow: {{ type: openai-compatible, base_url: "http://127.0.0.1:{slow_port}/v1" }}
  fast: {{ type: openai-compatible, base_url: "http://127.0.0.1:{fast_port}/v1" }}
models:
  - {{ name: cached, targets: [ {{ provider: slow, model: m }} ], price: {{ input: 0.15, output: 0.6 }}, cache: {{ ttl_seconds: 3600 }} }}
  - {{ name: filled, targets: [ {{ provider: fast, model: m }} ], price: {{ input: 0.15, output: 0.6 }}, cache: {{ ttl_seconds: 3600 }} }}
""")
    gateway = subprocess.Popen([str(BIN / "switchyard"), "serve", "--config", str(work / "switchyard.yaml")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, cwd=work)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        connection = http.client.HTTPConnection("127.0.0.1", port)

        def ask(model: str, content: str, headers: dict | None = None) -> tuple[float, str]:
            body = json.dumps({"model": model, "temperature": 0, "messages": [{"role": "user", "content": content}]})
            start = time.perf_counter()
            connection.request("POST", "/v1/chat/completions", body,
                               {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json", **(headers or {})})
            response = connection.getresponse()
            response.read()
            assert response.status == 200, response.status
            return (time.perf_counter() - start) * 1000, response.getheader("x-switchyard-cache") or ""

        for _ in range(50):
            ask("cached", "warm up", {"Cache-Control": "no-cache"})
        misses = [ask("cached", "What is the capital of France?", {"Cache-Control": "no-cache"}) for _ in range(200)]
        hits = [ask("cached", "What is the capital of France?") for _ in range(2000)]
        assert all(kind == "bypass" for _, kind in misses) and all(kind == "hit" for _, kind in hits)
        miss_ms = [ms for ms, _ in misses]
        hit_ms = [ms for ms, _ in hits]
        before = rss_kib(gateway.pid)
        for index in range(10_000):
            ask("filled", f"Question number {index}: what is {index} times {index}?")
        time.sleep(0.5)
        after = rss_kib(gateway.pid)
        lines = [
            "",
            f"### Response cache — {time.strftime('%Y-%m-%d', time.gmtime())} {subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True, cwd=ROOT).stdout.strip()} ({os.cpu_count()} cores, release build, one client, keep-alive)",
            "",
            "| | p50 | p99 | requests |",
            "|---|---|---|---|",
            f"| miss (upstream answers after 50 ms; looked up, fetched, stored) | {statistics.median(miss_ms):.2f} ms | {percentile(miss_ms, 0.99):.2f} ms | {len(miss_ms)} |",
            f"| hit (served from the in-memory cache) | {statistics.median(hit_ms):.3f} ms | {percentile(hit_ms, 0.99):.3f} ms | {len(hit_ms)} |",
            "",
            f"Memory: RSS {before / 1024:.1f} MiB before and {after / 1024:.1f} MiB after storing 10,000 distinct answers (the fixture "
            f"`chat_response.json`): {(after - before) / 1024:.1f} MiB per 10,000 entries.",
        ]
        print("\n".join(lines))
        if "--no-docs" not in sys.argv:
            with (ROOT / "docs" / "benchmarks.md").open("a") as docs:
                docs.write("\n".join(lines) + "\n")
    finally:
        gateway.terminate()
        gateway.wait(timeout=30)
        slow.terminate()
        fast.terminate()


if __name__ == "__main__":
    main()
