"""Typos within one country ("Roesalare" -> Roeselare): Levenshtein distance over the country's name keys.

Only within a known country, never across countries. Limits chosen from the gold set
(benchmarks/resolution_eval.py): keys of at least MIN_LENGTH characters, at most one edit (two from
LONG_KEY characters on), the same first letter (typos rarely hit it, and it keeps the search fast). Every
place named by a key at the best distance is a candidate; the resolver's population margin then decides.
"""
from __future__ import annotations

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

MIN_LENGTH = 6
LONG_KEY = 10


def fuzzy_candidates(index, key: str, country_code: str, min_length: int = MIN_LENGTH,
                     long_key: int = LONG_KEY) -> list[tuple[int, float]]:
    """(geonameid, similarity) of the places named by the nearest name keys of the country, or []."""
    if len(key) < min_length:
        return []
    max_edits = 2 if len(key) >= long_key else 1
    choices = index.fuzzy_choices(country_code, key[0])
    hits = process.extract(key, choices, scorer=Levenshtein.distance, score_cutoff=max_edits, limit=5)
    hits = [(k, d) for k, d, _ in hits if k != key]
    if not hits:
        return []
    best = min(d for _, d in hits)
    out: dict[int, float] = {}
    for nearest in (k for k, d in hits if d == best):
        similarity = 1 - best / max(len(key), len(nearest))
        for gid, _ in index.by_key[nearest]:
            place = index.places.get(gid)
            if place is not None and place.country_code == country_code:
                out[gid] = max(out.get(gid, 0.0), similarity)
    return list(out.items())
