"""Request features of the learned router — the definition the Swift side (SwitchyardRouting/Learned)
reproduces exactly: the prompt text, its WordPiece ids, and six scalar features."""

import math

import numpy as np

MAX_TOKENS = 2048
CODE_CHARS = set("{}[]();=<>#$_`\\|")
MATH_CHARS = set("0123456789+-*/^%=∑∫√π")
SCALAR_NAMES = ["log_tokens", "code_density", "math_density", "log_turns", "has_tools", "has_images"]


def request_text(request: dict) -> tuple[str, int, bool, bool]:
    """(text, user turns, has tools, has images) of a `{"prompt"}` or `{"messages", "tools"?}` object.
    The text is every non-empty message text (a message's text parts concatenated) joined by newlines."""
    if "prompt" in request:
        return request["prompt"], 1, False, False
    parts, turns, images = [], 0, False
    for message in request.get("messages", []):
        content = message.get("content")
        if message.get("role") == "user":
            turns += 1
        text = ""
        if isinstance(content, str):
            text = content
        elif isinstance(content, list):
            for part in content:
                if part.get("type") == "text":
                    text += part.get("text", "")
                elif part.get("type") in ("image_url", "image"):
                    images = True
        if text:
            parts.append(text)
    return "\n".join(parts), turns, bool(request.get("tools")), images


def scalars(text: str, token_count: int, turns: int, tools: bool, images: bool) -> list[float]:
    chars = len(text) or 1
    code = sum(1 for c in text if c in CODE_CHARS) / chars
    math_ = sum(1 for c in text if c in MATH_CHARS) / chars
    return [math.log1p(token_count), code, math_, math.log1p(turns), float(tools), float(images)]


def pooled(ids: list[int], table: np.ndarray) -> np.ndarray:
    """Mean of the (weighted, projected) token rows of the last MAX_TOKENS ids, L2-normalised."""
    ids = ids[-MAX_TOKENS:]
    if not ids:
        return np.zeros(table.shape[1])
    vector = table[ids].astype(np.float64).mean(0)
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector
