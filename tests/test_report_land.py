"""The member map's land outlines: the TopoJSON decoding, the committed Natural Earth file (its source and
licence noted), and that the map draws them under the cities."""
import json

import pytest

from publication.report import geography
from publication.report.land import (LAND_FILE, LandOutlinesError, antimeridian_safe, land_rings,
                                     land_trace_coordinates, topology_rings, write_land_file)

# A hand-made quantized TopoJSON: arc 0 runs (0,0) -> (2,0) -> (2,2); arc 1 runs (2,2) -> (0,2) -> (0,0).
# Delta-encoded and scaled by 0.5, translated by (10, 20); the square (10,20)-(11,21) is arc 0 then arc 1,
# and a second polygon walks arc 1 reversed then arc 0 reversed (~1 = -2, ~0 = -1).
TOPOLOGY = {
    "type": "Topology", "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
    "arcs": [[[0, 0], [2, 0], [0, 2]], [[2, 2], [-2, 0], [0, -2]]],
    "objects": {"countries": {"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "arcs": [[0, 1]]},
        {"type": "MultiPolygon", "arcs": [[[-2, -1]]]},
        {"type": "Point", "coordinates": [0, 0]}]}},
}


def test_topojson_arcs_are_decoded_joined_and_reversed():
    square, reversed_square = topology_rings(TOPOLOGY, "countries")
    assert square == [(10, 20), (11, 20), (11, 21), (10, 21), (10, 20)]
    assert reversed_square == square[::-1]


def test_a_file_that_is_not_a_topology_is_refused_by_name(tmp_path):
    with pytest.raises(LandOutlinesError, match="'countries'"):
        topology_rings({"type": "Topology", "arcs": []}, "countries")


def test_the_land_file_is_written_with_its_source_and_licence(tmp_path):
    source = tmp_path / "countries-110m.json"
    source.write_text(json.dumps(TOPOLOGY))
    target = tmp_path / "land.json"
    assert write_land_file(source, target) == 2
    written = json.loads(target.read_text())
    assert "Natural Earth" in written["source"] and "public domain" in written["licence"]
    assert written["rings"][0] == [10, 20, 11, 20, 11, 21, 10, 21, 10, 20]


def _inside(lon: float, lat: float, ring: list[float]) -> bool:
    """Even-odd rule on one ring (flat lon, lat list)."""
    xs, ys, inside = ring[0::2], ring[1::2], False
    for i in range(len(xs)):
        j = i - 1
        if (ys[i] > lat) != (ys[j] > lat) and lon < (xs[j] - xs[i]) * (lat - ys[i]) / (ys[j] - ys[i]) + xs[i]:
            inside = not inside
    return inside


# Coordinates of places (degrees, GeoNames) and open-sea points: the committed outlines must put the cities
# on land and the sea points in no ring.
ON_LAND = {"Berlin": (13.41, 52.52), "Nairobi": (36.82, -1.28), "São Paulo": (-46.64, -23.55),
           "Sydney": (151.21, -33.87), "Chicago": (-87.65, 41.85), "Delhi": (77.22, 28.65),
           "Anadyr, Chukotka": (177.51, 64.73), "Labasa, Fiji (across 180°)": (179.39, -16.42)}
AT_SEA = {"mid-Atlantic": (-30.0, 0.0), "south Pacific": (-140.0, -30.0), "Indian Ocean": (80.0, -20.0)}


def test_the_committed_outlines_put_cities_on_land_and_the_oceans_outside():
    data = json.loads(LAND_FILE.read_text(encoding="utf-8"))
    assert "Natural Earth" in data["source"] and "public domain" in data["licence"]
    rings = land_rings()
    assert len(rings) > 150  # every country, with its islands
    for name, (lon, lat) in ON_LAND.items():
        assert any(_inside(lon, lat, r) for r in rings), name
    for name, (lon, lat) in AT_SEA.items():
        assert not any(_inside(lon, lat, r) for r in rings), name
    # no line across the map: only the ring around the South Pole steps from 180° to -180°
    across = [r for r in rings if any(abs(b - a) > 180 for a, b in zip(r[0::2], r[2::2]))]
    assert len(across) == 1 and max(across[0][1::2]) < -60


def test_a_ring_across_the_antimeridian_is_unwrapped_and_drawn_on_both_sides():
    island = [(179.0, -16.0), (-179.0, -16.0), (-179.0, -17.0), (179.0, -17.0), (179.0, -16.0)]
    east, west = antimeridian_safe([island])
    assert east == [(179.0, -16.0), (181.0, -16.0), (181.0, -17.0), (179.0, -17.0), (179.0, -16.0)]
    assert west == [(x - 360, y) for x, y in east]
    polar = [(-180.0, -80.0), (0.0, -70.0), (180.0, -80.0), (-180.0, -80.0)]  # once around the pole
    assert antimeridian_safe([polar]) == [polar]


def test_the_member_map_draws_the_land_under_the_cities():
    cities = [{"city_id": 1, "name": "Berlin", "country": "DE", "lat": 52.52, "lon": 13.41, "population": 3_000_000,
               "n_networks": 3, "network_ids": ["a", "b", "c"]}]
    chart = geography.member_map(cities, "")
    land, members = chart.figure.data
    xs, _ = land_trace_coordinates()
    assert land.fill == "toself" and list(land.x) == xs and land.hoverinfo == "skip"
    assert list(members.x) == [13.41] and "Natural Earth" in chart.caption
