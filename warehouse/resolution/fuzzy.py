"""Typos within one country ("Roesalare" -> Roeselare): edit distance over the country's name keys.

Fuzzy matching is where a resolver lands on the wrong town: a member whose name is not in the gazetteer at
all (a merged commune, a municipality GeoNames lists only as an administrative unit, a place under 500
inhabitants) has near-namesakes, often small villages elsewhere in the country. So it is allowed only where
it was measured safe (benchmarks/resolution_eval.py --sweep, on names the rules were not built from: typos
of the independent gold's dev split against names absent from the gazetteer):
  - within a known country, never across borders or worldwide;
  - keys of at least MIN_LENGTH characters, exactly one edit (optimal string alignment: a swap of two
    neighbouring letters is one edit), the same first letter;
  - the nearest key must be the only one at that distance, and name places of the country whose largest
    has at least MIN_POPULATION inhabitants (the resolver's population margin then decides among them).
"""
from __future__ import annotations

from rapidfuzz import process
from rapidfuzz.distance import OSA

MIN_LENGTH = 8
LONG_KEY = 99
MIN_POPULATION = 5_000


def fuzzy_candidates(index, key: str, country_code: str, min_length: int = MIN_LENGTH,
                     long_key: int = LONG_KEY, min_population: int = MIN_POPULATION) -> list[tuple[int, float]]:
    """(geonameid, similarity) of the places named by the one nearest name key of the country, or []."""
    if len(key) < min_length:
        return []
    max_edits = 2 if len(key) >= long_key else 1
    choices = index.fuzzy_choices(country_code, key[0])
    hits = process.extract(key, choices, scorer=OSA.distance, score_cutoff=max_edits, limit=5)
    hits = [(k, d) for k, d, _ in hits if k != key]
    if not hits:
        return []
    best = min(d for _, d in hits)
    nearest = [k for k, d in hits if d == best]
    if len(nearest) != 1:  # two names one edit away: the typo could be of either
        return []
    similarity = 1 - best / max(len(key), len(nearest[0]))
    out = {}
    for gid, _ in index.by_key[nearest[0]]:
        place = index.places.get(gid)
        if place is not None and place.country_code == country_code:
            out[gid] = (similarity, place.population)
    if not out or max(pop for _, pop in out.values()) < min_population:
        return []
    return [(gid, sim) for gid, (sim, _) in out.items()]
