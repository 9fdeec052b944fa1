"""Leave-one-dataset-out evaluation of the router's candidate scorers on every outcome set
(`outcomes.py`): for each set, fit on the others and rank the held-out set's prompts. Shared by
`build.py` (which ships the winner) and its report in docs/routing.md."""

import numpy as np

import metrics
from features import pooled, scalars

DIMS = 64
SIF_A = 1e-3


class Encoder:
    """The static embedding table projected once (PCA); SIF weights from a set of training prompts."""

    def __init__(self, table: np.ndarray):
        self.mean = table.mean(0)
        _, _, vt = np.linalg.svd(table - self.mean, full_matrices=False)
        self.base = (table - self.mean) @ vt[:DIMS].T

    def weights(self, ids: list[list[int]]) -> np.ndarray:
        counts = np.bincount(np.concatenate([np.array(t, dtype=np.int64) for t in ids if t]), minlength=len(self.base)).astype(np.float64)
        return SIF_A / (SIF_A + counts / counts.sum())

    def embed(self, ids: list[list[int]], weights: np.ndarray) -> np.ndarray:
        table = self.base * weights[:, None]
        return np.array([pooled(t, table) for t in ids])


def labels(items: list[dict], kind: str) -> np.ndarray:
    weak = np.array([i["weak"] for i in items])
    strong = np.array([i["strong"] for i in items])
    if kind == "hard":  # the strong model did better
        return (strong > weak).astype(np.float64)
    gap = np.clip(strong - weak, 0, 1)  # soft: by how much
    if kind == "soft":
        return gap
    difficulty = np.array([np.nan if i["difficulty"] is None else i["difficulty"] for i in items])
    return np.where(np.isnan(difficulty), gap, 0.5 * gap + 0.5 * difficulty)  # soft, and how hard the others found it


def scalar_matrix(items, ids):
    return np.array([scalars(i["prompt"], len(t), 1, False, False) for i, t in zip(items, ids)])


def ranks(scores: np.ndarray) -> np.ndarray:
    """Scores as percentiles within their set (0–1), ties broken by order: a rank average's input."""
    order = np.argsort(scores, kind="stable")
    out = np.empty(len(scores))
    out[order] = (np.arange(len(scores)) + 0.5) / len(scores)
    return out


def centered(items, kind="difficulty") -> np.ndarray:
    """Labels less their source's mean: what varies within a set, not between sets."""
    y = labels(items, kind)
    source = np.array([i["source"] for i in items])
    out = y.copy()
    for name in set(source):
        members = source == name
        out[members] = y[members] - y[members].mean()
    return out


def ridge_fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> np.ndarray:
    xb = np.hstack([np.ones((len(x), 1)), x])
    penalty = np.full(xb.shape[1], l2)
    penalty[0] = 0
    return np.linalg.solve(xb.T @ xb + np.diag(penalty), xb.T @ y)


def candidates(build, rng) -> dict:
    """The scorers compared held out, each `fit(items, train, test, embedded, x) -> scores`."""
    def shipped(items, train, test, embedded, x):
        # What ships today: prototypes fitted on MMLU alone (hard labels). On MMLU itself, 5-fold.
        source = np.array([i["source"] for i in items])
        y = labels(items, "hard")
        mmlu = source == "mmlu"
        if (test == mmlu).all():
            out = np.zeros(test.sum())
            index = np.nonzero(test)[0]
            folds = rng.permutation(len(index)) % 5
            for fold in range(5):
                out[folds == fold] = build.prototype_scores(
                    build.fit_prototypes(embedded[index[folds != fold]], y[index[folds != fold]]), embedded[index[folds == fold]])
            return out
        return build.prototype_scores(build.fit_prototypes(embedded[mmlu], y[mmlu]), embedded[test])

    def logistic(items, train, test, embedded, x):
        y = labels(items, "difficulty")
        return build.logistic_scores(build.fit_logistic(x[train], y[train]), x[test])

    def ridge(items, train, test, embedded, x):
        w = ridge_fit(x[train], centered(items)[train])
        return w[0] + x[test] @ w[1:]

    def prototypes(items, train, test, embedded, x):
        y = labels(items, "difficulty")
        return build.prototype_scores(build.fit_prototypes(embedded[train], y[train]), embedded[test])

    def length_and_logistic(items, train, test, embedded, x):
        return (ranks(x[test, DIMS]) + ranks(logistic(items, train, test, embedded, x))) / 2

    def length_mostly(items, train, test, embedded, x):
        return 0.8 * ranks(x[test, DIMS]) + 0.2 * ranks(logistic(items, train, test, embedded, x))

    return {
        "shipped today (MMLU prototypes)": shipped,
        "prototypes, soft labels + difficulty": prototypes,
        "logistic, soft labels + difficulty": logistic,
        "ridge, labels centred per source": ridge,
        "rank average: length + logistic": length_and_logistic,
        "rank blend: 0.8 length + 0.2 logistic": length_mostly,
    }


def evaluate(items, ids, encoder, candidates, rng, sources):
    """{held-out source: {candidate: {apgr, cpt50, cpt80}}} plus their average."""
    source = np.array([i["source"] for i in items])
    weak = np.array([i["weak"] for i in items])
    strong = np.array([i["strong"] for i in items])
    raw = scalar_matrix(items, ids)
    table = {}
    for held in sources:
        test = source == held
        train = ~test
        weights = encoder.weights([t for t, keep in zip(ids, train) if keep])
        embedded = encoder.embed(ids, weights)
        mean, std = raw[train].mean(0), raw[train].std(0)
        std[std == 0] = 1
        x = np.hstack([embedded, (raw - mean) / std])
        row = {"random": metrics.random_baseline(weak[test], strong[test], rng),
               "length": metrics.summary(raw[test, 0] + rng.random(test.sum()) * 1e-6, weak[test], strong[test])}
        for name, fit in candidates.items():
            score = fit(items, train, test, embedded, x)
            row[name] = metrics.summary(score + rng.random(test.sum()) * 1e-9, weak[test], strong[test])
        row["prompts"] = int(test.sum())
        table[held] = row
    names = [n for n in next(iter(table.values())) if n != "prompts"]
    table["average"] = {n: {k: round(float(np.mean([table[s][n][k] for s in sources])), 4) for k in ("apgr", "cpt50", "cpt80")} for n in names}
    return table
