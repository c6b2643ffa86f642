"""How fast `tcn resolve` is: 100,000 names made from GeoNames with the variants member pages show.

    python benchmarks/resolve_bench.py [--rows 100000] [--data-dir DIR] [--seed 7]

Names are drawn from the gazetteer of DIR's working database (loaded first when missing): primary and
alternate names, upper case, accents dropped, administrative and local-government forms ("Stadt X",
"Comune di X", "City of X", "X District Council", "X County"), one-letter typos, a blank country, and made-up names. Prints the time to load the gazetteer, to
resolve, rows/s and the wall time of the whole command (what `tcn resolve` does, in process).
"""
from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from warehouse.db import connect  # noqa: E402
from warehouse.paths import data_paths  # noqa: E402
from warehouse.resolution.csv_io import resolve_file  # noqa: E402
from warehouse.resolution.store import open_resolver  # noqa: E402

FORMS = {"DE": "Stadt {}", "AT": "Stadt {}", "FR": "Ville de {}", "BE": "Commune de {}", "IT": "Comune di {}",
         "ES": "Ayuntamiento de {}", "PT": "Câmara Municipal de {}", "BR": "Prefeitura de {}",
         "NL": "Gemeente {}", "NO": "{} kommune", "SE": "{} kommun", "DK": "{} Kommune", "PL": "Miasto {}",
         "GR": "Municipality of {}", "GB": "{} City Council", "US": "City of {}", "AU": "City of {}",
         "NZ": "{} District Council", "IE": "{} County Council", "CA": "{} County", "HU": "{} Egyesület"}


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 6:
        return text
    i = rng.randrange(2, len(text) - 1)
    return text[:i] + rng.choice("aeioulnrst") + text[i + 1:]


def make_rows(db_path: Path, n: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    with connect(db_path, read_only=True) as con:
        places = con.execute("SELECT geonameid, name, country_code FROM ref.places WHERE population >= 1000 "
                             "ORDER BY geonameid").fetchall()
        alternates = dict(con.execute(
            "SELECT geonameid, arg_min(name, length(name)) FROM ref.place_names "
            "WHERE NOT is_primary AND regexp_matches(name, '^[A-Za-zÀ-ÿ .''-]+$') GROUP BY geonameid").fetchall())
    rows = []
    for i in range(n):
        gid, name, cc = rng.choice(places)
        variant = i % 10
        if variant == 0 and gid in alternates:
            name = alternates[gid]
        elif variant == 1:
            name = name.upper()
        elif variant == 2:
            name = _plain(name)
        elif variant == 3 and cc in FORMS:
            name = FORMS[cc].format(name)
        elif variant == 4:
            name = _typo(name, rng)
        elif variant == 5:
            cc = ""
        elif variant == 6:
            name = "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(4)).title()
        rows.append([name, cc, str(i)])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    db = data_paths(args.data_dir).working_db
    open_resolver(db)  # make sure the gazetteer is there before timing
    rows = make_rows(db, args.rows, args.seed)
    with tempfile.TemporaryDirectory(prefix="tcn-resolve-bench-") as tmp:
        src, out = Path(tmp) / "names.csv", Path(tmp) / "resolved.csv"
        with src.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["name", "country_code", "row"])
            writer.writerows(rows)
        started = time.perf_counter()
        resolver = open_resolver(db)
        loaded = time.perf_counter()
        counts = resolve_file(src, out, resolver)
        done = time.perf_counter()
        with out.open(encoding="utf-8") as f:
            methods: dict[str, int] = {}
            for r in csv.DictReader(f):
                methods[r["method"]] = methods.get(r["method"], 0) + 1
    resolve_s, wall_s = done - loaded, done - started
    print(f"rows {counts['rows']}, resolved {counts['resolved']} ({counts['resolved'] / counts['rows']:.1%})")
    print(f"methods {dict(sorted(methods.items()))}")
    print(f"gazetteer load {loaded - started:.1f} s, resolve {resolve_s:.1f} s "
          f"({counts['rows'] / resolve_s:,.0f} rows/s), wall {wall_s:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
