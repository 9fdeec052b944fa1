"""The OpenAI Responses API through the gateway with the official openai SDK and the OpenAI Agents
SDK: translated to a chat-completions upstream (`mini`) and passed through to a native one
(`gpt-native`), multi-turn with previous_response_id, stored per key."""

import json

import openai
import pytest

from conftest import MASTER_KEY, last_upstream_request
from test_keys import admin

WEATHER_TOOL = {
    "type": "function",
    "name": "get_current_weather",
    "description": "Get the current weather in a given location",
    "parameters": {
        "type": "object",
        "properties": {"location": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
        "required": ["location"],
    },
}


@pytest.mark.parametrize("model", ["mini", "gpt-native", "claude"])
def test_create(client, model):
    raw = client.responses.with_raw_response.create(model=model, instructions="Be brief.", input="Hello")
    response = raw.parse()
    assert response.object == "response" and response.status == "completed"
    assert response.output_text
    assert response.usage.input_tokens > 0 and response.usage.output_tokens > 0
    assert raw.headers["x-switchyard-model"] == model


@pytest.mark.parametrize("model", ["mini", "gpt-native", "claude"])
def test_stream_helper(client, model):
    deltas = []
    with client.responses.stream(model=model, input="Hello") as stream:
        for event in stream:
            if event.type == "response.output_text.delta":
                deltas.append(event.delta)
        final = stream.get_final_response()
    assert final.status == "completed"
    assert "".join(deltas) == final.output_text and final.output_text
    assert final.usage.total_tokens > 0


def test_a_failed_stream_raises(client):
    with pytest.raises(openai.APIError):
        for _ in client.responses.create(model="broken-stream", input="Hello", stream=True):
            pass


@pytest.mark.parametrize("model", ["mini", "claude"])
def test_function_calling_loop_with_previous_response_id(client, upstream, model):
    first = client.responses.create(model=model, input="What is the weather in Boston?", tools=[WEATHER_TOOL])
    calls = [item for item in first.output if item.type == "function_call"]
    assert calls and calls[0].name in ("get_current_weather", "get_weather")
    json.loads(calls[0].arguments or "{}")
    second = client.responses.create(
        model=model, previous_response_id=first.id, tools=[WEATHER_TOOL],
        input=[{"type": "function_call_output", "call_id": calls[0].call_id, "output": '{"temperature": "22 C"}'}],
    )
    assert second.previous_response_id == first.id
    assert second.status == "completed"
    # The upstream saw the whole conversation: the question, the call and its result.
    sent = last_upstream_request(upstream)["body"]
    if model == "mini":
        assert [m["role"] for m in sent["messages"]] == ["user", "assistant", "tool"]
        assert sent["messages"][2]["tool_call_id"] == calls[0].call_id
    else:
        assert [m["role"] for m in sent["messages"]] == ["user", "assistant", "user"]
        assert sent["messages"][2]["content"][0]["type"] == "tool_result"


def test_stored_responses_are_scoped_to_their_key(gateway, client):
    key = admin(gateway, "POST", "/admin/keys", {"name": "responses-owner"})["key"]
    other = admin(gateway, "POST", "/admin/keys", {"name": "responses-other"})["key"]
    mine = openai.OpenAI(base_url=gateway.base_url, api_key=key, max_retries=0)
    theirs = openai.OpenAI(base_url=gateway.base_url, api_key=other, max_retries=0)
    created = mine.responses.create(model="mini", input="Remember me")
    assert mine.responses.retrieve(created.id).output_text == created.output_text
    items = mine.responses.input_items.list(created.id)
    assert [item.role for item in items.data] == ["user"]
    with pytest.raises(openai.NotFoundError):
        theirs.responses.retrieve(created.id)
    with pytest.raises(openai.NotFoundError):
        theirs.responses.create(model="mini", previous_response_id=created.id, input="Hi")
    mine.responses.delete(created.id)
    with pytest.raises(openai.NotFoundError):
        mine.responses.retrieve(created.id)


def test_untranslatable_fields_are_a_400_naming_the_field(client):
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model="mini", input="Hi", tools=[{"type": "web_search"}])
    assert raised.value.body["param"] == "tools[0].type"


def test_native_passthrough_sends_the_body_as_given(client, upstream):
    client.responses.create(model="gpt-native", input="Hi", tools=[{"type": "web_search"}], reasoning={"effort": "low"})
    sent = last_upstream_request(upstream)
    assert sent["path"] == "/v1/responses"
    assert sent["body"]["model"] == "gpt-5.4"
    assert sent["body"]["tools"] == [{"type": "web_search"}] and sent["body"]["reasoning"] == {"effort": "low"}


def test_openai_agents_runs_a_tool_calling_agent(gateway, upstream):
    """The OpenAI Agents SDK (Responses API) runs an agent with a function tool through the gateway
    to a chat-completions upstream: the model calls the tool, the SDK runs it, the model answers."""
    from agents import Agent, OpenAIResponsesModel, Runner, function_tool, set_tracing_disabled

    set_tracing_disabled(True)
    calls = []

    @function_tool
    def get_current_weather(location: str, unit: str = "celsius") -> str:
        """Get the current weather in a given location."""
        calls.append(location)
        return f"22 degrees {unit} in {location}"

    model = OpenAIResponsesModel(model="mini", openai_client=openai.AsyncOpenAI(base_url=gateway.base_url, api_key=MASTER_KEY, max_retries=0))
    agent = Agent(name="weather", instructions="Answer with the weather.", tools=[get_current_weather], model=model)
    result = Runner.run_sync(agent, "What is the weather in Boston?", max_turns=4)
    assert calls, "the agent ran its tool"
    assert result.final_output
    sent = last_upstream_request(upstream)["body"]
    assert sent["messages"][-1]["role"] == "tool" and "22 degrees" in sent["messages"][-1]["content"]
