"""Hostile input through the official SDKs against the real binary (#12): clear errors, no crash,
and HTTPS upstreams verified against a configured CA."""

import json
import urllib.error
import urllib.request

import anthropic
import openai
import pytest

from conftest import MASTER_KEY, Gateway, Upstream


def post(base_url: str, path: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(
        base_url.removesuffix("/v1") + path, data=body, method="POST",
        headers={"Authorization": f"Bearer {MASTER_KEY}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("value", [20_000_000_000, 2**63 - 1, 0, -1])
def test_out_of_range_max_tokens_is_a_clear_400(client, anthropic_client, gateway, value):
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model="mini", messages=[{"role": "user", "content": "hi"}], max_tokens=value)
    assert raised.value.status_code == 400
    assert raised.value.body["param"] == "max_tokens"
    with pytest.raises(anthropic.BadRequestError):
        anthropic_client.messages.create(model="mini", max_tokens=value, messages=[{"role": "user", "content": "hi"}])
    # The process is still serving.
    assert client.chat.completions.create(model="mini", messages=[{"role": "user", "content": "hi"}]).choices


def test_non_finite_temperature_is_a_400(client, gateway):
    status, body = post(gateway.base_url, "/v1/messages", b'{"model":"mini","max_tokens":5,"temperature":1e400,"messages":[{"role":"user","content":"hi"}]}')
    assert status == 400 and body["type"] == "error" and "temperature" in body["error"]["message"]
    with pytest.raises(openai.BadRequestError) as raised:  # the SDK itself refuses to send `inf`
        client.chat.completions.create(model="mini", messages=[{"role": "user", "content": "hi"}], temperature=5)
    assert raised.value.body["param"] == "temperature"


def test_duplicate_keys_are_rejected(gateway):
    status, body = post(gateway.base_url, "/v1/chat/completions", b'{"model":"mini","stream":false,"stream":true,"messages":[{"role":"user","content":"hi"}]}')
    assert status == 400
    assert "duplicate key" in body["error"]["message"]
    assert body["error"]["type"] == "invalid_request_error"


TLS_CONFIG = """
server: {{ host: 127.0.0.1, master_key: ${{SWITCHYARD_MASTER_KEY}} }}
storage: {{ url: "sqlite://:memory:" }}
providers:
  secure:
    type: openai-compatible
    base_url: "https://127.0.0.1:{upstream}/v1"
    api_key: ${{UPSTREAM_KEY}}
    tls: {{ ca_file: "{root}/Tests/Fixtures/tls/ca.pem" }}
  untrusted:
    type: openai-compatible
    base_url: "https://localhost:{upstream}/v1"
    api_key: ${{UPSTREAM_KEY}}
models:
  - {{ name: mini, targets: [ {{ provider: secure, model: gpt-4o-mini }} ] }}
  - {{ name: untrusted, targets: [ {{ provider: untrusted, model: gpt-4o-mini }} ] }}
routing: {{ retries: 0 }}
"""


def test_https_upstream_with_a_configured_ca(tmp_path):
    upstream = Upstream(tmp_path, tls=True)
    gateway = Gateway(tmp_path, upstream.port, config=TLS_CONFIG)
    try:
        client = openai.OpenAI(base_url=gateway.base_url, api_key=MASTER_KEY, max_retries=0, timeout=30)
        answer = client.chat.completions.create(model="mini", messages=[{"role": "user", "content": "Hello!"}])
        assert answer.choices[0].message.content == "Hello! How can I assist you today?"
        text = "".join(
            chunk.choices[0].delta.content or ""
            for chunk in client.chat.completions.create(model="mini", messages=[{"role": "user", "content": "Hello!"}], stream=True)
            if chunk.choices
        )
        assert text == "Hello! How can I help?"
        with pytest.raises(openai.APIStatusError) as raised:
            client.chat.completions.create(model="untrusted", messages=[{"role": "user", "content": "Hello!"}])
        assert raised.value.status_code == 502, "a certificate the system trust store does not know is refused"
    finally:
        gateway.stop()
        upstream.stop()
