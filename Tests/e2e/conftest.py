"""End-to-end harness: starts the real `switchyard` binary in front of the fake upstream on 127.0.0.1."""

import os
import pathlib
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN_DIR = pathlib.Path(os.environ.get("SWITCHYARD_BIN_DIR", ROOT / ".build" / "debug"))
MASTER_KEY = "sk-sy-e2e-master-key"
UPSTREAM_KEY = "sk-upstream-e2e"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(port: int, process: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"switchyard exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("switchyard did not become healthy")


class Upstream:
    def __init__(self, tmp: pathlib.Path, tls: bool = False):
        self.log = open(tmp / "fake-upstream.log", "w+")
        self.process = subprocess.Popen(
            [str(BIN_DIR / "switchyard-fake-upstream"), "--api-key", UPSTREAM_KEY, *(["--tls"] if tls else [])],
            stdout=subprocess.PIPE, stderr=self.log, text=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith("listening on "):
            raise RuntimeError(f"fake upstream did not start: {line!r}")
        self.port = int(line.split()[-1])

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


class Gateway:
    """A running `switchyard serve` with its config and log."""

    def __init__(
        self, tmp: pathlib.Path, upstream_port: int, extra_env: dict | None = None, extra_args: list | None = None,
        config: str | None = None,
    ):
        self.port = free_port()
        self.config = tmp / f"switchyard-{self.port}.yaml"
        self.config.write_text((config or CONFIG).format(upstream=upstream_port, root=ROOT))
        env = dict(os.environ, SWITCHYARD_MASTER_KEY=MASTER_KEY, UPSTREAM_KEY=UPSTREAM_KEY, **(extra_env or {}))
        self.log_path = tmp / f"switchyard-{self.port}.log"
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [str(BIN_DIR / "switchyard"), "serve", "--config", str(self.config), "--port", str(self.port), *(extra_args or [])],
            stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=tmp,
        )
        wait_healthy(self.port, self.process)
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.log.close()
        return code

    def log_text(self) -> str:
        return self.log_path.read_text()


CONFIG = """
server:
  host: 127.0.0.1
  master_key: ${{SWITCHYARD_MASTER_KEY}}
  shutdown_grace_seconds: 10
providers:
  fake: {{ type: openai-compatible, base_url: "http://127.0.0.1:{upstream}/v1", api_key: "${{UPSTREAM_KEY}}" }}
  openai: {{ type: openai, base_url: "http://127.0.0.1:{upstream}/v1", api_key: "${{UPSTREAM_KEY}}" }}
  anthropic: {{ type: anthropic, base_url: "http://127.0.0.1:{upstream}", api_key: "${{UPSTREAM_KEY}}" }}
  gemini: {{ type: gemini, base_url: "http://127.0.0.1:{upstream}", api_key: "${{UPSTREAM_KEY}}" }}
  azure: {{ type: azure, base_url: "http://127.0.0.1:{upstream}", api_key: "${{UPSTREAM_KEY}}", api_version: "2024-10-21" }}
  bedrock:
    type: bedrock
    base_url: "http://127.0.0.1:{upstream}"
    region: us-east-1
    access_key_id: AKIDEXAMPLE
    secret_access_key: ${{UPSTREAM_KEY}}
models:
  - name: mini
    targets: [ {{ provider: fake, model: gpt-4o-mini }} ]
    price: {{ input: 0.15, output: 0.60 }}
  - name: embed
    targets: [ {{ provider: fake, model: text-embedding-3-small }} ]
  - name: limited
    targets: [ {{ provider: fake, model: fault-429_rate_limit }} ]
  - name: broken-stream
    targets: [ {{ provider: fake, model: fault-stream-error }} ]
  - name: slow
    targets: [ {{ provider: fake, model: fault-slow }} ]
  - name: claude
    targets: [ {{ provider: anthropic, model: claude-sonnet-4-5 }} ]
    price: {{ input: 3, output: 15 }}
  - name: claude-overloaded
    targets: [ {{ provider: anthropic, model: fault-529 }} ]
  - name: claude-stream-error
    targets: [ {{ provider: anthropic, model: fault-stream-error }} ]
  - name: gemini-flash
    targets: [ {{ provider: gemini, model: gemini-2.5-flash }} ]
  - name: nova
    targets: [ {{ provider: bedrock, model: "anthropic.claude-3-5-sonnet-20240620-v1:0" }} ]
  - name: gpt-native
    targets: [ {{ provider: openai, model: gpt-5.4 }} ]
  - name: claude-cached
    targets: [ {{ provider: anthropic, model: claude-cached }} ]
    price: {{ input: 3, output: 15, cached_input: 0.30, cache_write: 3.75 }}
  - name: azure-mini
    targets: [ {{ provider: azure, model: gpt-4o-mini }} ]
  - name: painter
    targets: [ {{ provider: openai, model: dall-e-3 }} ]
  - name: voice
    targets: [ {{ provider: openai, model: tts-1 }} ]
  - name: ears
    targets: [ {{ provider: openai, model: whisper-1 }} ]
  - name: instruct
    targets: [ {{ provider: openai, model: gpt-3.5-turbo-instruct }} ]
  - name: omni-moderation-latest
    targets: [ {{ provider: openai, model: omni-moderation-latest }} ]
  - name: mystery
    targets: [ {{ provider: fake, model: gpt-4o-mini }} ]
  - name: cached-mini
    targets: [ {{ provider: fake, model: gpt-4o-mini }} ]
    price: {{ input: 0.15, output: 0.60 }}
    cache: {{ ttl_seconds: 600 }}
  - name: cached-gpt
    targets: [ {{ provider: openai, model: gpt-5.4 }} ]
    price: {{ input: 1.25, output: 10 }}
    cache: {{ ttl_seconds: 600 }}
  - name: cached-sonnet
    targets: [ {{ provider: anthropic, model: claude-sonnet-4-5 }} ]
    price: {{ input: 3, output: 15 }}
    cache: {{ ttl_seconds: 600 }}
routers:
  - {{ name: auto, kind: learned, weak: mini, strong: claude, strong_share: 0.5 }}
  - {{ name: trial, kind: learned, weak: mini, strong: claude, threshold: 0, shadow: true, default: mini }}
routing: {{ retries: 0, timeout_seconds: 30 }}
"""


@pytest.fixture(scope="session")
def upstream(tmp_path_factory):
    fake = Upstream(tmp_path_factory.mktemp("upstream"))
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def gateway(tmp_path_factory, upstream):
    running = Gateway(tmp_path_factory.mktemp("gateway"), upstream.port)
    yield running
    running.stop()


@pytest.fixture
def anthropic_client(gateway):
    import anthropic

    return anthropic.Anthropic(base_url=gateway.base_url.removesuffix("/v1"), api_key=MASTER_KEY, max_retries=0, timeout=30)


@pytest.fixture
def client(gateway):
    import openai

    return openai.OpenAI(base_url=gateway.base_url, api_key=MASTER_KEY, max_retries=0, timeout=30)


def last_upstream_request(upstream) -> dict:
    """What the fake upstream last received: {"path", "headers", "body"}."""
    import json

    with urllib.request.urlopen(f"http://127.0.0.1:{upstream.port}/_fake/last-request", timeout=5) as response:
        return json.loads(response.read())
