#!/usr/bin/env python3
"""Switchyard benchmark: mock upstreams, wrk load, direct vs nginx proxy vs Switchyard vs LiteLLM in one run.

Mocks: nginx (a fixed chat.completion, zero delay) and `switchyard-fake-upstream --paced` (a 20 ms
mock, and a streaming mock pacing N SSE deltas). Scenarios (issue #7): added latency at c=1;
throughput at c=16/64; in-flight capacity against the 20 ms mock; streaming TTFT and per-token
latency at c=1 and 512 concurrent streams; a 100k-token prompt; the full feature path (virtual
key + credits + ledger + learned routing) against bare proxying; RSS and CPU per 10k requests.
The floors: nginx as a reverse proxy in front of the same mocks (one worker, keep-alive upstream),
and Hummingbird answering a fixed body (when Benchmarks/.build has it); issue #19's targets are
checked against the nginx proxy in a table at the end. Loopback only, bounded in time. Appends a
dated section to docs/benchmarks.md.
Usage: bench/run.sh [--duration 10] [--no-litellm]
"""

import argparse
import datetime
import json
import os
import pathlib
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
FIXTURE = ROOT / "Tests" / "Fixtures" / "providers" / "openai" / "chat_response.json"
MASTER_KEY = "sk-sy-bench-master"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 60, headers: dict | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(request, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def rss_kb(pid: int) -> tuple[int, int]:
    """(current RSS, peak RSS) in KiB of a process and its children."""
    status = pathlib.Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
    return rss, hwm


def cpu_seconds(pid: int) -> float:
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def wrk(url: str, connections: int, duration: int, script: pathlib.Path, threads: int = 1) -> dict:
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency", "-s", str(script), url],
        capture_output=True, text=True, check=True,
    ).stdout

    def millis(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": millis("50"), "p99": millis("99"), "requests": requests,
        "errors": (int(non2xx.group(1)) if non2xx else 0), "socket_errors": errors.group(1) if errors else "",
    }


class Process:
    def __init__(self, args, log: pathlib.Path, env=None, cwd=None):
        self.log = open(log, "w")
        self.popen = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stop(self):
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
        self.log.close()


def start_nginx(work: pathlib.Path) -> tuple[Process, int]:
    port = free_port()
    body = json.dumps(json.loads(FIXTURE.read_text()), separators=(",", ":")).replace("'", "\\'")
    config = (BENCH / "nginx.conf.template").read_text().format(dir=work, port=port, body=body)
    (work / "nginx.conf").write_text(config)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    process = Process([nginx, "-p", str(work), "-c", str(work / "nginx.conf")], work / "nginx.log")
    wait_http(f"http://127.0.0.1:{port}/")
    return process, port


def start_nginx_proxy(work: pathlib.Path, mocks: dict[str, int]) -> tuple[Process, dict[str, int]]:
    """nginx as a reverse proxy (one worker, keep-alive upstream): one listening port per mock."""
    ports = {name: free_port() for name in mocks}
    servers = "".join(f"""
    upstream {name.replace('-', '_')} {{{{ server 127.0.0.1:{mocks[name]}; keepalive 1024; }}}}
    server {{{{
        listen 127.0.0.1:{port} reuseport backlog=4096;
        location / {{{{ proxy_pass http://{name.replace('-', '_')}; }}}}
    }}}}""" for name, port in ports.items())
    template = (BENCH / "nginx-proxy.conf.template").read_text().replace("{servers}", servers)
    (work / "nginx-proxy.conf").write_text(template.format(dir=work))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    process = Process([nginx, "-p", str(work), "-c", str(work / "nginx-proxy.conf")], work / "nginx-proxy.log")
    wait_http(f"http://127.0.0.1:{ports['mini']}/")
    return process, ports


def start_floor(work: pathlib.Path) -> tuple[Process, int] | None:
    """Hummingbird answering a fixed body (Benchmarks/HummingbirdFloor): the server framework's own floor."""
    binary = ROOT / "Benchmarks" / ".build" / "release" / "hummingbird-floor"
    if not binary.exists():
        return None
    port = free_port()
    process = Process([str(binary), str(port)], work / "hummingbird-floor.log")
    wait_http(f"http://127.0.0.1:{port}/v1/chat/completions")  # a GET answers 404 once it listens
    return process, port


def start_paced(work: pathlib.Path, name: str, *arguments: str) -> tuple[Process, int]:
    """`switchyard-fake-upstream --paced`: the 20 ms mock or the streaming mock."""
    port = free_port()
    binary = ROOT / ".build" / "release" / "switchyard-fake-upstream"
    process = Process([str(binary), "--paced", "--port", str(port), *arguments], work / f"{name}.log")
    wait_http(f"http://127.0.0.1:{port}/")
    return process, port


def start_switchyard(work: pathlib.Path, upstream: int, slow: int, streaming: int, many: int) -> tuple[Process, int]:
    port = free_port()
    (work / "switchyard.yaml").write_text(f"""
server: {{ port: {port}, master_key: {MASTER_KEY}, max_body_bytes: 16777216 }}
storage: {{ url: "sqlite://{work}/switchyard.db" }}
providers:
  mock: {{ type: openai-compatible, base_url: "http://127.0.0.1:{upstream}/v1" }}
  slow: {{ type: openai-compatible, base_url: "http://127.0.0.1:{slow}/v1" }}
  streaming: {{ type: openai-compatible, base_url: "http://127.0.0.1:{streaming}/v1" }}
  many: {{ type: openai-compatible, base_url: "http://127.0.0.1:{many}/v1" }}
models:
  - name: mini
    targets: [ {{ provider: mock, model: gpt-4o-mini }} ]
    price: {{ input: 0.15, output: 0.60 }}
  - name: preview
    targets: [ {{ provider: mock, model: o1-preview }} ]
    price: {{ input: 15.0, output: 60.0 }}
  - name: slow
    targets: [ {{ provider: slow, model: gpt-4o-mini }} ]
  - name: stream
    targets: [ {{ provider: streaming, model: gpt-4o-mini }} ]
  - name: stream-many
    targets: [ {{ provider: many, model: gpt-4o-mini }} ]
routers:
  - {{ name: auto, kind: learned, weak: mini, strong: preview, strong_share: 0.3 }}
""")
    binary = ROOT / ".build" / "release" / "switchyard"
    process = Process([str(binary), "serve", "--config", str(work / "switchyard.yaml"), "--log-level", "warning"], work / "switchyard.log")
    wait_http(f"http://127.0.0.1:{port}/healthz")
    return process, port


def virtual_key(gateway_port: int) -> str:
    """A virtual key with credits: requests with it take the full path (key auth, reservation, ledger)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{gateway_port}/admin/keys", method="POST",
        data=json.dumps({"name": "bench", "credits": "1000000.00"}).encode(),
        headers={"Authorization": f"Bearer {MASTER_KEY}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())["key"]


def wrk_script(work: pathlib.Path, name: str, model: str = "mini", key: str = MASTER_KEY, stream: bool = False,
               prompt_words: int = 0) -> pathlib.Path:
    """A wrk script POSTing one chat request (`prompt_words` > 0: a long prompt of that many words)."""
    content = " ".join(["hello"] * prompt_words) if prompt_words else "Hello!"
    body = {"model": model, "messages": [{"role": "user", "content": content}], "max_tokens": 16}
    if stream:
        body["stream"] = True
    script = work / f"{name}.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {key}"\n'
        f"wrk.body = [[{json.dumps(body, separators=(',', ':'))}]]\n")
    return script


def start_litellm(work: pathlib.Path, upstream: int, slow: int, streaming: int, many: int) -> tuple[Process, int] | None:
    litellm = ROOT / ".bench-venv" / "bin" / "litellm"
    if not litellm.exists():
        return None
    port = free_port()
    models = {"mini": upstream, "slow": slow, "stream": streaming, "stream-many": many}
    (work / "litellm.yaml").write_text("model_list:\n" + "".join(f"""
  - model_name: {name}
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: http://127.0.0.1:{port_}/v1
      api_key: sk-mock
""" for name, port_ in models.items()) + f"""
general_settings:
  master_key: {MASTER_KEY}
""")
    env = dict(os.environ, LITELLM_LOCAL_MODEL_COST_MAP="True", LITELLM_LOG="ERROR")
    process = Process([str(litellm), "--config", str(work / "litellm.yaml"), "--host", "127.0.0.1", "--port", str(port),
                       "--num_workers", "1"], work / "litellm.log", env=env)
    wait_http(f"http://127.0.0.1:{port}/health/liveliness", timeout=180)
    return process, port


def stream_timings(port: int, model: str, runs: int) -> dict:
    """Sequential streamed requests on one keep-alive connection: time to the first content delta
    and to the last, from the moment the request was written (ms)."""
    body = json.dumps({"model": model, "stream": True, "messages": [{"role": "user", "content": "Hello!"}]}).encode()
    head = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {MASTER_KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    first, last, deltas = [], [], 0
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(runs + 2):
            start = time.perf_counter()
            sock.sendall(head + body)
            seen, first_at, last_at, received = 0, None, None, b""
            while b"[DONE]" not in received[-64:]:
                chunk = sock.recv(65536)
                if not chunk:
                    raise RuntimeError("stream closed early")
                now = time.perf_counter()
                received += chunk
                count = received.count(b'"content":"tok')
                if count > seen:
                    first_at = first_at or now
                    last_at, seen = now, count
            while not received.endswith(b"0\r\n\r\n"):  # the chunked terminator
                received += sock.recv(65536)
            deltas = seen
            first.append((first_at - start) * 1000)
            last.append((last_at - start) * 1000)
    first, last = first[2:], last[2:]  # two warm-up streams
    return {"ttft_p50": statistics.median(first), "ttft_p99": percentile(first, 99),
            "last_p50": statistics.median(last), "deltas": deltas}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class PeakRSS:
    """Samples a process's RSS every 50 ms (VmHWM would also count start-up transients)."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.running = pid, 0, True
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self):
        while self.running:
            self.peak = max(self.peak, rss_kb(self.pid)[0])
            time.sleep(0.05)

    def stop(self) -> int:
        self.running = False
        self.thread.join()
        return self.peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--no-litellm", action="store_true")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))  # 512 streams × 2 sockets
    work = pathlib.Path(tempfile.mkdtemp(prefix="switchyard-bench-"))
    processes = []
    try:
        nginx, upstream = start_nginx(work)
        processes.append(nginx)
        slow_mock, slow = start_paced(work, "slow-mock", "--latency-ms", "20")
        stream_mock, streaming = start_paced(work, "stream-mock", "--deltas", "20", "--interval-ms", "10")
        many_mock, many = start_paced(work, "many-mock", "--deltas", "20", "--interval-ms", "100")
        processes += [slow_mock, stream_mock, many_mock]
        mocks = {"mini": upstream, "slow": slow, "stream": streaming, "stream-many": many}
        proxy, proxied = start_nginx_proxy(work, mocks)
        processes.append(proxy)
        gateway, gateway_port = start_switchyard(work, upstream, slow, streaming, many)
        processes.append(gateway)
        litellm = None if args.no_litellm else start_litellm(work, upstream, slow, streaming, many)
        if litellm:
            processes.append(litellm[0])
        floor = start_floor(work)
        if floor:
            processes.append(floor[0])
        key = virtual_key(gateway_port)
        ports = {"switchyard": gateway_port, **({"litellm": litellm[1]} if litellm else {})}
        pids = {"switchyard": gateway.pid, **({"litellm": litellm[0].pid} if litellm else {})}
        url = "http://127.0.0.1:{}/v1/chat/completions".format
        duration = args.duration
        scripts = {
            "bare": wrk_script(work, "bare"),
            "full": wrk_script(work, "full", model="auto", key=key),
            "slow": wrk_script(work, "slow", model="slow"),
            "many": wrk_script(work, "many", model="stream-many", stream=True),
            "large": wrk_script(work, "large", prompt_words=100_000),
        }

        def targets(model: str) -> dict[str, str]:
            return {"direct": url(mocks[model]), "nginx proxy": url(proxied[model]),
                    **{name: url(port) for name, port in ports.items()}}

        idle_rss = rss_kb(gateway.pid)[0]
        peak = PeakRSS(gateway.pid)
        for name, target in targets("mini").items():  # warm-up: connection pools, allocator
            wrk(target, 4, 2, script=scripts["bare"])
        wrk(url(gateway_port), 4, 2, script=scripts["full"])

        results: dict[str, dict[str, dict]] = {}
        cpu: dict[str, float] = {}
        for scenario, connections in (("c1", 1), ("c16", 16), ("c64", 64)):
            for name, target in targets("mini").items():
                before = cpu_seconds(pids[name]) if name in pids else 0
                result = wrk(target, connections, duration, script=scripts["bare"])
                if scenario == "c64" and name in pids:
                    cpu[name] = (cpu_seconds(pids[name]) - before) / result["requests"] * 10_000
                results.setdefault(scenario, {})[name] = result
            if scenario != "c16":
                results[scenario]["switchyard full"] = wrk(url(gateway_port), connections, duration, script=scripts["full"])
            if floor:
                before = cpu_seconds(floor[0].pid)
                result = wrk(url(floor[1]), connections, duration, script=scripts["bare"])
                if scenario == "c64":
                    cpu["hummingbird, fixed answer"] = (cpu_seconds(floor[0].pid) - before) / result["requests"] * 10_000
                results[scenario]["hummingbird, fixed answer"] = result
        for name, target in targets("slow").items():
            results.setdefault("in-flight c512, 20 ms mock", {})[name] = wrk(target, 512, duration, script=scripts["slow"])
        for connections in (1, 4):
            for name, target in targets("mini").items():
                results.setdefault(f"100k-token prompt c{connections}", {})[name] = wrk(target, connections, duration, script=scripts["large"])
        streams = {name: stream_timings(port, "stream", 40) for name, port in {"direct": streaming, "nginx proxy": proxied["stream"], **ports}.items()}
        for name, target in targets("stream-many").items():
            results.setdefault("512 streams (20 deltas, 100 ms apart)", {})[name] = wrk(target, 512, max(duration, 10), script=scripts["many"])
        peak_rss = peak.stop()
        report(results, streams, cpu, idle_rss, peak_rss, duration)
    finally:
        for process in reversed(processes):
            process.stop()


def report(results, streams, cpu, idle_rss, peak_rss, duration) -> None:
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    cpu_model = re.search(r"model name\s*:\s*(.*)", pathlib.Path("/proc/cpuinfo").read_text()).group(1)
    lines = [
        f"\n## {datetime.date.today()} — commit {commit}",
        f"Machine: {os.cpu_count()} cores, {cpu_model}; wrk, the mocks and the gateways share it. {duration} s per cell, one thread of wrk.\n",
        "| scenario | target | req/s | p50 ms | p99 ms | errors |", "|---|---|---|---|---|---|",
    ]
    for scenario, by_target in results.items():
        for name, r in by_target.items():
            lines.append(f"| {scenario} | {name} | {r['rps']:.0f} | {r['p50']:.3f} | {r['p99']:.3f} | {r['errors']} {r['socket_errors']} |")
    lines += ["", "| streaming, c=1, 20 deltas 10 ms apart | TTFT p50 ms | TTFT p99 ms | last delta p50 ms |", "|---|---|---|---|"]
    for name, r in streams.items():
        lines.append(f"| {name} | {r['ttft_p50']:.3f} | {r['ttft_p99']:.3f} | {r['last_p50']:.3f} |")
    c1, direct_stream, gateway_stream = results["c1"], streams["direct"], streams["switchyard"]
    added_ttft = gateway_stream["ttft_p50"] - direct_stream["ttft_p50"]
    added_last = gateway_stream["last_p50"] - direct_stream["last_p50"]
    lines.append("")
    for name in ("nginx proxy", "switchyard", "switchyard full"):
        lines.append(f"- Added latency at c=1 ({name} − direct): p50 {c1[name]['p50'] - c1['direct']['p50']:.3f} ms, "
                     f"p99 {c1[name]['p99'] - c1['direct']['p99']:.3f} ms")
    lines.append(f"- Streaming at c=1: added TTFT p50 {added_ttft:.3f} ms (p99 {gateway_stream['ttft_p99'] - direct_stream['ttft_p99']:.3f} ms); "
                 f"added time to the last delta {added_last:.3f} ms, i.e. {(added_last - added_ttft) / max(1, direct_stream['deltas'] - 1) * 1000:.1f} µs per further delta")
    for scenario in ("c16", "c64", "in-flight c512, 20 ms mock", "100k-token prompt c1", "100k-token prompt c4"):
        r = results[scenario]
        line = (f"- {scenario}: Switchyard/nginx proxy throughput {r['switchyard']['rps'] / r['nginx proxy']['rps']:.2f}, "
                f"Switchyard/direct {r['switchyard']['rps'] / r['direct']['rps']:.2f}")
        if "litellm" in r:
            served = r["litellm"]["rps"] >= 1
            line += f", Switchyard/LiteLLM {r['switchyard']['rps'] / r['litellm']['rps']:.1f}×" if served else \
                f", LiteLLM completed no request within wrk's 10 s timeout ({r['litellm']['socket_errors'] or 'no socket errors'})"
        lines.append(line)
    for scenario in ("c1", "c64"):
        r = results[scenario]
        if "hummingbird, fixed answer" in r:
            floor = r["hummingbird, fixed answer"]
            lines.append(f"- {scenario}: Hummingbird answering a fixed body (no upstream, no pipeline) {floor['rps']:.0f} req/s, "
                         f"{floor['rps'] / r['nginx proxy']['rps']:.2f} of the nginx proxy's; p50 {floor['p50']:.3f} ms")
    many = results["512 streams (20 deltas, 100 ms apart)"]
    lines.append(f"- 512 concurrent streams (each 1.9 s of pacing): Switchyard p99 {many['switchyard']['p99']:.0f} ms vs direct "
                 f"{many['direct']['p99']:.0f} ms, errors {many['switchyard']['errors']} {many['switchyard']['socket_errors'] or 'none'}")
    for scenario in ("c1", "c64"):
        r = results[scenario]
        lines.append(f"- {scenario}: full path (virtual key + credits + ledger + learned router `auto`) / bare proxying throughput "
                     f"{r['switchyard full']['rps'] / r['switchyard']['rps']:.2f}, p50 {r['switchyard full']['p50']:.3f} vs {r['switchyard']['p50']:.3f} ms")
    lines.append(f"- Switchyard RSS: idle {idle_rss / 1024:.1f} MB, peak {peak_rss / 1024:.1f} MB (sampled every 50 ms through all scenarios)")
    lines.append("- CPU seconds per 10k requests (c=64): " + ", ".join(f"{k} {v:.2f}" for k, v in cpu.items()))
    lines += ["", *issue_19_table(results, streams, idle_rss, peak_rss)]
    publish("\n".join(lines) + "\n")


def issue_19_table(results, streams, idle_rss, peak_rss) -> list[str]:
    """Issue #19's targets, each measured against the nginx proxy of the same run."""
    c1, c64 = results["c1"], results["c64"]
    many = results["512 streams (20 deltas, 100 ms apart)"]
    added = lambda name, p: c1[name][p] - c1["direct"][p]
    proxy_p50 = added("nginx proxy", "p50")
    ttft = streams["switchyard"]["ttft_p50"] - streams["direct"]["ttft_p50"]
    rows = [
        ("bare throughput at c=64 ≥ 50 % of the nginx proxy's", c64["switchyard"]["rps"] / c64["nginx proxy"]["rps"] >= 0.5,
         f"{c64['switchyard']['rps']:.0f} vs {c64['nginx proxy']['rps']:.0f} req/s ({c64['switchyard']['rps'] / c64['nginx proxy']['rps']:.0%})"),
        ("full path at c=64 ≥ 85 % of bare", c64["switchyard full"]["rps"] / c64["switchyard"]["rps"] >= 0.85,
         f"{c64['switchyard full']['rps'] / c64['switchyard']['rps']:.0%}"),
        (f"added p50 at c=1 ≤ 2 × the proxy's + 0.05 ms ({2 * proxy_p50 + 0.05:.3f} ms)", added("switchyard", "p50") <= 2 * proxy_p50 + 0.05,
         f"{added('switchyard', 'p50'):.3f} ms bare, {added('switchyard full', 'p50'):.3f} ms full (proxy {proxy_p50:.3f} ms)"),
        ("added p99 at c=1 ≤ 1 ms, durable ledger on", max(added("switchyard", "p99"), added("switchyard full", "p99")) <= 1,
         f"{added('switchyard', 'p99'):.3f} ms bare, {added('switchyard full', 'p99'):.3f} ms full"),
        ("added time to first byte ≤ 0.15 ms at p50", ttft <= 0.15,
         f"{ttft:.3f} ms (nginx proxy {streams['nginx proxy']['ttft_p50'] - streams['direct']['ttft_p50']:.3f} ms)"),
        ("512 concurrent streams without a stall", many["switchyard"]["errors"] == 0 and many["switchyard"]["p99"] < 1.2 * many["direct"]["p99"],
         f"p99 {many['switchyard']['p99']:.0f} ms vs {many['direct']['p99']:.0f} direct, {many['switchyard']['errors']} errors"),
        ("RSS ≤ 40 MB idle, ≤ 120 MB at 512 streams", idle_rss <= 40 * 1024 and peak_rss <= 120 * 1024,
         f"{idle_rss / 1024:.1f} MB, {peak_rss / 1024:.1f} MB"),
    ]
    if "litellm" in c64 and c64["litellm"]["rps"] >= 1:
        ratio = c64["switchyard"]["rps"] / c64["litellm"]["rps"]
        rows.append(("≥ 50× LiteLLM's throughput (c=64)", ratio >= 50, f"{ratio:.0f}×"))
    return ["| target (issue #19) | measured | met |", "|---|---|---|",
            *(f"| {name} | {value} | {'yes' if met else 'no'} |" for name, met, value in rows)]


def publish(text: str) -> None:
    """Prints a report and appends it to docs/benchmarks.md (bench/fleet.py and bench/usage.py too)."""
    print(text)
    docs = ROOT / "docs" / "benchmarks.md"
    if not docs.exists():
        docs.write_text("# Benchmarks\n\nProduced by `bench/run.sh`; newest last. Ratios measured in one run matter more than absolute numbers on this shared machine.\n")
    with open(docs, "a") as handle:
        handle.write(text)


if __name__ == "__main__":
    main()
