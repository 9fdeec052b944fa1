"""Virtual keys end to end: the admin API, the CLI against the same store, and the SDK's errors."""

import json
import subprocess
import time
import urllib.request

import openai
import pytest

from conftest import BIN_DIR, MASTER_KEY


def admin(gateway, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{gateway.port}{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {MASTER_KEY}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def cli(gateway, *args: str) -> str:
    result = subprocess.run(
        [str(BIN_DIR / "switchyard"), *args, "--config", str(gateway.config)],
        capture_output=True, text=True, cwd=gateway.config.parent,
        env={"PATH": "/usr/bin:/bin"},  # provider keys are not needed to manage keys
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def eventually(check, seconds: float = 8.0):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return check()
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_admin_created_key_works_with_the_sdk_and_is_limited_to_its_models(gateway):
    created = admin(gateway, "POST", "/admin/keys", {"name": "e2e", "models": ["mini"], "credits": "5.00"})
    assert created["key"].startswith("sk-sy-") and created["credits"] == "5.00"
    client = openai.OpenAI(base_url=gateway.base_url, api_key=created["key"], max_retries=0)
    assert client.chat.completions.create(model="mini", messages=[{"role": "user", "content": "hi"}]).choices
    with pytest.raises(openai.PermissionDeniedError):
        client.chat.completions.create(model="limited", messages=[{"role": "user", "content": "hi"}])
    assert [m.id for m in client.models.list()] == ["mini"]
    assert created["key"] not in json.dumps(admin(gateway, "GET", "/admin/keys"))


def test_cli_keys_reach_the_running_server(gateway):
    output = cli(gateway, "keys", "create", "--name", "from-cli", "--credits", "1.00")
    key = next(line.split()[-1] for line in output.splitlines() if line.startswith("key:"))
    key_id = next(line.split()[-1] for line in output.splitlines() if line.startswith("id:"))
    client = openai.OpenAI(base_url=gateway.base_url, api_key=key, max_retries=0)
    eventually(lambda: client.chat.completions.create(model="mini", messages=[{"role": "user", "content": "hi"}]))
    assert "from-cli" in cli(gateway, "keys", "list")
    assert cli(gateway, "keys", "list", "--search", "from-c", "--limit", "1", "--json").count("\n") == 1, "one page of one key"
    balance = float(cli(gateway, "keys", "topup", key_id, "0.50").split()[-1])
    assert 1.4999 <= balance <= 1.50, balance  # 1.00 + 0.50, less the request once its ledger row is flushed
    cli(gateway, "keys", "revoke", key_id)

    def rejected():
        try:
            client.chat.completions.create(model="mini", messages=[{"role": "user", "content": "hi"}])
        except openai.AuthenticationError:
            return
        raise AssertionError("the revoked key still works")

    eventually(rejected)


def test_exhausted_credits_are_402(gateway):
    created = admin(gateway, "POST", "/admin/keys", {"name": "broke", "credits": "0.00"})
    client = openai.OpenAI(base_url=gateway.base_url, api_key=created["key"], max_retries=0)
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(model="mini", messages=[{"role": "user", "content": "hi"}])
    assert caught.value.status_code == 402
    assert caught.value.code == "insufficient_credits"


def test_usage_is_reported_by_the_api_and_the_cli(gateway):
    created = admin(gateway, "POST", "/admin/keys", {"name": "metered", "credits": "1.00"})
    client = openai.OpenAI(base_url=gateway.base_url, api_key=created["key"], max_retries=0)
    for _ in range(3):
        client.chat.completions.create(model="mini", messages=[{"role": "user", "content": "hi"}])

    def three_rows():
        rows = {row["group"]: row for row in admin(gateway, "GET", "/admin/usage?group_by=key")["data"]}
        assert rows[created["id"]]["requests"] == 3
        return rows[created["id"]]

    row = eventually(three_rows)
    assert row["cost_usd"] == "0.00002655"  # 3 × (19 × 0.15 + 10 × 0.60) per million
    lines = [json.loads(line) for line in cli(gateway, "usage", "--by", "key", "--json").splitlines()]
    assert any(line["group"] == created["id"] and line["requests"] == 3 for line in lines)


def test_rate_limited_key_is_rate_limit_error(gateway):
    created = admin(gateway, "POST", "/admin/keys", {"name": "slow-lane", "rpm": 1})
    client = openai.OpenAI(base_url=gateway.base_url, api_key=created["key"], max_retries=0)
    client.chat.completions.create(model="mini", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="mini", messages=[{"role": "user", "content": "hi"}])
    assert caught.value.response.headers["x-ratelimit-limit-requests"] == "1"
    assert int(caught.value.response.headers["retry-after"]) >= 1
