"""A coding agent's traffic through /v1/messages to an Anthropic deployment, with the official
anthropic SDK: the upstream receives the JSON the client sent (only `model` changed, key order
aside) with its anthropic-beta header, and the client receives the upstream's events unchanged."""

import copy
import pathlib
import urllib.request

import anthropic

from conftest import MASTER_KEY, ROOT, last_upstream_request

FIXTURES = ROOT / "Tests" / "Fixtures" / "providers" / "anthropic"
BETA = "interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14"

SYSTEM = [
    {"type": "text", "text": "You are a coding agent working in a Swift repository."},
    {"type": "text", "text": "Repository map: Sources/, Tests/, Package.swift", "cache_control": {"type": "ephemeral"}},
]
TOOLS = [
    {"name": "read_file", "description": "Read a file", "input_schema": {
        "type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}},
    {"name": "bash", "description": "Run a command", "input_schema": {
        "type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]},
     "cache_control": {"type": "ephemeral"}},
]
MESSAGES = [
    {"role": "user", "content": [{"type": "text", "text": "The test FooTests fails; fix it."}]},
    {"role": "assistant", "content": [
        {"type": "thinking", "thinking": "Read the test first.", "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxDb2RlU2lnbmF0dXJl"},
        {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "read_file", "input": {"path": "Tests/FooTests.swift"}},
    ]},
    {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "toolu_01A09q90qw90lq917835lq9", "content": "func testFoo() { XCTAssertEqual(1, 2) }",
         "cache_control": {"type": "ephemeral"}},
    ]},
]
TURN = dict(model="claude", max_tokens=4096, system=SYSTEM, tools=TOOLS, messages=MESSAGES,
            thinking={"type": "enabled", "budget_tokens": 2048}, metadata={"user_id": "dev-1"})


def sent_as(body: dict, **changes) -> dict:
    expected = copy.deepcopy(body)
    expected.update(changes)
    return expected


def test_a_turn_reaches_anthropic_as_sent(anthropic_client, upstream):
    message = anthropic_client.messages.create(**TURN, extra_headers={"anthropic-beta": BETA})
    assert message.stop_reason == "tool_use"
    assert any(block.type == "tool_use" for block in message.content)
    received = last_upstream_request(upstream)
    assert received["path"] == "/v1/messages"
    assert received["body"] == sent_as(TURN, model="claude-sonnet-4-5")
    assert received["headers"]["anthropic-beta"] == BETA
    assert "authorization" not in received["headers"]


def test_a_streamed_turn_is_relayed_event_for_event(gateway, upstream, anthropic_client):
    # The SDK's stream reads it ...
    with anthropic_client.messages.stream(**TURN, extra_headers={"anthropic-beta": BETA}) as stream:
        final = stream.get_final_message()
    assert final.stop_reason == "tool_use"
    assert last_upstream_request(upstream)["body"] == sent_as(TURN, model="claude-sonnet-4-5", stream=True)
    # ... and the bytes are the upstream's own.
    import json

    request = urllib.request.Request(
        f"{gateway.base_url}/messages", method="POST", data=json.dumps(dict(TURN, stream=True)).encode(),
        headers={"x-api-key": MASTER_KEY, "content-type": "application/json", "anthropic-version": "2023-06-01"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        relayed = response.read()
    assert relayed == (FIXTURES / "messages_stream_tool_use.sse").read_bytes().rstrip(b"\n") + b"\n\n"


def test_count_tokens_passes_through(anthropic_client, upstream):
    counted = anthropic_client.messages.count_tokens(model="claude", system=SYSTEM, tools=TOOLS, messages=MESSAGES)
    assert counted.input_tokens == 42
    received = last_upstream_request(upstream)
    assert received["path"] == "/v1/messages/count_tokens"
    assert received["body"]["model"] == "claude-sonnet-4-5" and received["body"]["tools"] == TOOLS


def test_count_tokens_is_estimated_elsewhere(anthropic_client):
    raw = anthropic_client.messages.with_raw_response.count_tokens(model="mini", messages=[{"role": "user", "content": "Hello " * 100}])
    assert raw.headers["x-switchyard-estimated"] == "true"
    assert 100 <= raw.parse().input_tokens <= 400


def test_cache_reads_and_writes_are_metered_at_their_prices(anthropic_client):
    raw = anthropic_client.messages.with_raw_response.create(
        model="claude-cached", max_tokens=64, system=SYSTEM, messages=[{"role": "user", "content": "Hi"}])
    message = raw.parse()
    assert message.usage.cache_creation_input_tokens == 1000 and message.usage.cache_read_input_tokens == 2000
    # 10 x 3 + 1,000 x 3.75 + 2,000 x 0.30 + 5 x 15 USD per million tokens.
    assert raw.headers["x-switchyard-cost-usd"] == "0.004455"


def test_claude_on_bedrock_goes_through_invoke_model(anthropic_client, upstream):
    with anthropic_client.messages.stream(**dict(TURN, model="nova"), extra_headers={"anthropic-beta": BETA}) as stream:
        final = stream.get_final_message()
    assert final.stop_reason == "tool_use"
    received = last_upstream_request(upstream)
    assert received["path"].endswith("/invoke-with-response-stream")
    expected = {k: v for k, v in TURN.items() if k != "model"}
    expected.update(anthropic_version="bedrock-2023-05-31", anthropic_beta=BETA.split(","))
    assert received["body"] == expected
