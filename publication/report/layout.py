"""A small deterministic force layout (Fruchterman-Reingold) for the co-membership graph.

Nodes start on a circle in the given order (the clustering order, so related networks start close); edges
pull with a force growing with their weight, all nodes repel, a weak pull to the centre keeps networks
without shared members on the canvas. No randomness: the same graph always gets the same picture.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

GRAVITY = 2.0


def force_layout(nodes: Sequence[str], edges: Mapping[tuple[str, str], float],
                 iterations: int = 300) -> dict[str, tuple[float, float]]:
    """Positions filling [-1, 1] x [-1, 1] for `nodes`; `edges` maps (a, b) to a positive weight."""
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    # positions and shifts in flat lists indexed by node (the pairwise loop runs ~n²/2 x 300 times)
    px = [math.cos(2 * math.pi * i / n) for i in range(n)]
    py = [math.sin(2 * math.pi * i / n) for i in range(n)]
    index = {v: i for i, v in enumerate(nodes)}
    top = max(edges.values(), default=1.0) or 1.0
    # log scale: one pair sharing 300 members must not collapse everything else into a dot
    springs = [(index[a], index[b], math.log1p(w) / math.log1p(top)) for (a, b), w in edges.items()
               if a in index and b in index and a != b and w > 0]
    k = math.sqrt(4.0 / n)  # ideal distance on a 2 x 2 canvas
    k2 = k * k
    temperature = 0.2
    hypot = math.hypot
    for _ in range(iterations):
        sx, sy = [0.0] * n, [0.0] * n
        for u in range(n):
            ux, uy = px[u], py[u]
            for v in range(u + 1, n):
                dx, dy = ux - px[v], uy - py[v]
                d = max(hypot(dx, dy), 1e-3)
                f = k2 / d
                fx, fy = dx / d * f, dy / d * f
                sx[u] += fx
                sy[u] += fy
                sx[v] -= fx
                sy[v] -= fy
        for a, b, w in springs:
            dx, dy = px[a] - px[b], py[a] - py[b]
            d = max(hypot(dx, dy), 1e-3)
            f = d * d / k * (0.2 + w)
            fx, fy = dx / d * f, dy / d * f
            sx[a] -= fx
            sy[a] -= fy
            sx[b] += fx
            sy[b] += fy
        for v in range(n):
            sx[v] -= px[v] * k * GRAVITY  # keeps separate components near the middle
            sy[v] -= py[v] * k * GRAVITY
            length = hypot(sx[v], sy[v])
            if length > 0:
                step = min(length, temperature)
                px[v] += sx[v] / length * step
                py[v] += sy[v] / length * step
        temperature = max(temperature * 0.985, 0.002)
    pos = {v: [px[i], py[i]] for v, i in index.items()}
    return _normalise(pos)


def _normalise(pos: dict[str, list[float]]) -> dict[str, tuple[float, float]]:
    """Each axis stretched to [-1, 1] (the chart is wider than tall; a stretch keeps every neighbourhood)."""
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    hx, hy = (max(xs) - min(xs)) / 2 or 1.0, (max(ys) - min(ys)) / 2 or 1.0
    return {v: ((p[0] - cx) / hx, (p[1] - cy) / hy) for v, p in pos.items()}
