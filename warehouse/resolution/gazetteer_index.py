"""The gazetteer in memory for resolution: places, name keys -> places, countries and their aliases.

Read once from the ref tables the pipeline loaded (warehouse.gazetteer); matching then costs a dict lookup,
which is what lets `tcn resolve` handle 100,000 rows in seconds.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.collector import collector_paused
from warehouse.db import connect
from warehouse.namekey import name_key

_BRACKET = re.compile(r"\([^()]*\)")


@dataclass(frozen=True)
class Place:
    geonameid: int
    name: str
    country_code: str
    admin1: str
    population: int
    admin2: int = 0     # geonameid of the second-level division it lies in (ref.place_divisions), 0 unknown


@dataclass(frozen=True)
class Division:
    geonameid: int
    name: str
    country_code: str
    level: int          # 1 = GeoNames ADM1 (region, state, land), 2 = ADM2 (province, département, county)
    division_type: str
    admin1: str = ""    # the GeoNames admin1 code it lies in (as Place.admin1)


@dataclass
class GazetteerIndex:
    places: dict[int, Place]
    # name key -> ((geonameid, is_primary), ...); a key can name places in many countries
    by_key: dict[str, tuple[tuple[int, bool], ...]]
    # name key or code of a country ("uk", "deutschland", "rks") -> ISO2; only keys naming one country
    country_by_key: dict[str, str]
    continent_of: dict[str, str]
    version: str
    divisions: dict[int, Division] = field(default_factory=dict)
    # name key -> geonameids of divisions carrying it (as name or alias)
    division_by_key: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # (country, second-level code: Italian province sigla, French département number) -> admin1 code
    province_codes: dict[tuple[str, str], str] = field(default_factory=dict)
    # second-level division geonameid -> its places, most populous first
    division_places: dict[int, tuple[int, ...]] = field(default_factory=dict)
    # (country, key of a first-level division's name, alias or ISO 3166-2 suffix: "vic", "nsw") -> admin1 code
    admin1_by_key: dict[tuple[str, str], str] = field(default_factory=dict)
    _fuzzy_choices: dict[tuple[str, str], list[str]] = field(default_factory=dict, repr=False)
    _country_keys: dict[str, list[str]] | None = field(default=None, repr=False)
    _squashed: dict[str, dict[str, list[str]]] = field(default_factory=dict, repr=False)

    def lookup(self, key: str, countries: frozenset[str] | None = None) -> list[tuple[Place, bool]]:
        """Places named `key` (within `countries` when given), each with whether the key is its primary name."""
        found: dict[int, bool] = {}
        for gid, primary in self.by_key.get(key, ()):
            place = self.places.get(gid)
            if place is None or (countries is not None and place.country_code not in countries):
                continue
            found[gid] = found.get(gid, False) or primary
        return [(self.places[gid], primary) for gid, primary in found.items()]

    def province_admin1(self, country_code: str, code: str) -> str | None:
        """The first-level division a second-level code lies in ("IT", "PU" -> "10"; "FR", "84" -> "93")."""
        return self.province_codes.get((country_code, code.upper()))

    def lookup_division(self, key: str, country_code: str, level: int | None = None) -> list[Division]:
        """Administrative divisions of a country named `key`, of `level` when given."""
        out = []
        for gid in self.division_by_key.get(key, ()):
            d = self.divisions[gid]
            if d.country_code == country_code and (level is None or d.level == level):
                out.append(d)
        return out

    def places_in(self, division: Division) -> list[Place]:
        """The places of a division, most populous first: by ref.place_divisions for a second-level one, by
        admin1 code for a first-level one."""
        if division.level == 2:
            return [self.places[g] for g in self.division_places.get(division.geonameid, ()) if g in self.places]
        return sorted((p for p in self.places.values()
                       if p.country_code == division.country_code and p.admin1 == division.admin1),
                      key=lambda p: (-p.population, p.geonameid))

    def admin1_of(self, country_code: str, key: str) -> str | None:
        """The admin1 code of the first-level division (state, region, province) of `country_code` that `key`
        names ("victoria", "vic", "balikesir"), None when none or several."""
        return self.admin1_by_key.get((country_code, key))

    def squashed_keys(self, country_code: str, squashed: str) -> list[str]:
        """Name keys of one country that equal `squashed` once their spaces are dropped ("neu ulm", "neuulm";
        "kam yans ke" for "Kamyanske"): hyphen, space and apostrophe variants of one name."""
        if country_code not in self._squashed:
            table: dict[str, list[str]] = defaultdict(list)
            for key in self._keys_of(country_code):
                table[key.replace(" ", "")].append(key)
            self._squashed[country_code] = dict(table)
        return self._squashed[country_code].get(squashed, [])

    def _keys_of(self, country_code: str) -> list[str]:
        if self._country_keys is None:
            per_country: dict[str, set[str]] = defaultdict(set)
            for key, entries in self.by_key.items():
                for gid, _ in entries:
                    place = self.places.get(gid)
                    if place is not None:
                        per_country[place.country_code].add(key)
            self._country_keys = {cc: sorted(keys) for cc, keys in per_country.items()}
        return self._country_keys.get(country_code, [])

    def fuzzy_choices(self, country_code: str, first_char: str) -> list[str]:
        """Name keys of one country starting with `first_char` (typos rarely hit the first letter; bucketing
        keeps fuzzy search within a country fast)."""
        if (country_code, "") not in self._fuzzy_choices:  # bucket the whole country in one pass
            buckets: dict[str, list[str]] = defaultdict(list)
            for key in self._keys_of(country_code):
                buckets[key[0]].append(key)
            self._fuzzy_choices[(country_code, "")] = []
            for char, keys in buckets.items():
                self._fuzzy_choices[(country_code, char)] = keys
        return self._fuzzy_choices.get((country_code, first_char), [])


def gazetteer_loaded(db_path: Path) -> bool:
    """Whether the gazetteer is in `db_path` (its tables exist once the migrations ran)."""
    with connect(db_path, read_only=True) as con:
        return con.execute("SELECT count(*) FROM ref.places").fetchone()[0] > 0


def load_index(db_path: Path) -> GazetteerIndex:
    """Read the ref tables of `db_path` (read-only) into memory."""
    with collector_paused():  # millions of tuples and dicts, no cycles
        return _read_index(db_path)


def _read_index(db_path: Path) -> GazetteerIndex:
    with connect(db_path, read_only=True) as con:
        con.execute("SET enable_progress_bar = false")
        version_row = con.execute(
            "SELECT version FROM ref.gazetteer_versions ORDER BY loaded_at DESC LIMIT 1").fetchone()
        place_rows = con.execute("SELECT geonameid, name, country_code, coalesce(admin1_code, ''), population, "
                                 "coalesce(d.admin2_geonameid, 0) FROM ref.places "
                                 "LEFT JOIN ref.place_divisions d USING (geonameid)").fetchall()
        name_rows = con.execute("SELECT name_key, geonameid, is_primary FROM ref.place_names "
                                "WHERE name_key <> ''").fetchall()
        country_rows = con.execute(
            "SELECT name_key, min(country_code) FROM ref.country_names WHERE name_key <> '' "
            "GROUP BY name_key HAVING count(DISTINCT country_code) = 1").fetchall()
        continents = dict(con.execute("SELECT country_code, continent_code FROM ref.countries").fetchall())
        division_rows = con.execute(
            "SELECT geonameid, name, country_code, admin_level, coalesce(division_type, ''), "
            "coalesce(split_part(admin_code, '.', 2), ''), split_part(admin_code, '.', 3), "
            "coalesce(split_part(iso_code, '-', 2), '') "
            "FROM ref.admin_divisions").fetchall()
        division_name_rows = con.execute(
            "SELECT DISTINCT name_key, geonameid, name FROM ref.admin_division_names WHERE name_key <> ''"
        ).fetchall()
    places = {gid: Place(gid, name, cc, a1, pop, a2) for gid, name, cc, a1, pop, a2 in place_rows}
    in_division: dict[int, list[Place]] = defaultdict(list)
    for place in places.values():
        if place.admin2:
            in_division[place.admin2].append(place)
    division_places = {d: tuple(p.geonameid for p in sorted(ps, key=lambda p: (-p.population, p.geonameid)))
                       for d, ps in in_division.items()}
    grouped: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for key, gid, primary in name_rows:
        grouped[key].append((gid, primary))
    by_key = {k: tuple(v) for k, v in grouped.items()}
    divisions = {gid: Division(gid, name, cc, level, kind, a1)
                 for gid, name, cc, level, kind, a1, _, _ in division_rows}
    province_codes = {(cc, a2.upper()): a1 for _, _, cc, level, _, a1, a2, _ in division_rows if level == 2 and a2}
    from warehouse.resolution.forms import strip_city_forms

    division_keys: dict[str, set[int]] = defaultdict(set)
    admin1_keys: dict[tuple[str, str], set[str]] = defaultdict(set)
    iso_suffix = {gid: iso for gid, _, _, level, _, _, _, iso in division_rows if level == 1 and iso}
    for key, gid, raw in division_name_rows:  # also without their forms: "Stockholms kommun", "Gemeente Utrecht"
        d = divisions.get(gid)
        bare = name_key(_BRACKET.sub(" ", raw)) if "(" in raw else key  # "Latrobe (Vic.)": also "latrobe"
        for k in {key, bare, *strip_city_forms(key), *strip_city_forms(bare)}:
            if k:
                division_keys[k].add(gid)
        if d and d.level == 1:
            admin1_keys[(d.country_code, key)].add(d.admin1)
    for gid, iso in iso_suffix.items():  # "AU-VIC": "vic"
        d = divisions[gid]
        admin1_keys[(d.country_code, iso.lower())].add(d.admin1)
    admin1_by_key = {k: next(iter(v)) for k, v in admin1_keys.items() if len(v) == 1}
    return GazetteerIndex(places=places, by_key=by_key, country_by_key=dict(country_rows),
                          continent_of=continents, version=version_row[0] if version_row else "unknown",
                          divisions=divisions, division_by_key={k: tuple(sorted(v)) for k, v in division_keys.items()},
                          province_codes=province_codes, division_places=division_places,
                          admin1_by_key=admin1_by_key)
