"""Land outlines for the member map, drawn offline: Natural Earth's 1:110m Admin 0 countries (public domain),
kept in the repository as publication/report/land_110m.json (rings of longitude/latitude, 0.01° precision).

The file is derived, not fetched: `python -m publication.report.land PATH` decodes the TopoJSON of the npm
package world-atlas (countries-110m.json, or the package's .tgz as `npm pack world-atlas` leaves it) into it.
"""
from __future__ import annotations

import json
import sys
import tarfile
from functools import lru_cache
from pathlib import Path

LAND_FILE = Path(__file__).with_name("land_110m.json")
SOURCE = ("Natural Earth 1:110m Cultural Vectors, Admin 0 - Countries (v4.1.0), via the npm package "
          "world-atlas (countries-110m.json)")
LICENCE = "Natural Earth: public domain (naturalearthdata.com/about/terms-of-use)"
PRECISION = 2  # decimal places of a degree: ~1 km, far below what 1:110m resolves


class LandOutlinesError(ValueError):
    pass


def _decoded_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Every arc in degrees: quantized arcs are delta-encoded integers, scaled and translated back."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy, *_ in arc:
                x, y = x + dx, y + dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(p[0], p[1]) for p in arc]
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[float, float]]], indices: list[int]) -> list[tuple[float, float]]:
    """A ring from its arcs; a negative index ~i is arc i reversed; consecutive arcs share an end point."""
    ring: list[tuple[float, float]] = []
    for index in indices:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


def topology_rings(topology: dict, collection: str) -> list[list[tuple[float, float]]]:
    """The outer and inner rings of every polygon of one TopoJSON geometry collection."""
    try:
        geometries = topology["objects"][collection]["geometries"]
        arcs = _decoded_arcs(topology)
    except (KeyError, TypeError, ValueError) as exc:
        raise LandOutlinesError(f"not a TopoJSON topology with a {collection!r} collection: {exc}") from exc
    rings = []
    for geometry in geometries:
        polygons = {"Polygon": [geometry.get("arcs")], "MultiPolygon": geometry.get("arcs")}.get(geometry.get("type"))
        for polygon in polygons or []:
            rings.extend(_ring(arcs, ring) for ring in polygon)
    return [r for r in rings if len(r) >= 4]


def _jumps(ring: list[tuple[float, float]]) -> int:
    return sum(1 for a, b in zip(ring, ring[1:]) if abs(b[0] - a[0]) > 180)


def antimeridian_safe(rings: list[list[tuple[float, float]]]) -> list[list[tuple[float, float]]]:
    """Rings that cross the antimeridian (Fiji, Chukotka) jump from 180° to -180° and back, which a plain x/y
    plot draws as lines across the whole map. Such a ring is unwrapped into continuous longitudes (running
    past ±180°, where the axis clips it) and drawn a second time shifted by 360° for its other side. A ring
    around a pole (Antarctica) crosses once and is kept as it is."""
    safe = []
    for ring in rings:
        if _jumps(ring) == 0 or _jumps(ring) % 2:
            safe.append(ring)
            continue
        shift, unwrapped = 0.0, [ring[0]]
        for (x0, _), (x1, y1) in zip(ring, ring[1:]):
            if x1 - x0 > 180:
                shift -= 360
            elif x0 - x1 > 180:
                shift += 360
            unwrapped.append((x1 + shift, y1))
        other = -360 if max(x for x, _ in unwrapped) > 180 else 360
        safe += [unwrapped, [(x + other, y) for x, y in unwrapped]]
    return safe


def _read_topology(path: Path) -> dict:
    if path.name.endswith((".tgz", ".tar.gz")):
        with tarfile.open(path) as tar:
            return json.load(tar.extractfile("package/countries-110m.json"))
    return json.loads(path.read_text(encoding="utf-8"))


def write_land_file(source: Path, target: Path = LAND_FILE) -> int:
    """Decode `source` (world-atlas's countries-110m.json or its package .tgz) into `target`; returns rings."""
    rings = antimeridian_safe(topology_rings(_read_topology(Path(source)), "countries"))
    payload = {"source": SOURCE, "licence": LICENCE,
               "rings": [[round(v, PRECISION) for point in ring for v in point] for ring in rings]}
    target.write_text(json.dumps(payload, separators=(",", ":")) + "\n", encoding="utf-8")
    return len(rings)


@lru_cache(maxsize=1)
def land_rings() -> list[list[float]]:
    """The committed outlines: each ring a flat list lon, lat, lon, lat, ..."""
    return json.loads(LAND_FILE.read_text(encoding="utf-8"))["rings"]


def land_trace_coordinates() -> tuple[list, list]:
    """x (longitude) and y (latitude) of every ring for one plotly trace, rings separated by None."""
    xs: list = []
    ys: list = []
    for ring in land_rings():
        xs.extend(ring[0::2] + [None])
        ys.extend(ring[1::2] + [None])
    return xs, ys


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m publication.report.land world-atlas-*.tgz|countries-110m.json")
    print(f"{write_land_file(Path(sys.argv[1]))} rings written to {LAND_FILE}")
