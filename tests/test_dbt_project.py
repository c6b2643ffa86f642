"""The dbt project end to end: a hand-made raw + ref fixture in a real DuckDB file, the real `dbt build`.

Fixture (all name keys computed by hand: lowercase ascii, punctuation folded):
  runs    r1 (2026-01-01, complete), r2 (2026-02-01, complete), r3 (2026-03-01, NO completion marker)
  net-a   regional, tag focus=refugees. r1: Berlin, Paris, Madrid. r2: Berlin, Munich, Paris, Strasbourg,
          Atlantis Town (no such place), BERLIN/DE (duplicate of Berlin/Germany).
  net-b   global, tag focus=[refugees, integration]. r1: Paris, Madrid. r2: Paris (no country: Paris FR
          2.1M vs Paris US 25k -> exact_world), Valencia (no country: VE 1.39M vs ES 0.81M -> unresolved),
          Madrid, Strasbourg.
  net-c   national DE, tag focus=migration. r1: Frankfurt (tie: am Main 650k vs Oder 58k), Berlin, Kehl,
          Kreis Nord (county, no such place). r2: one fetch ok (Hamburg), one parse_failed -> r2 is not good,
          net-c keeps its r1 members.
  r3 (incomplete) mentions Ghost Town and renames net-a: none of it may show.

Resolutions (ref.member_resolutions, written by hand as the Python resolver's rules decide, see
docs/resolution.md): Paris/net-b (no country: 2.1M >= 10 x 25k) exact at 0.9, Valencia/net-b ambiguous
without a country, Frankfurt/net-c within DE (the network's country) by alias, Munich by alias, Kreis Nord
not a city (the page says county), Atlantis Town no candidate.

Resolved city sets: A = {Berlin, Munich, Paris, Strasbourg}, B = {Paris, Madrid, Strasbourg},
C = {Frankfurt am Main, Berlin, Kehl}.
  A-B shared {Paris, Strasbourg} = 2: jaccard 2/(4+3-2) = 0.4, overlap 2/3
  A-C shared {Berlin} = 1:             jaccard 1/(4+3-1) = 1/6, overlap 1/3
  B-C shared {} = 0:                   jaccard 0, overlap 0
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from helpers.dbt import HAND_WRITTEN_LAYOUT, Built, build, in_place_of_the_build, rows, run_dbt, sha, utc
from warehouse.migrations import migrate

T1, T2, T3 = datetime(2026, 1, 1), datetime(2026, 2, 1), datetime(2026, 3, 1)

ALL = ["net-a", "net-b", "net-c"]

# geonameid, name, country, admin1, lat, lon, population, name keys (first = primary)
PLACES = [
    (101, "Berlin", "DE", "16", 52.5244, 13.4105, 3_426_354, ["berlin"]),
    (102, "München", "DE", "02", 48.1374, 11.5755, 1_260_391, ["munchen", "munich"]),
    (103, "Frankfurt am Main", "DE", "05", 50.1155, 8.6842, 650_000, ["frankfurt am main", "frankfurt"]),
    (104, "Frankfurt (Oder)", "DE", "11", 52.3471, 14.5506, 58_000, ["frankfurt oder", "frankfurt"]),
    (105, "Kehl", "DE", "01", 48.5724, 7.8156, 35_000, ["kehl"]),
    (106, "Hamburg", "DE", "04", 53.5753, 10.0153, 1_739_117, ["hamburg"]),
    (201, "Paris", "FR", "11", 48.8534, 2.3488, 2_138_551, ["paris"]),
    (202, "Strasbourg", "FR", "44", 48.5839, 7.7455, 274_845, ["strasbourg", "strassburg"]),
    (301, "Madrid", "ES", "29", 40.4165, -3.7026, 3_255_944, ["madrid"]),
    # two names with one key: still one candidate
    (302, "Valencia", "ES", "60", 39.4739, -0.3763, 814_208, ["valencia", "valencia"]),
    (401, "Paris", "US", "TX", 33.6609, -95.5555, 24_782, ["paris"]),
    (501, "Valencia", "VE", "07", 10.1620, -68.0077, 1_385_083, ["valencia"]),
]
# code, iso3, name, continent code, continent, capital geonameid, neighbours
COUNTRIES = [
    ("DE", "DEU", "Germany", "EU", "Europe", 101, ["FR", "PL", "AT"]),
    ("FR", "FRA", "France", "EU", "Europe", 201, ["DE", "ES"]),
    ("ES", "ESP", "Spain", "EU", "Europe", 301, ["FR"]),
    ("US", "USA", "United States", "NA", "North America", None, ["CA", "MX"]),
    ("VE", "VEN", "Venezuela", "SA", "South America", None, ["CO"]),
]
# first-level divisions (geonameid, name, country, level, GeoNames code, ISO code, type); a second-level one with
# the same trailing code must not be taken for a first-level one. Kehl's division (DE.01) is missing on purpose.
ADMIN_DIVISIONS = [
    (2950157, "Land Berlin", "DE", 1, "DE.16", "DE-BE", "State"),
    (2905330, "Hesse", "DE", 1, "DE.05", "DE-HE", "State"),
    (3012874, "Île-de-France", "FR", 1, "FR.11", "FR-IDF", "Region"),
    (2968815, "Paris (département)", "FR", 2, "FR.11.75", "FR-75", "Metropolitan department"),
]
COUNTRY_NAMES = {
    "germany": "DE", "deutschland": "DE", "de": "DE", "deu": "DE", "france": "FR", "fr": "FR", "fra": "FR",
    "spain": "ES", "es": "ES", "espana": "ES", "united states": "US", "us": "US", "venezuela": "VE", "ve": "VE",
}
TEXT_KEYS = {
    "Berlin": "berlin", "BERLIN": "berlin", "Paris": "paris", "Madrid": "madrid", "Munich": "munich",
    "Strasbourg": "strasbourg", "Atlantis Town": "atlantis town", "Valencia": "valencia",
    "Frankfurt": "frankfurt", "Kehl": "kehl", "Kreis Nord": "kreis nord", "Hamburg": "hamburg",
    "Ghost Town": "ghost town", "Germany": "germany", "Deutschland": "deutschland", "France": "france",
    "FR": "fr", "DE": "de", "Spain": "spain",
}


# member name, country text, network country, network region, stated kind ->
#   geonameid, method, score, country used, country basis, n_candidates, member kind, reason
RESOLUTIONS = [
    ("Berlin", "Germany", None, "Europe", None, 101, "exact", 1.0, "DE", "stated", 1, "city", None),
    ("BERLIN", "DE", None, "Europe", None, 101, "exact", 1.0, "DE", "stated", 1, "city", None),
    ("Paris", "France", None, "Europe", None, 201, "exact", 1.0, "FR", "stated", 1, "city", None),
    ("Madrid", "Spain", None, "Europe", None, 301, "exact", 1.0, "ES", "stated", 1, "city", None),
    ("Munich", "Deutschland", None, "Europe", None, 102, "alias", 0.95, "DE", "stated", 1, "city", None),
    ("Paris", "FR", None, "Europe", None, 201, "exact", 1.0, "FR", "stated", 1, "city", None),
    ("Strasbourg", "France", None, "Europe", None, 202, "exact", 1.0, "FR", "stated", 1, "city", None),
    ("Atlantis Town", "Germany", None, "Europe", None, None, "unresolved", 0.0, "DE", "stated", 0, "unknown",
     "no_candidate"),
    ("Paris", None, None, None, None, 201, "exact", 0.9, None, "world", 2, "city", None),
    ("Madrid", "Spain", None, None, None, 301, "exact", 1.0, "ES", "stated", 1, "city", None),
    ("Valencia", None, None, None, None, None, "unresolved", 0.0, None, "world", 2, "unknown",
     "ambiguous_without_country"),
    ("Strasbourg", "France", None, None, None, 202, "exact", 1.0, "FR", "stated", 1, "city", None),
    ("Frankfurt", None, "DE", None, None, 103, "alias", 0.95, "DE", "network", 2, "city", None),
    ("Berlin", None, "DE", None, None, 101, "exact", 1.0, "DE", "network", 1, "city", None),
    ("Kehl", None, "DE", None, None, 105, "exact", 1.0, "DE", "network", 1, "city", None),
    ("Kreis Nord", None, "DE", None, "county", None, "unresolved", 0.0, "DE", "network", 0, "county",
     "not_a_city"),
    ("Hamburg", None, "DE", None, None, 106, "exact", 1.0, "DE", "network", 1, "city", None),
]


def registry_doc(network_id: str, name: str) -> dict:
    base = {
        "id": network_id, "name": name, "acronym": None, "founded_year": None, "region": None,
        "country_code": None, "website": f"https://{network_id}.example.org", "members_url": None,
        "stated_member_count": None, "stated_member_count_text": None, "stated_member_count_as_of": None,
        "functions": {k: None for k in ("information_sharing", "showcasing", "story_telling", "shaming",
                                        "seeking_support", "standard_setting")},
        "tags": {}, "funders": [], "cited_sources": {}, "sources": [],
    }
    if network_id == "net-a":
        base |= {"scope": "regional", "region": "Europe", "network_type": "hybrid", "founded_year": 1986,
                 "stated_member_count": 130, "tags": {"focus": "refugees"},
                 "funders": [{"name": "European Union institutions", "role": "funder",
                              "source": "https://example.org/eu"}],
                 "sources": [{"url": "https://net-a.example.org/members", "kind": "html"}]}
        base["functions"]["information_sharing"] = True
    elif network_id == "net-b":
        base |= {"scope": "global", "network_type": "grassroots", "tags": {"focus": ["refugees", "integration"]}}
    else:
        base |= {"scope": "national", "country_code": "DE", "network_type": "sponsored",
                 "tags": {"focus": "migration"},
                 "funders": [{"name": "European Union institutions", "role": "sponsor", "source": "doc:Report"},
                             {"name": "Federal Ministry of the Interior", "role": "host", "source": None}]}
    return base


# run, network, fetch suffix, parse_status, mentions (name, country[, role[, joined[, member_kind]]])
MENTION_DEFAULTS = (None, None, "member", None, None)
FETCHES = [
    ("r1", "net-a", "1", "ok", [("Berlin", "Germany"), ("Paris", "France"), ("Madrid", "Spain")]),
    ("r1", "net-b", "1", "ok", [("Paris", None), ("Madrid", "Spain")]),
    ("r1", "net-c", "1", "ok", [("Frankfurt", None), ("Berlin", None), ("Kehl", None),
                                ("Kreis Nord", None, "member", None, "county")]),
    ("r2", "net-a", "1", "ok", [("Berlin", "Germany"), ("Munich", "Deutschland"), ("Paris", "FR"),
                                ("Strasbourg", "France"), ("Atlantis Town", "Germany"), ("BERLIN", "DE")]),
    ("r2", "net-b", "1", "ok", [("Paris", None, "founding", "1999"), ("Valencia", None), ("Madrid", "Spain"),
                                ("Strasbourg", "France")]),
    ("r2", "net-c", "1", "ok", [("Hamburg", None)]),
    ("r2", "net-c", "2", "parse_failed", []),
    ("r3", "net-a", "1", "ok", [("Ghost Town", "Germany")]),
    ("r3", "net-b", "1", "ok", [("Ghost Town", None)]),
]


def build_fixture(db_path: Path) -> None:
    migrate(db_path, through=HAND_WRITTEN_LAYOUT)
    con = duckdb.connect(str(db_path))
    try:
        for run_id, started, complete in (("r1", T1, True), ("r2", T2, True), ("r3", T3, False)):
            con.execute("insert into raw.runs values (?, ?, 'replay', ?, ?)", [run_id, started, f"v-{run_id}", ALL])
            if complete:
                con.execute("insert into raw.run_completions values (?, ?)", [run_id, started.replace(hour=1)])
            for network_id in ALL:
                name = {"net-a": {"r1": "Alpha Cities", "r2": "Alpha Cities Network", "r3": "Alpha BROKEN"}[run_id],
                        "net-b": "Beta Cities", "net-c": "Gamma Kommunen"}[network_id]
                con.execute("insert into raw.registry_networks values (?, ?, ?, ?)",
                            [run_id, f"v-{run_id}", network_id, json.dumps(registry_doc(network_id, name))])
        for run_id, network_id, suffix, status, mentions in FETCHES:
            url = f"https://{network_id}.example.org/members/{suffix}"
            fetch_id = sha(run_id, network_id, url)
            started = {"r1": T1, "r2": T2, "r3": T3}[run_id]
            con.execute(
                "insert into raw.fetches (fetch_id, run_id, network_id, url, final_url, status, error, bytes, sha256, fetched_at, parser, parser_version, parse_status, parse_error, n_mentions) "
                "values (?, ?, ?, ?, ?, 200, null, 100, ?, ?, 'html_list', '1', ?, ?, ?)",
                [fetch_id, run_id, network_id, url, url, sha("body", fetch_id), started.replace(minute=5), status,
                 None if status == "ok" else "page contract failed", len(mentions)])
            for position, mention in enumerate(mentions, start=1):
                name, country, role, joined, kind = (*mention, *MENTION_DEFAULTS[len(mention):])
                con.execute("insert into raw.mention_rows (mention_id, fetch_id, run_id, network_id, position, member_name, country, role, joined, member_kind, source_url) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [sha(fetch_id, position), fetch_id, run_id, network_id, position, name, country,
                             role, joined, kind, url])
        con.execute("insert into ref.gazetteer_versions values ('fixture', ?, ?, ?)",
                    [T1, len(PLACES), sum(len(p[7]) for p in PLACES)])
        for gid, name, cc, admin1, lat, lon, pop, keys in PLACES:
            con.execute("insert into ref.places values (?, ?, ?, ?, ?, ?, ?, null)", [gid, name, cc, admin1, lat, lon, pop])
            for i, key in enumerate(keys):
                con.execute("insert into ref.place_names values (?, ?, ?, ?, ?)", [gid, cc, f"{name}#{i}", key, i == 0])
        for cc, iso3, name, cont_code, cont, capital, neighbours in COUNTRIES:
            con.execute("insert into ref.countries values (?, ?, ?, ?, ?, null, ?, ?, null)",
                        [cc, iso3, name, cont_code, cont, capital, neighbours])
        con.executemany("insert into ref.admin_divisions values (?, ?, ?, ?, ?, ?, ?)", ADMIN_DIVISIONS)
        con.executemany("insert into ref.country_names values (?, ?)", list(COUNTRY_NAMES.items()))
        con.executemany("insert into ref.text_keys values (?, ?)", list(TEXT_KEYS.items()))
        for name, country, net_cc, region, kind, gid, method, score, cc, basis, n, member_kind, reason in RESOLUTIONS:
            con.execute("insert into ref.member_resolutions values "
                        "(?, ?, ?, ?, ?, 'fixture', ?, ?, ?, null, null, null, ?, ?, ?, ?, '[]', ?, null, ?, null, null)",
                        [name, country, net_cc, region, kind, cc, basis, gid, member_kind, method, score, n, reason,
                         T1])
    finally:
        con.close()
    migrate(db_path)


BUILD_VARS = "{most_connected_min: 2}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    return build(tmp_path_factory.mktemp("dbt"), build_fixture, BUILD_VARS)


def test_constraints_of_the_contracted_models_are_enforced_by_the_tables(built):
    """marts and metrics declare their not-null columns and their row-level invariants (checks) as contract
    constraints (no separate test node): each must be a constraint of the built table, and a row that breaks
    one must be refused, a null included where the invariant needs a value."""
    manifest = json.loads((built.work / "target" / "manifest.json").read_text())
    contracted = [n for n in manifest["nodes"].values()
                  if n["resource_type"] == "model" and n["config"]["contract"]["enforced"]]
    declared = {(n["config"]["schema"], n["name"], column) for n in contracted
                for column, spec in n["columns"].items()
                if any(c["type"] == "not_null" for c in spec.get("constraints", []))}
    assert {("marts", "dim_network", "network_id"), ("metrics", "metrics_history", "run_id")} <= declared
    in_tables = {(schema, table, column) for schema, table, columns in rows(built.db_path, """
        select schema_name, table_name, constraint_column_names from duckdb_constraints()
        where constraint_type = 'NOT NULL'""") for column in columns}
    assert declared <= in_tables, sorted(declared - in_tables)
    checks_declared = {(n["config"]["schema"], n["name"]): sum(
        c["type"] == "check" for c in [*n.get("constraints", []),
                                       *(c for spec in n["columns"].values() for c in spec.get("constraints", []))])
        for n in contracted}
    checks_declared = {table: count for table, count in checks_declared.items() if count}
    assert sum(checks_declared.values()) >= 60 and ("metrics", "network_overlap") in checks_declared
    checks_in_tables = dict(((schema, table), count) for schema, table, count in rows(built.db_path, """
        select schema_name, table_name, count(*) from duckdb_constraints()
        where constraint_type = 'CHECK' group by all"""))
    assert checks_in_tables == checks_declared
    refused = {  # statement -> a word of the invariant DuckDB names in its error
        "update metrics.network_overlap set jaccard = 0.9 where network_b = 'net-c'": "jaccard",
        "update marts.dim_network set scope = 'planetary'": "scope",
        "update marts.fct_membership set resolution_score = null": "resolution_score",
        "insert into marts.dim_network (network_id, name) values (null, 'x')": "network_id",
    }
    con = duckdb.connect(str(built.db_path))
    try:
        for statement, named in refused.items():
            with pytest.raises(duckdb.ConstraintException, match=named):
                con.execute(statement)
    finally:
        con.close()


def test_every_node_passed_including_unit_tests(built):
    # exposures (models/exposures.yml) are reported as no-op: they declare consumers, nothing runs
    bad = [(r["unique_id"], r["status"]) for r in built.results
           if r["status"] not in ("success", "pass") and not r["unique_id"].startswith("exposure.")]
    assert bad == []
    unit = {r["unique_id"].rsplit(".", 1)[-1] for r in built.results if r["unique_id"].startswith("unit_test.")}
    assert {"network_overlap_arithmetic", "city_network_degree_arithmetic"} <= unit
    schemas = {s for (s,) in rows(built.db_path, "select distinct table_schema from information_schema.tables")}
    assert {"staging", "intermediate", "marts", "metrics"} <= schemas
    assert not any(s.startswith("main_") for s in schemas)


def test_failed_network_keeps_its_last_good_members(built):
    members = rows(built.db_path, "select member_name, run_id, first_seen, last_seen from marts.fct_membership "
                          "where network_id = 'net-c' order by member_name")
    assert [m[0] for m in members] == ["Berlin", "Frankfurt", "Kehl", "Kreis Nord"]
    assert {m[1] for m in members} == {"r1"}
    assert {(m[2], m[3]) for m in members} == {(utc(T1), utc(T1))}
    status = rows(built.db_path, "select data_run_id, latest_attempt_run_id, latest_attempt_ok from marts.dim_network "
                         "where network_id = 'net-c'")
    assert status == [("r1", "r2", False)]


def test_incomplete_run_is_invisible(built):
    assert rows(built.db_path, "select count(*) from marts.fct_membership where member_name = 'Ghost Town'") == [(0,)]
    assert rows(built.db_path, "select name from marts.dim_network where network_id = 'net-a'") == [("Alpha Cities Network",)]
    assert rows(built.db_path, "select distinct run_id from marts.fct_membership where network_id <> 'net-c'") == [("r2",)]


def test_current_members_dedupe_and_history(built):
    a = rows(built.db_path, "select member_name, name_country_hint, city_id, first_seen, last_seen "
                            "from marts.fct_membership where network_id = 'net-a' order by member_name")
    T1_, T2_ = utc(T1), utc(T2)
    assert a == [
        ("Atlantis Town", "DE", None, T2_, T2_),
        ("Berlin", "DE", 101, T1_, T2_),  # BERLIN/DE was the same member; the first position kept its spelling
        ("Munich", "DE", 102, T2_, T2_),
        ("Paris", "FR", 201, T1_, T2_),
        ("Strasbourg", "FR", 202, T2_, T2_),
    ]


def test_published_fields_pass_through(built):
    assert rows(built.db_path, "select role, joined_text, country_text, source_url from marts.fct_membership "
                               "where network_id = 'net-b' and member_name = 'Paris'") == [
        ("founding", "1999", None, "https://net-b.example.org/members/1")]


def test_resolution_methods(built):
    got = {(n, m): r for n, m, *r in rows(
        built.db_path, "select network_id, member_name, city_id, resolution_method, resolution_score, n_candidates, "
               "member_kind from marts.fct_membership")}
    assert got[("net-c", "Frankfurt")] == [103, "alias", 0.95, 2, "city"]  # tie: the more populous place
    assert got[("net-c", "Kehl")] == [105, "exact", 1.0, 1, "city"]  # country from the national network
    assert got[("net-b", "Paris")] == [201, "exact", 0.9, 2, "city"]  # no country: 2.1M >= 10 x 25k
    assert got[("net-b", "Valencia")] == [None, "unresolved", 0.0, 2, "unknown"]  # 1.39M < 10 x 0.81M
    assert got[("net-c", "Kreis Nord")] == [None, "unresolved", 0.0, 0, "county"]


def test_unresolved_are_listed_for_review(built):
    review = rows(built.db_path, "select network_id, member_name, country_text, reason, n_candidates "
                         "from marts.review_unresolved order by network_id, member_name")
    assert review == [
        ("net-a", "Atlantis Town", "Germany", "no_candidate", 0),
        ("net-b", "Valencia", None, "ambiguous_without_country", 2),
        ("net-c", "Kreis Nord", None, "not_a_city", 0),
    ]


def test_dim_city_flags(built):
    cities = {r[0]: r[1:] for r in rows(
        built.db_path, "select city_id, size_band, is_capital, is_border, in_networks_now, country, continent "
               "from marts.dim_city")}
    assert set(cities) == {101, 102, 103, 105, 201, 202, 301}  # Frankfurt (Oder) lost the tie
    assert cities[101] == (">=1M", True, False, 2, "Germany", "Europe")
    assert cities[105] == ("10k-50k", False, True, 1, "Germany", "Europe")  # ~5 km from Strasbourg
    assert cities[202] == ("250k-1M", False, True, 2, "France", "Europe")  # ~5 km from Kehl
    assert cities[103][2] is False  # Frankfurt am Main is ~170 km from France


def test_funders(built):
    assert rows(built.db_path, "select name, n_networks from marts.dim_funder order by name") == [
        ("European Union institutions", 2), ("Federal Ministry of the Interior", 1)]
    assert rows(built.db_path, "select b.network_id, f.name, b.role from marts.bridge_network_funder b "
                       "join marts.dim_funder f using (funder_id) order by 1, 2") == [
        ("net-a", "European Union institutions", "funder"),
        ("net-c", "European Union institutions", "sponsor"),
        ("net-c", "Federal Ministry of the Interior", "host"),
    ]


def test_network_overlap_matches_hand_computed_values(built):
    overlap = rows(built.db_path, "select network_a, network_b, members_a, members_b, shared, jaccard, "
                          "overlap_coefficient, shared_city_ids from metrics.network_overlap order by 1, 2")
    expected = [
        ("net-a", "net-b", 4, 3, 2, 2 / 5, 2 / 3, [201, 202]),
        ("net-a", "net-c", 4, 3, 1, 1 / 6, 1 / 3, [101]),
        ("net-b", "net-c", 3, 3, 0, 0.0, 0.0, []),
    ]
    assert len(overlap) == len(expected)
    for got, want in zip(overlap, expected):
        assert got[:5] == want[:5] and got[7] == want[7]
        assert got[5] == pytest.approx(want[5]) and got[6] == pytest.approx(want[6])


def test_city_degree_and_most_connected(built):
    degree = {r[0]: r[1:] for r in rows(
        built.db_path, "select city_id, n_networks, network_ids, degree_rank, n_networks_in_subset "
               "from metrics.city_network_degree")}
    assert degree[101] == (2, ["net-a", "net-c"], 1, 1)
    assert degree[201] == (2, ["net-a", "net-b"], 1, 2)  # net-b's focus is a list holding "refugees"
    assert degree[103] == (1, ["net-c"], 2, 0)
    # built with --vars most_connected_min: 2
    assert rows(built.db_path, "select name, is_capital, is_border, population from metrics.most_connected_cities "
                       "order by name") == [("Paris", True, False, 2_138_551), ("Strasbourg", False, True, 274_845)]


def test_invariant_tests_catch_a_broken_metric(built):
    """The metric invariants over whole tables are real: corrupt the built warehouse in a way its row-level
    constraints allow (a pair of networks missing from network_overlap) and `dbt test` must fail (then restore
    it). Same database path, vars and target dir as the build, so dbt reuses its parse."""
    with in_place_of_the_build(built, start_from_the_build=True) as db_path:
        with duckdb.connect(str(db_path)) as con:
            con.execute("delete from metrics.network_overlap where network_b = 'net-c'")
        result = run_dbt(["test", "--select", "network_overlap,test_type:data", "--vars", BUILD_VARS],
                         db_path, built.work)
        results = json.loads((built.work / "target" / "run_results.json").read_text())["results"]
    assert result.returncode != 0
    failed = [r["unique_id"] for r in results if r["status"] == "fail"]
    # the pair count catches it (consistency tests of models built from network_overlap may too)
    assert "test.tcn.assert_overlap_covers_every_pair" in failed, failed


def test_dim_city_names_the_first_level_division_beside_its_code(built):
    admin1 = {r[0]: r[1:] for r in rows(built.db_path, "select city_id, admin1_code, admin1_name from marts.dim_city")}
    assert admin1[101] == ("16", "Land Berlin")
    assert admin1[103] == ("05", "Hesse")
    assert admin1[201] == ("11", "Île-de-France")
    assert admin1[105] == ("01", None)  # the gazetteer holds no name for DE.01


def test_fct_membership_names_the_city_country_apart_from_the_country_hint(built):
    got = {(n, m): r for n, m, *r in rows(built.db_path, """
        select network_id, member_name, name_country_hint, name_country_hint_source, city_id, city_country_code
        from marts.fct_membership""")}
    # no country on the page: the resolver searched worldwide and found Paris, France
    assert got[("net-b", "Paris")] == [None, None, 201, "FR"]
    assert got[("net-c", "Kehl")] == ["DE", "network", 105, "DE"]
    assert got[("net-a", "Atlantis Town")] == ["DE", "stated", None, None]  # unresolved: no city, no city country


def test_overlap_is_published_in_both_directions(built):
    pairs = {(a, b): r for a, b, *r in rows(built.db_path, """
        select network_id, other_network_id, members, other_members, shared, jaccard, share_of_members
        from metrics.network_overlap_pairs""")}
    assert set(pairs) == {("net-a", "net-b"), ("net-b", "net-a"), ("net-a", "net-c"), ("net-c", "net-a"),
                          ("net-b", "net-c"), ("net-c", "net-b")}
    # hand-computed (module docstring): A-B share {Paris, Strasbourg}, |A| = 4, |B| = 3
    assert pairs[("net-a", "net-b")] == pytest.approx([4, 3, 2, 2 / 5, 2 / 4])
    assert pairs[("net-b", "net-a")] == pytest.approx([3, 4, 2, 2 / 5, 2 / 3])
    assert pairs[("net-c", "net-a")] == pytest.approx([3, 4, 1, 1 / 6, 1 / 3])
    # a filter on one column finds every pair of a network
    assert rows(built.db_path, "select count(*) from metrics.network_overlap_pairs where network_id = 'net-c'") == [(2,)]


def test_unknown_population_is_null_not_zero(built):
    """GeoNames writes 0 for a population it does not know: dim_city must say null (and no size band)."""
    with in_place_of_the_build(built, start_from_the_build=True) as db_path:
        with duckdb.connect(str(db_path)) as con:
            con.execute("update ref.places set population = 0 where geonameid = 105")
        result = run_dbt(["run", "--select", "stg_places", "dim_city", "--vars", BUILD_VARS], db_path, built.work)
        assert result.returncode == 0, result.stdout[-3000:]
        kehl = rows(db_path, "select population, size_band from marts.dim_city where city_id = 105")
    assert kehl == [(None, None)]
    assert rows(built.db_path, "select population, size_band from marts.dim_city where city_id = 105") == [
        (35_000, "10k-50k")]

