"""Routers end to end: `auto` through the openai SDK, feedback, and the `switchyard router` CLI."""

import json
import re
import subprocess
import urllib.request

from conftest import BIN_DIR, MASTER_KEY

ROUTE = re.compile(r"^auto (weak|strong) p=\d\.\d\d t=\d\.\d\d$")


def test_auto_picks_a_model_and_says_why(client):
    raw = client.chat.completions.with_raw_response.create(
        model="auto", messages=[{"role": "user", "content": "Prove that there are infinitely many primes."}]
    )
    route = raw.headers["x-switchyard-route"]
    assert ROUTE.match(route), route
    assert raw.headers["x-switchyard-model"] == ("claude" if route.split()[1] == "strong" else "mini")
    assert raw.parse().choices[0].message.content


def test_routellm_names_carry_the_threshold(client):
    raw = client.chat.completions.with_raw_response.create(model="router-auto-0", messages=[{"role": "user", "content": "hi"}])
    assert raw.headers["x-switchyard-model"] == "claude"
    assert raw.headers["x-switchyard-route"].endswith("t=0.00")


def feedback(gateway, body: dict) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{gateway.port}/v1/feedback", method="POST", data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {MASTER_KEY}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def test_feedback_trains_a_new_weights_file(client, gateway, tmp_path):
    raw = client.chat.completions.with_raw_response.create(model="router-auto-1", messages=[{"role": "user", "content": "What is 2+2?"}])
    assert raw.headers["x-switchyard-model"] == "mini"
    stored = feedback(gateway, {"request_id": raw.headers["x-request-id"], "outcome": "bad"})
    assert stored["trainable"] is True and stored["label"] == "weak"
    out = tmp_path / "auto.syr"
    result = subprocess.run(
        [str(BIN_DIR / "switchyard"), "router", "train", "--from-feedback", "--config", str(gateway.config), "--out", str(out)],
        capture_output=True, text=True, cwd=gateway.config.parent, env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"[1-9]\d* of \d+ feedback rows used", result.stdout), result.stdout
    assert out.stat().st_size > 1_000_000


def test_router_score_cli_keeps_order_and_range(tmp_path):
    lines = [{"prompt": "What is the capital of France?"},
             {"messages": [{"role": "user", "content": "Derive the Black-Scholes equation."}]},
             {"prompt": "hi"}]
    result = subprocess.run(
        [str(BIN_DIR / "switchyard"), "router", "score", "--router", "auto", "--config", str(tmp_path / "none.yaml")],
        input="\n".join(json.dumps(line) for line in lines) + "\n", capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    scores = [json.loads(line)["score"] for line in result.stdout.splitlines()]
    assert len(scores) == 3 and all(0 <= s <= 1 for s in scores)


def test_router_eval_and_calibrate_cli(tmp_path):
    data = tmp_path / "labelled.jsonl"
    rows = [{"prompt": f"Question {i}: what is {i} squared?", "weak": i % 3 != 0, "strong": True} for i in range(60)]
    data.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    result = subprocess.run([str(BIN_DIR / "switchyard"), "router", "eval", "--data", str(data)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert re.search(r"^learned\t\d\.\d{4}\t", result.stdout, re.M) and "random" in result.stdout and "oracle" in result.stdout
    result = subprocess.run(
        [str(BIN_DIR / "switchyard"), "router", "calibrate", "--strong-share", "0.3", "--data", str(data)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert 0 <= float(result.stdout.strip()) <= 1
