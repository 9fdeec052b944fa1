#!/usr/bin/env python3
"""Switchyard benchmark: nginx mock upstream, wrk load, direct vs Switchyard vs LiteLLM in one run.

Loopback only, bounded in time. Appends a dated section to docs/benchmarks.md.
Usage: bench/run.sh [--duration 10] [--no-litellm]
"""

import argparse
import datetime
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
FIXTURE = ROOT.parent / "shared" / "specs" / "fixtures" / "openai" / "chat_response.json"
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


def wrk(url: str, connections: int, duration: int, threads: int = 1, script: pathlib.Path = BENCH / "post.lua") -> dict:
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), url],
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


def start_switchyard(work: pathlib.Path, upstream: int) -> tuple[Process, int]:
    port = free_port()
    (work / "switchyard.yaml").write_text(f"""
server: {{ port: {port}, master_key: {MASTER_KEY} }}
providers:
  mock: {{ type: openai-compatible, base_url: "http://127.0.0.1:{upstream}/v1" }}
models:
  - name: mini
    targets: [ {{ provider: mock, model: gpt-4o-mini }} ]
    price: {{ input: 0.15, output: 0.60 }}
""")
    binary = ROOT / ".build" / "release" / "switchyard"
    process = Process([str(binary), "serve", "--config", str(work / "switchyard.yaml"), "--log-level", "warning"], work / "switchyard.log")
    wait_http(f"http://127.0.0.1:{port}/healthz")
    return process, port


def keyed_script(work: pathlib.Path, gateway_port: int) -> pathlib.Path:
    """A wrk script using a virtual key with credits: the full path (key auth, reservation, ledger)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{gateway_port}/admin/keys", method="POST",
        data=json.dumps({"name": "bench", "credits": "1000000.00"}).encode(),
        headers={"Authorization": f"Bearer {MASTER_KEY}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        key = json.loads(response.read())["key"]
    script = work / "post-key.lua"
    script.write_text((BENCH / "post.lua").read_text().replace(MASTER_KEY, key))
    return script


def start_litellm(work: pathlib.Path, upstream: int) -> tuple[Process, int] | None:
    litellm = ROOT / ".bench-venv" / "bin" / "litellm"
    if not litellm.exists():
        return None
    port = free_port()
    (work / "litellm.yaml").write_text(f"""
model_list:
  - model_name: mini
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: http://127.0.0.1:{upstream}/v1
      api_key: sk-mock
general_settings:
  master_key: {MASTER_KEY}
""")
    env = dict(os.environ, LITELLM_LOCAL_MODEL_COST_MAP="True", LITELLM_LOG="ERROR")
    process = Process([str(litellm), "--config", str(work / "litellm.yaml"), "--host", "127.0.0.1", "--port", str(port),
                       "--num_workers", "1"], work / "litellm.log", env=env)
    wait_http(f"http://127.0.0.1:{port}/health/liveliness", timeout=180)
    return process, port


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--no-litellm", action="store_true")
    args = parser.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="switchyard-bench-"))
    processes = []
    try:
        nginx, upstream = start_nginx(work)
        processes.append(nginx)
        gateway, gateway_port = start_switchyard(work, upstream)
        processes.append(gateway)
        litellm = None if args.no_litellm else start_litellm(work, upstream)
        if litellm:
            processes.append(litellm[0])
        keyed = keyed_script(work, gateway_port)
        targets = {
            "direct": f"http://127.0.0.1:{upstream}/v1/chat/completions",
            "switchyard": f"http://127.0.0.1:{gateway_port}/v1/chat/completions",
            "switchyard+key": f"http://127.0.0.1:{gateway_port}/v1/chat/completions",
        }
        if litellm:
            targets["litellm"] = f"http://127.0.0.1:{litellm[1]}/v1/chat/completions"

        idle_rss = rss_kb(gateway.pid)[0]
        # warm-up: connection pools, allocator
        for name, url in targets.items():
            wrk(url, 4, 2, script=keyed if name == "switchyard+key" else BENCH / "post.lua")
        results: dict[str, dict[str, dict]] = {}
        cpu: dict[str, float] = {}
        for scenario, connections in (("c1", 1), ("c16", 16), ("c64", 64)):
            for name, url in targets.items():
                pid = {"switchyard": gateway.pid, "switchyard+key": gateway.pid, "litellm": litellm[0].pid if litellm else None}.get(name)
                before = cpu_seconds(pid) if pid else 0
                result = wrk(url, connections, args.duration, script=keyed if name == "switchyard+key" else BENCH / "post.lua")
                if pid:
                    cpu.setdefault(name, 0)
                    cpu[name] = (cpu_seconds(pid) - before) / result["requests"] * 10_000 if scenario == "c64" else cpu[name]
                results.setdefault(scenario, {})[name] = result
        peak_rss = rss_kb(gateway.pid)[1]
        report(results, cpu, idle_rss, peak_rss, args.duration)
    finally:
        for process in reversed(processes):
            process.stop()


def report(results, cpu, idle_rss, peak_rss, duration) -> None:
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    cpu_model = re.search(r"model name\s*:\s*(.*)", pathlib.Path("/proc/cpuinfo").read_text()).group(1)
    lines = [
        f"\n## {datetime.date.today()} — commit {commit}",
        f"Machine: {os.cpu_count()} cores, {cpu_model}; wrk, nginx mock and gateways share it. {duration} s per cell, one thread of wrk.\n",
        "| scenario | target | req/s | p50 ms | p99 ms | errors |", "|---|---|---|---|---|---|",
    ]
    for scenario, by_target in results.items():
        for name, r in by_target.items():
            lines.append(f"| {scenario} | {name} | {r['rps']:.0f} | {r['p50']:.3f} | {r['p99']:.3f} | {r['errors']} {r['socket_errors']} |")
    c1 = results["c1"]
    lines.append("")
    lines.append(f"- Added latency at c=1 (Switchyard − direct): p50 {c1['switchyard']['p50'] - c1['direct']['p50']:.3f} ms, "
                 f"p99 {c1['switchyard']['p99'] - c1['direct']['p99']:.3f} ms")
    for scenario in ("c16", "c64"):
        r = results[scenario]
        line = f"- {scenario}: Switchyard/direct throughput {r['switchyard']['rps'] / r['direct']['rps']:.2f}"
        if "litellm" in r:
            line += f", Switchyard/LiteLLM {r['switchyard']['rps'] / r['litellm']['rps']:.1f}×"
        lines.append(line)
    for scenario in ("c1", "c64"):
        r = results[scenario]
        lines.append(f"- {scenario}: full path (virtual key + credits reservation + ledger) / bare proxying throughput "
                     f"{r['switchyard+key']['rps'] / r['switchyard']['rps']:.2f}, p50 {r['switchyard+key']['p50']:.3f} vs {r['switchyard']['p50']:.3f} ms")
    lines.append(f"- Switchyard RSS: idle {idle_rss / 1024:.1f} MB, peak {peak_rss / 1024:.1f} MB")
    lines.append("- CPU seconds per 10k requests (c=64): " + ", ".join(f"{k} {v:.2f}" for k, v in cpu.items()))
    text = "\n".join(lines) + "\n"
    print(text)
    docs = ROOT / "docs" / "benchmarks.md"
    if not docs.exists():
        docs.write_text("# Benchmarks\n\nProduced by `bench/run.sh`; newest last. Ratios measured in one run matter more than absolute numbers on this shared machine.\n")
    with open(docs, "a") as handle:
        handle.write(text)


if __name__ == "__main__":
    main()
