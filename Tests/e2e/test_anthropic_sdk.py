"""The official anthropic SDK (2.13: Bearer auth, anthropic-version 2026-10-21) against /v1/messages,
served by an Anthropic upstream and by every other kind of provider through the canonical model."""

import json
import urllib.error
import urllib.request

import anthropic
import pytest

from conftest import MASTER_KEY
from test_keys import admin

WEATHER = {
    "name": "get_weather",
    "description": "Get the current weather in a given location",
    "input_schema": {
        "type": "object",
        "properties": {"location": {"type": "string", "description": "The city and state"}},
        "required": ["location"],
    },
}

BACKENDS = ["claude", "mini", "gemini-flash", "nova"]


@pytest.mark.parametrize("model", BACKENDS)
def test_create(anthropic_client, model):
    raw = anthropic_client.messages.with_raw_response.create(
        model=model, max_tokens=256, system="You are a helpful assistant.",
        messages=[{"role": "user", "content": "Hello, Claude"}], stop_sequences=["END"],
        metadata={"user_id": "user-1234"}, extra_body={"temperature": 0.7},
    )
    message = raw.parse()
    assert message.type == "message" and message.role == "assistant"
    assert message.content[0].type == "text"
    assert message.content[0].text.startswith("Hello")
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0
    assert raw.headers["x-switchyard-model"] == model
    assert raw.headers["request-id"].startswith("req_")


@pytest.mark.parametrize("model", BACKENDS)
def test_stream_with_tool_use(anthropic_client, model):
    with anthropic_client.messages.stream(
        model=model, max_tokens=256, tools=[WEATHER],
        messages=[{"role": "user", "content": "What is the weather like in San Francisco?"}],
    ) as stream:
        message = stream.get_final_message()
    tool_uses = [block for block in message.content if block.type == "tool_use"]
    assert len(tool_uses) == 1
    assert tool_uses[0].name in ("get_weather", "get_current_weather")
    assert "location" in tool_uses[0].input
    assert message.stop_reason == "tool_use"
    assert message.usage.output_tokens > 0


def test_text_stream_events(anthropic_client):
    with anthropic_client.messages.stream(
        model="claude", max_tokens=64, messages=[{"role": "user", "content": "Hello"}]
    ) as stream:
        text = "".join(stream.text_stream)
        message = stream.get_final_message()
    assert text and message.content[0].text == text
    assert message.usage.input_tokens > 0


def test_tool_result_round_trip(anthropic_client):
    message = anthropic_client.messages.create(
        model="mini", max_tokens=256, tools=[WEATHER],
        messages=[
            {"role": "user", "content": "What is the weather like in San Francisco?"},
            {"role": "assistant", "content": [
                {"type": "text", "text": "I'll check."},
                {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather", "input": {"location": "San Francisco, CA"}},
            ]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01A09q90qw90lq917835lq9", "content": "15 degrees"}]},
        ],
    )
    assert message.content


def test_unknown_model_is_not_found(anthropic_client):
    with pytest.raises(anthropic.NotFoundError) as caught:
        anthropic_client.messages.create(model="no-such-model", max_tokens=16, messages=[{"role": "user", "content": "hi"}])
    assert caught.value.body["error"]["type"] == "not_found_error"
    assert caught.value.request_id.startswith("req_")


def test_bad_key_is_authentication_error(gateway):
    client = anthropic.Anthropic(base_url=gateway.base_url.removesuffix("/v1"), api_key="sk-sy-wrong", max_retries=0)
    with pytest.raises(anthropic.AuthenticationError):
        client.messages.create(model="claude", max_tokens=16, messages=[{"role": "user", "content": "hi"}])


def test_invalid_request_is_bad_request(anthropic_client):
    with pytest.raises(anthropic.BadRequestError) as caught:
        anthropic_client.messages.create(model="claude", max_tokens=16, messages=[{"role": "robot", "content": "hi"}])
    assert "messages.0.role" in caught.value.message


def test_overloaded_upstream_is_overloaded_error(anthropic_client):
    with pytest.raises(anthropic.OverloadedError) as caught:
        anthropic_client.messages.create(model="claude-overloaded", max_tokens=16, messages=[{"role": "user", "content": "hi"}])
    assert caught.value.status_code == 529


def test_rate_limited_upstream_is_rate_limit_error(anthropic_client):
    with pytest.raises(anthropic.RateLimitError):
        anthropic_client.messages.create(model="limited", max_tokens=16, messages=[{"role": "user", "content": "hi"}])


def test_exhausted_credits_are_payment_required(gateway):
    created = admin(gateway, "POST", "/admin/keys", {"name": "broke-anthropic", "credits": "0.00"})
    client = anthropic.Anthropic(base_url=gateway.base_url.removesuffix("/v1"), api_key=created["key"], max_retries=0)
    with pytest.raises(anthropic.PaymentRequiredError) as caught:
        client.messages.create(model="claude", max_tokens=16, messages=[{"role": "user", "content": "hi"}])
    assert caught.value.body["error"]["type"] == "billing_error"


def test_mid_stream_upstream_error_raises(anthropic_client):
    with pytest.raises(anthropic.APIStatusError) as caught:
        with anthropic_client.messages.stream(
            model="claude-stream-error", max_tokens=64, messages=[{"role": "user", "content": "hi"}]
        ) as stream:
            for _ in stream:
                pass
    assert "overloaded" in str(caught.value).lower()


def test_x_api_key_auth_is_accepted(gateway):
    request = urllib.request.Request(
        f"http://127.0.0.1:{gateway.port}/v1/messages", method="POST",
        data=json.dumps({"model": "claude", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}).encode(),
        headers={"x-api-key": MASTER_KEY, "anthropic-version": "2023-06-01", "content-type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        assert json.loads(response.read())["type"] == "message"
