"""The gazetteer in memory for resolution: places, name keys -> places, countries and their aliases.

Read once from the ref tables the pipeline loaded (warehouse.gazetteer); matching then costs a dict lookup,
which is what lets `tcn resolve` handle 100,000 rows in seconds.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.db import connect


@dataclass(frozen=True)
class Place:
    geonameid: int
    name: str
    country_code: str
    admin1: str
    population: int


@dataclass
class GazetteerIndex:
    places: dict[int, Place]
    # name key -> ((geonameid, is_primary), ...); a key can name places in many countries
    by_key: dict[str, tuple[tuple[int, bool], ...]]
    # name key or code of a country ("uk", "deutschland", "rks") -> ISO2; only keys naming one country
    country_by_key: dict[str, str]
    continent_of: dict[str, str]
    version: str
    _fuzzy_choices: dict[tuple[str, str], list[str]] = field(default_factory=dict, repr=False)
    _country_keys: dict[str, list[str]] | None = field(default=None, repr=False)

    def lookup(self, key: str, countries: frozenset[str] | None = None) -> list[tuple[Place, bool]]:
        """Places named `key` (within `countries` when given), each with whether the key is its primary name."""
        found: dict[int, bool] = {}
        for gid, primary in self.by_key.get(key, ()):
            place = self.places.get(gid)
            if place is None or (countries is not None and place.country_code not in countries):
                continue
            found[gid] = found.get(gid, False) or primary
        return [(self.places[gid], primary) for gid, primary in found.items()]

    def fuzzy_choices(self, country_code: str, first_char: str) -> list[str]:
        """Name keys of one country starting with `first_char` (typos rarely hit the first letter; bucketing
        keeps fuzzy search within a country fast)."""
        if self._country_keys is None:
            per_country: dict[str, set[str]] = defaultdict(set)
            for key, entries in self.by_key.items():
                for gid, _ in entries:
                    place = self.places.get(gid)
                    if place is not None:
                        per_country[place.country_code].add(key)
            self._country_keys = {cc: sorted(keys) for cc, keys in per_country.items()}
        if (country_code, "") not in self._fuzzy_choices:  # bucket the whole country in one pass
            buckets: dict[str, list[str]] = defaultdict(list)
            for key in self._country_keys.get(country_code, []):
                buckets[key[0]].append(key)
            self._fuzzy_choices[(country_code, "")] = []
            for char, keys in buckets.items():
                self._fuzzy_choices[(country_code, char)] = keys
        return self._fuzzy_choices.get((country_code, first_char), [])


def gazetteer_loaded(db_path: Path) -> bool:
    with connect(db_path, read_only=True) as con:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'ref'").fetchall()}
        if not {"places", "place_names", "countries", "country_names"} <= tables:
            return False
        return con.execute("SELECT count(*) FROM ref.places").fetchone()[0] > 0


def load_index(db_path: Path) -> GazetteerIndex:
    """Read the ref tables of `db_path` (read-only) into memory."""
    with connect(db_path, read_only=True) as con:
        con.execute("SET enable_progress_bar = false")
        version_row = con.execute(
            "SELECT version FROM ref.gazetteer_versions ORDER BY loaded_at DESC LIMIT 1").fetchone()
        place_rows = con.execute("SELECT geonameid, name, country_code, coalesce(admin1_code, ''), population "
                                 "FROM ref.places").fetchall()
        name_rows = con.execute("SELECT name_key, geonameid, is_primary FROM ref.place_names "
                                "WHERE name_key <> ''").fetchall()
        country_rows = con.execute(
            "SELECT name_key, min(country_code) FROM ref.country_names WHERE name_key <> '' "
            "GROUP BY name_key HAVING count(DISTINCT country_code) = 1").fetchall()
        continents = dict(con.execute("SELECT country_code, continent_code FROM ref.countries").fetchall())
    places = {gid: Place(gid, name, cc, a1, pop) for gid, name, cc, a1, pop in place_rows}
    grouped: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for key, gid, primary in name_rows:
        grouped[key].append((gid, primary))
    by_key = {k: tuple(v) for k, v in grouped.items()}
    return GazetteerIndex(places=places, by_key=by_key, country_by_key=dict(country_rows),
                          continent_of=continents, version=version_row[0] if version_row else "unknown")
