"""RouteLLM's router metrics, as ../shared/data/routing/README.md restates them."""

import numpy as np


def pgr_curve(scores: np.ndarray, weak: np.ndarray, strong: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """PGR(s) for each share s of prompts sent strong (the highest-scoring ones)."""
    order = np.argsort(-scores, kind="stable")
    p_weak, p_strong = weak.mean(), strong.mean()
    out = []
    for share in shares:
        count = int(round(share * len(scores)))
        routed = weak.copy()
        routed[order[:count]] = strong[order[:count]]
        out.append((routed.mean() - p_weak) / (p_strong - p_weak))
    return np.array(out)


def summary(scores: np.ndarray, weak: np.ndarray, strong: np.ndarray) -> dict:
    bins = np.linspace(0, 1, 11)
    apgr = float(np.trapezoid(pgr_curve(scores, weak, strong, bins), bins))
    fine = np.linspace(0, 1, 101)
    curve = pgr_curve(scores, weak, strong, fine)

    def cpt(target):
        hits = np.nonzero(curve >= target)[0]
        return float(fine[hits[0]]) if len(hits) else 1.0

    return {"apgr": round(apgr, 4), "cpt50": cpt(0.5), "cpt80": cpt(0.8)}


def random_baseline(weak: np.ndarray, strong: np.ndarray, rng, runs: int = 20) -> dict:
    results = [summary(rng.random(len(weak)), weak, strong) for _ in range(runs)]
    return {key: round(float(np.mean([r[key] for r in results])), 4) for key in results[0]}
