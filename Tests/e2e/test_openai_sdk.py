"""The official openai SDK against the real gateway binary."""

import json

import openai
import pytest

from conftest import MASTER_KEY

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Get the current weather in a given location",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string"}},
            "required": ["location"],
        },
    },
}


def test_chat_completion(client):
    raw = client.chat.completions.with_raw_response.create(
        model="mini",
        messages=[{"role": "developer", "content": "Be brief."}, {"role": "user", "content": "Hello!"}],
        temperature=0.7, max_completion_tokens=256, stop=["END"], seed=7, user="user-1234",
    )
    completion = raw.parse()
    assert completion.choices[0].message.content == "Hello! How can I assist you today?"
    assert completion.usage.prompt_tokens == 19
    assert raw.headers["x-switchyard-model"] == "mini"
    assert raw.headers["x-switchyard-provider"] == "fake"
    assert raw.headers["x-request-id"].startswith("req_")
    assert float(raw.headers["x-switchyard-overhead-ms"]) >= 0
    assert raw.headers["x-switchyard-cost-usd"] == "0.00000885"


def test_stream_without_usage(client):
    stream = client.chat.completions.create(
        model="mini", messages=[{"role": "user", "content": "Hello!"}], stream=True
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hello! How can I help?"
    assert all(c.choices for c in chunks), "the injected usage chunk must not reach this client"


def test_stream_with_usage(client):
    stream = client.chat.completions.create(
        model="mini", messages=[{"role": "user", "content": "Hello!"}], stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert chunks[-1].choices == []
    assert chunks[-1].usage.total_tokens == 25


def test_tools(client):
    completion = client.chat.completions.create(
        model="mini", messages=[{"role": "user", "content": "What is the weather like in Boston today?"}],
        tools=[WEATHER_TOOL], tool_choice="auto", parallel_tool_calls=True,
    )
    call = completion.choices[0].message.tool_calls[0]
    assert completion.choices[0].finish_reason == "tool_calls"
    assert call.function.name == "get_current_weather"
    assert json.loads(call.function.arguments) == {"location": "Boston, MA"}


def test_streamed_tool_calls_reassemble(client):
    stream = client.chat.completions.create(
        model="mini", messages=[{"role": "user", "content": "Weather in Boston?"}],
        tools=[WEATHER_TOOL], stream=True,
    )
    arguments, name, finish = "", None, None
    for chunk in stream:
        for choice in chunk.choices:
            for call in choice.delta.tool_calls or []:
                name = call.function.name or name
                arguments += call.function.arguments or ""
            finish = choice.finish_reason or finish
    assert name == "get_current_weather"
    assert json.loads(arguments) == {"location": "Boston, MA"}
    assert finish == "tool_calls"


def test_vision_and_response_format_pass_through(client, upstream):
    completion = client.chat.completions.create(
        model="mini",
        messages=[{"role": "user", "content": [
            {"type": "text", "text": "What is in this image?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"}},
        ]}],
        response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}},
        logprobs=True, top_logprobs=2, n=1,
        extra_body={"switchyard_test_unknown_field": {"kept": True}},
    )
    assert completion.choices[0].message.role == "assistant"


def test_embeddings(client):
    result = client.embeddings.create(model="embed", input=["The food was delicious", "and the waiter..."])
    assert len(result.data) == 2
    assert result.data[0].embedding[:1] == [0.0023064255]


def test_models_list(client):
    ids = [model.id for model in client.models.list()]
    assert ids == [
        "mini", "embed", "limited", "broken-stream", "slow", "claude", "claude-overloaded", "claude-stream-error",
        "gemini-flash", "nova", "gpt-native", "claude-cached", "azure-mini", "painter", "voice", "ears", "instruct",
        "omni-moderation-latest", "mystery", "cached-mini", "cached-gpt", "cached-sonnet", "auto", "trial",
    ]
    assert client.models.retrieve("mini").id == "mini"


def test_bad_key_is_authentication_error(gateway):
    bad = openai.OpenAI(base_url=gateway.base_url, api_key="sk-sy-wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        bad.chat.completions.create(model="mini", messages=[{"role": "user", "content": "hi"}])
    assert caught.value.code == "invalid_api_key"


def test_unknown_model_is_not_found(client):
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-9", messages=[{"role": "user", "content": "hi"}])
    assert caught.value.code == "model_not_found"


def test_upstream_rate_limit_is_rate_limit_error(client):
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="limited", messages=[{"role": "user", "content": "hi"}])
    assert caught.value.response.headers["retry-after"] == "2"
    assert caught.value.code == "rate_limit_exceeded"


def test_bad_input_is_bad_request(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="mini", messages=[{"role": "wizard", "content": "hi"}])
    assert caught.value.param == "messages[0].role"
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="mini", messages=[])


def test_in_stream_error_raises(client):
    stream = client.chat.completions.create(
        model="broken-stream", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    with pytest.raises(openai.APIError):
        for _ in stream:
            pass


def test_master_key_via_x_api_key(gateway):
    import urllib.request

    request = urllib.request.Request(f"{gateway.base_url}/models", headers={"x-api-key": MASTER_KEY})
    with urllib.request.urlopen(request) as response:
        assert response.status == 200


NATIVE = ["claude", "gemini-flash", "nova", "azure-mini"]


@pytest.mark.parametrize("model", NATIVE)
def test_native_provider_chat(client, model):
    raw = client.chat.completions.with_raw_response.create(
        model=model, messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello!"}], max_tokens=64,
    )
    completion = raw.parse()
    assert completion.choices[0].message.content.startswith("Hello")
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.prompt_tokens > 0
    assert raw.headers["x-switchyard-model"] == model


@pytest.mark.parametrize("model", NATIVE)
def test_native_provider_stream(client, model):
    stream = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "Hello!"}], stream=True, stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith("Hello")
    assert chunks[-1].usage.completion_tokens > 0


@pytest.mark.parametrize("model", NATIVE)
def test_native_provider_tools(client, model):
    completion = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "What is the weather like in Boston?"}], tools=[WEATHER_TOOL],
    )
    call = completion.choices[0].message.tool_calls[0]
    assert completion.choices[0].finish_reason == "tool_calls"
    assert "location" in json.loads(call.function.arguments)


@pytest.mark.parametrize("model", ["claude", "gemini-flash", "nova"])
def test_native_provider_streamed_tools(client, model):
    stream = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "What is the weather like in Boston?"}], tools=[WEATHER_TOOL], stream=True,
    )
    arguments, finish = "", None
    for chunk in stream:
        for call in chunk.choices[0].delta.tool_calls or []:
            arguments += call.function.arguments or ""
        finish = chunk.choices[0].finish_reason or finish
    assert finish == "tool_calls"
    assert "location" in json.loads(arguments)


def test_metrics_endpoint_exposes_prometheus_text(client, gateway):
    import urllib.request

    client.chat.completions.create(model="mini", messages=[{"role": "user", "content": "Hello!"}])
    with urllib.request.urlopen(f"http://127.0.0.1:{gateway.port}/metrics") as response:
        assert response.headers["content-type"].startswith("text/plain")
        text = response.read().decode()
    assert 'switchyard_requests_total{model="mini",provider="fake",status="200",stream="false"}' in text
    assert "switchyard_overhead_seconds_bucket" in text
    assert MASTER_KEY not in text
