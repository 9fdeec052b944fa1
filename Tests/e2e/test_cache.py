"""The response cache through the real binary, driven by the official SDKs: a stored answer comes back
in each client's format, as JSON or as a stream, without an upstream call, and the usage API counts
what it saved."""

import json
import urllib.request

from conftest import MASTER_KEY, last_upstream_request


def upstream_requests(upstream) -> str:
    """A fingerprint of the fake upstream's last request (changes when a new one arrives)."""
    return json.dumps(last_upstream_request(upstream), sort_keys=True)


def test_openai_chat_a_stored_stream_answers_json_and_streams_again(client, upstream):
    messages = [{"role": "user", "content": "e2e cache: what is a gateway?"}]
    with client.chat.completions.with_streaming_response.create(
        model="cached-mini", temperature=0, messages=messages, stream=True
    ) as raw:
        assert raw.headers["x-switchyard-cache"] == "miss"
        streamed = "".join(chunk.choices[0].delta.content or "" for chunk in raw.parse() if chunk.choices)
    before = upstream_requests(upstream)
    raw = client.chat.completions.with_raw_response.create(model="cached-mini", temperature=0, messages=messages)
    assert raw.headers["x-switchyard-cache"] == "hit"
    assert raw.parse().choices[0].message.content == streamed
    stream = client.chat.completions.create(model="cached-mini", temperature=0, messages=messages, stream=True)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices) == streamed
    assert upstream_requests(upstream) == before, "hits never reach the upstream"
    # Without temperature the answer may vary: not cached.
    raw = client.chat.completions.with_raw_response.create(model="cached-mini", messages=messages)
    assert raw.headers["x-switchyard-cache"] == "bypass"


def test_responses_hits_are_responses_of_their_own_that_the_next_turn_can_name(client):
    first = client.responses.with_raw_response.create(model="cached-gpt", temperature=0, input="e2e cache: hello")
    assert first.headers["x-switchyard-cache"] == "miss"
    hit = client.responses.with_raw_response.create(model="cached-gpt", temperature=0, input="e2e cache: hello")
    assert hit.headers["x-switchyard-cache"] == "hit"
    answer = hit.parse()
    assert answer.status == "completed" and answer.id != first.parse().id
    assert answer.output_text == first.parse().output_text
    # The hit was kept: a follow-up names it, and GET finds it.
    follow = client.responses.create(model="cached-gpt", temperature=0, previous_response_id=answer.id, input="and then?")
    assert follow.status == "completed"
    assert client.responses.retrieve(answer.id).output_text == answer.output_text
    events = [event.type for event in client.responses.create(model="cached-gpt", temperature=0, input="e2e cache: hello", stream=True)]
    assert events[0] == "response.created" and events[-1] == "response.completed"


def test_anthropic_messages_a_stored_stream_answers_json(anthropic_client):
    messages = [{"role": "user", "content": "e2e cache: hi claude"}]
    zero = {"temperature": 0}  # anthropic 2.13 takes sampling parameters only this way
    with anthropic_client.messages.stream(model="cached-sonnet", max_tokens=64, messages=messages, extra_body=zero) as stream:
        streamed = stream.get_final_text()
    raw = anthropic_client.messages.with_raw_response.create(model="cached-sonnet", max_tokens=64, messages=messages, extra_body=zero)
    assert raw.headers["x-switchyard-cache"] == "hit"
    assert raw.parse().content[0].text == streamed


def test_the_usage_api_reports_hits_and_what_they_saved(client, gateway):
    messages = [{"role": "user", "content": "e2e cache: count my savings"}]
    for _ in range(3):
        client.chat.completions.create(model="cached-mini", temperature=0, messages=messages)
    request = urllib.request.Request(
        gateway.base_url.removesuffix("/v1") + "/admin/usage?group_by=model",
        headers={"Authorization": f"Bearer {MASTER_KEY}"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        rows = {row["group"]: row for row in json.loads(reply.read())["data"]}
    row = rows["cached-mini"]
    assert row["cache_hits"] >= 2
    assert float(row["saved_usd"]) > 0
