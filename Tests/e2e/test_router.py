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


def test_a_shadow_router_serves_its_default_and_the_report_shows_what_routing_would_do(client, gateway):
    """`trial` decides (everything strong at threshold 0) but serves its default, mini; the report —
    the admin endpoint and `switchyard router report` alike — counts the decisions and prices them."""
    import time

    for question in ["Summarise the plot of Hamlet.", "Prove Fermat's little theorem.", "What is the capital of Peru?"]:
        raw = client.chat.completions.with_raw_response.create(model="trial", messages=[{"role": "user", "content": question}])
        assert raw.headers["x-switchyard-model"] == "mini"
        assert raw.headers["x-switchyard-route"].startswith("trial shadow:strong p=")
    request = urllib.request.Request(
        f"http://127.0.0.1:{gateway.port}/admin/routing", headers={"Authorization": f"Bearer {MASTER_KEY}"})
    deadline = time.monotonic() + 10
    while True:  # the ledger is written in batches
        with urllib.request.urlopen(request, timeout=10) as reply:
            trial = next(row for row in json.loads(reply.read())["data"] if row["router"] == "trial")
        if trial["decisions"] >= 3 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert trial["mode"] == "shadow" and trial["decisions"] == 3 and trial["strong"] == 3
    assert float(trial["projected_cost_usd"]) > float(trial["cost_usd"]) > 0, "claude for all of it would cost more than mini did"
    report = subprocess.run(
        [str(BIN_DIR / "switchyard"), "router", "report", "--config", str(gateway.config), "--json"],
        capture_output=True, text=True, timeout=60, cwd=gateway.config.parent, check=True)
    cli = next(row for row in json.loads(report.stdout)["data"] if row["router"] == "trial")
    assert (cli["decisions"], cli["cost_usd"], cli["projected_cost_usd"]) == (3, trial["cost_usd"], trial["projected_cost_usd"])
    table = subprocess.run(
        [str(BIN_DIR / "switchyard"), "router", "report", "--config", str(gateway.config)],
        capture_output=True, text=True, timeout=60, cwd=gateway.config.parent, check=True).stdout
    assert "trial [learned, shadow]" in table and "if live:" in table
