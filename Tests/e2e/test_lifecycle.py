"""Process-level behaviour of `switchyard serve`: graceful shutdown, config errors, secrets."""

import subprocess
import threading
import time

import openai

from conftest import BIN_DIR, MASTER_KEY, ROOT, UPSTREAM_KEY, Gateway, free_port, wait_healthy


def test_sigterm_drains_an_in_flight_stream(tmp_path, upstream):
    gateway = Gateway(tmp_path, upstream.port)
    client = openai.OpenAI(base_url=gateway.base_url, api_key=MASTER_KEY, max_retries=0)
    received: list[str] = []
    errors: list[BaseException] = []

    def consume():
        try:
            stream = client.chat.completions.create(
                model="slow", messages=[{"role": "user", "content": "hi"}], stream=True
            )
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    received.append(chunk.choices[0].delta.content)
        except BaseException as error:  # noqa: BLE001 - recorded for the assertion below
            errors.append(error)

    reader = threading.Thread(target=consume)
    reader.start()
    time.sleep(0.5)  # the fake paces events 200 ms apart: the stream is mid-flight now
    code = gateway.stop()
    reader.join(timeout=30)
    assert not errors, errors
    assert "".join(received) == "Hello! How can I help?"
    assert code == 0


def test_secrets_never_reach_the_log(tmp_path, upstream):
    gateway = Gateway(tmp_path, upstream.port)
    client = openai.OpenAI(base_url=gateway.base_url, api_key=MASTER_KEY, max_retries=0)
    client.chat.completions.create(model="mini", messages=[{"role": "user", "content": "hi"}])
    gateway.stop()
    log = gateway.log_text()
    assert "request served" in log
    assert MASTER_KEY not in log
    assert "sk-upstream-e2e" not in log


def test_config_check_reports_paths(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text(
        "providers:\n  openai: { type: openai, api_key: x }\n"
        "models:\n  - name: a\n    targets: [ { provider: opnai, model: gpt-4o-mini } ]\n"
    )
    result = subprocess.run(
        [str(BIN_DIR / "switchyard"), "config", "check", "--config", str(config)],
        capture_output=True, text=True,
    )
    assert result.returncode == 1
    assert 'models[0].targets[0].provider: unknown provider "opnai"' in result.stdout


def test_serve_without_config_starts_and_explains(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [str(BIN_DIR / "switchyard"), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
    )
    try:
        wait_healthy(port, process)
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert "No config file" in output


def test_example_config_is_valid(tmp_path):
    example = ROOT / "switchyard.example.yaml"
    env = {
        "PATH": "/usr/bin:/bin", "SWITCHYARD_MASTER_KEY": "sk-sy-x", "OPENAI_API_KEY": "sk-x", "GROQ_API_KEY": "gsk-x",
        "ANTHROPIC_API_KEY": "sk-ant-x", "GEMINI_API_KEY": "AIza-x",
    }
    result = subprocess.run(
        [str(BIN_DIR / "switchyard"), "config", "check", "--config", str(example)], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stdout
    assert "warning" not in result.stdout, "every model of the example has a price"
    del env["GROQ_API_KEY"]
    result = subprocess.run(
        [str(BIN_DIR / "switchyard"), "config", "check", "--config", str(example)], capture_output=True, text=True, env=env
    )
    assert "providers.groq.api_key: environment variable GROQ_API_KEY is not set" in result.stdout


def test_sigterm_flushes_every_served_request_to_the_ledger(tmp_path, upstream):
    import json
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    gateway = Gateway(tmp_path, upstream.port)
    client = openai.OpenAI(base_url=gateway.base_url, api_key=MASTER_KEY, max_retries=0)

    def one(_):
        try:
            return client.chat.completions.with_raw_response.create(
                model="mini", messages=[{"role": "user", "content": "hi"}]).headers["x-request-id"]
        except openai.APIConnectionError:
            return None  # refused once shutdown began: never served, never metered

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(one, i) for i in range(400)]
        time.sleep(0.3)
        code = gateway.stop()
        served = [f.result() for f in futures if f.result()]
    assert code == 0
    assert served, "some requests were served before the signal"
    result = subprocess.run(
        [str(BIN_DIR / "switchyard"), "usage", "--by", "model", "--json", "--config", str(gateway.config)],
        capture_output=True, text=True, cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "SWITCHYARD_MASTER_KEY": MASTER_KEY, "UPSTREAM_KEY": "x"},
    )
    rows = {row["group"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert rows["mini"]["requests"] == len(served), result.stderr


def test_json_logs_are_one_object_per_line_without_secrets(tmp_path, upstream):
    import json

    gateway = Gateway(tmp_path, upstream.port, extra_args=["--log-format", "json"])
    client = openai.OpenAI(base_url=gateway.base_url, api_key=MASTER_KEY, max_retries=0)
    raw = client.chat.completions.with_raw_response.create(model="mini", messages=[{"role": "user", "content": "secret prompt text"}])
    request_id = raw.headers["x-request-id"]
    assert gateway.stop() == 0
    lines = [json.loads(line) for line in gateway.log_text().splitlines() if line.strip()]
    served = [line for line in lines if line["message"] == "request served"]
    assert served and served[0]["request_id"] == request_id and served[0]["model"] == "mini" and served[0]["status"] == "200"
    assert all({"ts", "level", "label", "message"} <= line.keys() for line in lines)
    text = gateway.log_text()
    assert MASTER_KEY not in text and UPSTREAM_KEY not in text and "secret prompt text" not in text
