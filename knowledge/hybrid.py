"""Fusion of several rankings into one: reciprocal ranks, or standardised scores."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

RRF_K = 60  # the constant of Cormack et al. (2009): damps the weight of the very first ranks


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], *, k: float = RRF_K, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = sum of weight / (k + rank); return (id, score), best first."""
    weights = weights if weights is not None else [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def _standardised(ranking: Sequence[tuple[str, float]], *, depth: int) -> tuple[dict[str, float], float]:
    """Return the z-scores of a ranking's first `depth` items (against all its scores) and the lowest."""
    scores = [score for _, score in ranking]
    if len(scores) < 2 or statistics.pstdev(scores) == 0.0:
        return {item: 0.0 for item, _ in ranking[:depth]}, 0.0
    mean, spread = statistics.fmean(scores), statistics.pstdev(scores)
    top = {item: (score - mean) / spread for item, score in ranking[:depth]}
    return top, min(top.values())


def standard_score_fusion(
    rankings: Sequence[Sequence[tuple[str, float]]], *, weights: Sequence[float], depth: int
) -> list[tuple[str, float]]:
    """Fuse (id, score) rankings by the weighted sum of their standardised scores; return best first.

    Each ranking's scores are standardised against its own candidates (cosines and full-text ranks live
    on different scales), only its first `depth` items count, and an item outside them gets the lowest
    z-score the ranking gave: being absent is no better than being last. Items in no ranking's first
    `depth` follow, by their best rank. An empty ranking adds nothing.
    """
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    parts = [_standardised(ranking, depth=depth) for ranking in rankings]
    best_rank: dict[str, int] = {}
    for ranking in rankings:
        for rank, (item, _) in enumerate(ranking, start=1):
            best_rank[item] = min(rank, best_rank.get(item, rank))
    fused = {
        item: sum(weight * top.get(item, floor) for weight, (top, floor) in zip(weights, parts, strict=True))
        for item in best_rank
    }
    return sorted(fused.items(), key=lambda pair: (-pair[1], best_rank[pair[0]], pair[0]))
