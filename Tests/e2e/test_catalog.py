"""The model catalog from the command line: `switchyard models`, `switchyard catalog update` into the
data directory (validated, dated), a gateway reading the update at start, and `config check` warning
about a model without a price."""

import json
import subprocess

import openai

from conftest import BIN_DIR, MASTER_KEY, Gateway


def run(*args: str, cwd, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN_DIR / "switchyard"), *args], capture_output=True, text=True, cwd=cwd, env={"PATH": "/usr/bin:/bin", **(env or {})},
    )


def test_models_lists_the_dated_catalog(tmp_path):
    table = run("models", "--provider", "anthropic", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "claude-sonnet-4-20250514" in table.stdout and "openai" not in table.stdout.split("\n", 1)[1]
    listed = json.loads(run("models", "--json", cwd=tmp_path).stdout)
    assert len(listed["models"]) >= 60 and len({entry["provider"] for entry in listed["models"]}) >= 20
    assert all(entry["source"].startswith("https://") and entry["as_of"] for entry in listed["models"])


def test_catalog_update_merges_a_newer_file_that_the_gateway_then_uses(tmp_path, upstream):
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({"models": [{
        "provider": "openai", "model": "dall-e-3", "kind": "image", "per_image": 0.05, "capabilities": [],
        "source": "https://openai.com/api/pricing/", "as_of": "2099-01-01",
    }]}))
    data = tmp_path / "data"
    updated = run("catalog", "update", "--from", str(newer), "--data-dir", str(data), cwd=tmp_path)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "1 new or changed" in updated.stdout
    shown = json.loads(run("models", "--provider", "openai", "--json", "--data-dir", str(data), cwd=tmp_path).stdout)
    assert next(entry for entry in shown["models"] if entry["model"] == "dall-e-3")["per_image"] == 0.05

    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"models": [{"provider": "x", "model": "y", "kind": "chat", "capabilities": [], "source": "word of mouth", "as_of": "soon"}]}))
    refused = run("catalog", "update", "--from", str(broken), "--data-dir", str(data), cwd=tmp_path)
    assert refused.returncode == 1 and "source must be a URL" in refused.stdout and "no price" in refused.stdout

    config = """
server: {{ host: 127.0.0.1, master_key: ${{SWITCHYARD_MASTER_KEY}} }}
storage: {{ url: "sqlite://gateway.db", data_dir: "%s" }}
providers:
  openai: {{ type: openai, base_url: "http://127.0.0.1:{upstream}/v1", api_key: "${{UPSTREAM_KEY}}" }}
models:
  - {{ name: painter, targets: [ {{ provider: openai, model: dall-e-3 }} ] }}
  - {{ name: mystery, targets: [ {{ provider: openai, model: my-fine-tune }} ] }}
""" % data
    gateway = Gateway(tmp_path, upstream.port, config=config)
    try:
        client = openai.OpenAI(base_url=gateway.base_url, api_key=MASTER_KEY, max_retries=0)
        assert client.models.retrieve("painter").pricing["per_image"] == 0.05
        checked = run("config", "check", "--config", str(gateway.config), cwd=tmp_path, env={"UPSTREAM_KEY": "k", "SWITCHYARD_MASTER_KEY": "m"})
        assert checked.returncode == 0, checked.stdout
        assert "warning: models[1].targets[0]: no price for openai/my-fine-tune" in checked.stdout
        assert "no price for openai/my-fine-tune" in gateway.log_text()
    finally:
        gateway.stop()
