"""The rest of the OpenAI surface through the official SDK: images, speech, transcription (of a real
WAV spoken by espeak-ng), moderations, legacy completions — routed, metered in each model's unit at
the catalog's price — and the 402 a paying key gets for a model without a price."""

import shutil
import subprocess
import time
import urllib.request

import openai
import pytest

from test_keys import admin


def paying_client(gateway, name: str, credits: str = "1.00") -> tuple[openai.OpenAI, str]:
    created = admin(gateway, "POST", "/admin/keys", {"name": name, "credits": credits})
    return openai.OpenAI(base_url=gateway.base_url, api_key=created["key"], max_retries=0, timeout=30), created["id"]


def credits(gateway, key_id: str, expected: str, seconds: float = 8.0) -> str:
    """The key's balance once it reads `expected` (the ledger is written behind the response)."""
    deadline = time.monotonic() + seconds
    while True:
        balance = admin(gateway, "GET", f"/admin/keys/{key_id}")["credits"]
        if balance == expected or time.monotonic() > deadline:
            return balance
        time.sleep(0.05)


def test_images_generate_is_charged_per_image(gateway):
    client, key_id = paying_client(gateway, "artist")
    result = client.images.generate(model="painter", prompt="a white pixel", n=2, response_format="b64_json")
    assert len(result.data) == 2 and result.data[0].b64_json
    # dall-e-3 at the catalog's $0.04 per image.
    expected = "0.92"
    assert credits(gateway, key_id, expected) == expected


def test_speech_streams_to_a_file(gateway, tmp_path):
    client, key_id = paying_client(gateway, "speaker")
    text = "Switchyard routes every request to the right model."
    target = tmp_path / "speech.mp3"
    with client.audio.speech.with_streaming_response.create(model="voice", voice="alloy", input=text) as response:
        assert response.headers["content-type"] == "audio/mpeg"
        response.stream_to_file(target)
    audio = target.read_bytes()
    assert audio.startswith(b"ID3") and len(audio) == 3 + 256 * len(text)
    # tts-1 at $15 per million characters.
    expected = f"{1 - len(text) * 15 / 1e6:.6f}".rstrip("0")
    assert credits(gateway, key_id, expected) == expected


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is installed by scripts/test.sh")
def test_transcription_of_a_real_wav(gateway, tmp_path):
    client, key_id = paying_client(gateway, "listener")
    wav = tmp_path / "hello.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), "Switchyard routes every request"], check=True)
    with wav.open("rb") as audio:
        transcript = client.audio.transcriptions.create(model="ears", file=audio)
    assert transcript.text == "Switchyard routes every request."
    # The fake reports 2 s of audio: whisper-1 at $0.0001 a second.
    expected = "0.9998"
    assert credits(gateway, key_id, expected) == expected
    with wav.open("rb") as audio:
        events = list(client.audio.transcriptions.create(model="ears", file=audio, stream=True))
    assert [event.type for event in events] == ["transcript.text.delta", "transcript.text.delta", "transcript.text.done"]
    assert events[-1].text == "Switchyard routes every request."


def test_moderations(client):
    result = client.moderations.create(model="omni-moderation-latest", input="I want to route requests")
    assert result.results[0].flagged is False


def test_legacy_completions(client):
    result = client.completions.create(model="instruct", prompt="Say this is a test")
    assert result.choices[0].text == "\n\nThis is a test."
    assert result.usage.total_tokens == 12
    chunks = list(client.completions.create(model="instruct", prompt="Say this is a test", stream=True))
    assert "".join(choice.text for chunk in chunks for choice in chunk.choices) == "This is a test."


def test_unpriced_model_is_402_for_a_paying_key(gateway, client):
    paying, key_id = paying_client(gateway, "careful", credits="5.00")
    with pytest.raises(openai.APIStatusError) as caught:
        paying.chat.completions.create(model="mystery", messages=[{"role": "user", "content": "hi"}])
    assert caught.value.status_code == 402
    assert caught.value.code == "unpriced_model"
    # A key that does not pay is served, and the row is counted as unpriced.
    client.chat.completions.create(model="mystery", messages=[{"role": "user", "content": "hi"}])
    with urllib.request.urlopen(f"http://127.0.0.1:{gateway.port}/metrics") as response:
        metrics = response.read().decode()
    assert 'switchyard_unpriced_requests_total{model="mystery",provider="fake"} 1' in metrics
    expected = "5.00"
    assert credits(gateway, key_id, expected) == expected


def test_models_carry_pricing_and_context(client):
    painter = client.models.retrieve("painter")
    assert painter.owned_by == "openai"
    assert painter.pricing["per_image"] == 0.04
    mini = client.models.retrieve("mini")
    assert mini.pricing == {"input": 0.15, "output": 0.6}
