"""Leaf order of an average-linkage (UPGMA) clustering, so similar networks sit next to each other.

Pure Python on purpose: ~70 networks need no scipy, and the order must not depend on a random seed.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence


def average_linkage_order(labels: Sequence[str], distance: Callable[[str, str], float]) -> list[str]:
    """Labels in dendrogram leaf order: repeatedly merge the two closest clusters (mean pairwise distance).

    Ties are broken by the clusters' first labels, so the same input always gives the same order. Within a
    merge the larger cluster comes first (then the one whose first label sorts first).
    """
    clusters: dict[int, list[str]] = {i: [label] for i, label in enumerate(sorted(set(labels)))}
    dist: dict[tuple[int, int], float] = {}
    ids = sorted(clusters)
    for x, i in enumerate(ids):
        for j in ids[x + 1:]:
            dist[(i, j)] = float(distance(clusters[i][0], clusters[j][0]))
    next_id = len(clusters)
    while len(clusters) > 1:
        (i, j), _ = min(dist.items(), key=lambda kv: (kv[1], clusters[kv[0][0]][0], clusters[kv[0][1]][0]))
        a, b = clusters.pop(i), clusters.pop(j)
        first, second = sorted((a, b), key=lambda c: (-len(c), c[0]))
        merged = first + second
        # Lance-Williams update for average linkage: size-weighted mean of the two merged distances
        for k in clusters:
            d_ik = dist.pop(_key(i, k))
            d_jk = dist.pop(_key(j, k))
            dist[_key(next_id, k)] = (len(a) * d_ik + len(b) * d_jk) / (len(a) + len(b))
        dist.pop((i, j))
        clusters[next_id] = merged
        next_id += 1
    return next(iter(clusters.values()), [])


def _key(i: int, j: int) -> tuple[int, int]:
    return (i, j) if i < j else (j, i)
