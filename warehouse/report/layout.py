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
    pos = {v: [math.cos(2 * math.pi * k / n), math.sin(2 * math.pi * k / n)] for k, v in enumerate(nodes)}
    top = max(edges.values(), default=1.0) or 1.0
    # log scale: one pair sharing 300 members must not collapse everything else into a dot
    springs = [(a, b, math.log1p(w) / math.log1p(top)) for (a, b), w in edges.items()
               if a in pos and b in pos and a != b and w > 0]
    k = math.sqrt(4.0 / n)  # ideal distance on a 2 x 2 canvas
    temperature = 0.2
    for _ in range(iterations):
        shift = {v: [0.0, 0.0] for v in nodes}
        for x, u in enumerate(nodes):
            for v in nodes[x + 1:]:
                dx, dy = pos[u][0] - pos[v][0], pos[u][1] - pos[v][1]
                d = max(math.hypot(dx, dy), 1e-3)
                f = k * k / d
                shift[u][0] += dx / d * f
                shift[u][1] += dy / d * f
                shift[v][0] -= dx / d * f
                shift[v][1] -= dy / d * f
        for a, b, w in springs:
            dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
            d = max(math.hypot(dx, dy), 1e-3)
            f = d * d / k * (0.2 + w)
            shift[a][0] -= dx / d * f
            shift[a][1] -= dy / d * f
            shift[b][0] += dx / d * f
            shift[b][1] += dy / d * f
        for v in nodes:
            shift[v][0] -= pos[v][0] * k * GRAVITY  # keeps separate components near the middle
            shift[v][1] -= pos[v][1] * k * GRAVITY
            length = math.hypot(*shift[v])
            if length > 0:
                step = min(length, temperature)
                pos[v][0] += shift[v][0] / length * step
                pos[v][1] += shift[v][1] / length * step
        temperature = max(temperature * 0.985, 0.002)
    return _normalise(pos)


def _normalise(pos: dict[str, list[float]]) -> dict[str, tuple[float, float]]:
    """Each axis stretched to [-1, 1] (the chart is wider than tall; a stretch keeps every neighbourhood)."""
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    hx, hy = (max(xs) - min(xs)) / 2 or 1.0, (max(ys) - min(ys)) / 2 or 1.0
    return {v: ((p[0] - cx) / hx, (p[1] - cy) / hy) for v, p in pos.items()}
