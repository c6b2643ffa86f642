"""Country of a member: from the page's country text, from the member name, from the network, or a region.

Pages write countries as names in many languages, ISO2/ISO3 codes and non-ISO codes: all of them are in one
table, ref.country_names (GeoNames' names and codes plus warehouse.gazetteer.COUNTRY_ALIASES), which dbt reads
too, so a country text means one country everywhere. Here: that lookup, the US state codes used in
"Portland, OR", and the countries a network's region covers.
"""
from __future__ import annotations

from warehouse.namekey import name_key

US_STATES = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
    "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
    "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR",
}

# A network's region as the registry writes it -> continents (GeoNames codes) or countries it covers.
_EUROPE_EXTRA = {"CY", "TR", "GE", "AM", "AZ", "IL"}  # Council of Europe / EU programmes reach these
_MEDITERRANEAN = {"MA", "DZ", "TN", "LY", "EG", "PS", "IL", "LB", "SY", "JO", "TR", "CY", "MT"}
_ARAB = {"DZ", "BH", "KM", "DJ", "EG", "IQ", "JO", "KW", "LB", "LY", "MR", "MA", "OM", "PS", "QA", "SA", "SO",
         "SD", "SY", "TN", "AE", "YE"}
_NORTH_AMERICA_NOT_LATIN = {"US", "CA", "GL", "PM", "BM"}


def parse_country(text: str | None, country_by_key: dict[str, str]) -> str | None:
    """ISO2 code of a country text ("Deutschland", "UK", "RKS", "United Kingdom of Great Britain ..."),
    None when the text names no single country. One lookup in ref.country_names, as dbt's stg_country_names."""
    key = name_key(text)
    return country_by_key.get(key) if key else None


def region_countries(region: str | None, country_by_key: dict[str, str],
                     continent_of: dict[str, str]) -> frozenset[str] | None:
    """Countries a network's region covers; None when the region is the world or cannot be read."""
    key = name_key(region)
    if not key or key.startswith("world") or "global" in key or "international" in key:
        return None
    whole = parse_country(region, country_by_key)
    if whole:
        return frozenset({whole})
    continents: set[str] = set()
    countries: set[str] = set()
    if "europe" in key or "euro" in key.split():
        continents.add("EU")
        countries |= _EUROPE_EXTRA
    if "mediterranean" in key:
        countries |= _MEDITERRANEAN
    if "africa" in key:
        continents.add("AF")
    if "arab" in key or "middle east" in key:
        countries |= _ARAB | {"TR", "IL", "IR"}
    if "asia" in key:
        continents.add("AS")
    if "pacific" in key or "oceania" in key:
        continents.add("OC")
    if "south america" in key or "mercosur" in key:
        continents.add("SA")
    if "latin america" in key or "caribbean" in key:
        continents.add("SA")
        countries |= {cc for cc, c in continent_of.items() if c == "NA" and cc not in _NORTH_AMERICA_NOT_LATIN}
    # countries named inside the region text: "Canada (Québec)", "United Kingdom and Ireland"
    for part in key.replace(" and ", ",").split(","):
        cc = parse_country(part, country_by_key)
        if cc:
            countries.add(cc)
    for word_group in _word_groups(key):
        cc = country_by_key.get(word_group)
        if cc and len(word_group) > 3:
            countries.add(cc)
    countries |= {cc for cc, c in continent_of.items() if c in continents}
    return frozenset(countries) or None


def _word_groups(key: str) -> list[str]:
    words = key.split()
    return [" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, min(len(words), i + 4) + 1)]
