"""History and metrics 3-10 end to end: a scripted sequence of runs in a real DuckDB file, the real `dbt build`,
and expectations computed by hand from the fixture below (never read back from the code under test).

Runs (complete unless said otherwise):
  r1 (T1)  net-a: Berlin, Paris, Kehl          net-b: Paris, Hamburg       net-c: Berlin, Hamburg, Dorf
  r2 (T2)  net-a: + Strasbourg joins           net-b: Hamburg leaves       net-c: FETCH FAILS
  r3 (T3)  net-a: Kehl leaves, Atlantis joins  net-b: Hamburg returns,     net-c: not scraped in this run
                                               + Kehl as a PAST member (the source dates its stay 2010-2014)
  r4 (T4)  NO completion marker: net-a lists only Berlin; nothing of it may show.
net-d is in the registry only (no member list). Atlantis matches no place (unresolved).

Gazetteer: DE  Berlin 101 (3,426,354, capital), Kehl 105 (35,000), Hamburg 106 (1,739,117), Dorf 107 (800,
               ~4 km from Strasbourg), Kleinstadt 108 (20,000), Weiler 109 (300: below the universe's 500)
           FR  Paris 201 (2,138,551, capital), Strasbourg 202 (274,845), Village 203 (600)
"""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from statistics import median

import duckdb
import pytest

from helpers.dbt import HAND_WRITTEN_LAYOUT, Built, build, in_place_of_the_build, rows, run_dbt, sha, utc
from warehouse.migrations import migrate

T1, T2, T3, T4 = datetime(2026, 1, 5), datetime(2026, 1, 12), datetime(2026, 1, 19), datetime(2026, 1, 26)
RUNS = [("r1", T1, ["net-a", "net-b", "net-c"], True), ("r2", T2, ["net-a", "net-b", "net-c"], True),
        ("r3", T3, ["net-a", "net-b"], True), ("r4", T4, ["net-a"], False)]

POP = {101: 3_426_354, 105: 35_000, 106: 1_739_117, 107: 800, 108: 20_000, 109: 300,
       201: 2_138_551, 202: 274_845, 203: 600}
# geonameid, name, country, lat, lon, name keys
PLACES = [
    (101, "Berlin", "DE", 52.5244, 13.4105, ["berlin"]),
    (105, "Kehl", "DE", 48.5724, 7.8156, ["kehl"]),
    (106, "Hamburg", "DE", 53.5753, 10.0153, ["hamburg"]),
    (107, "Dorf", "DE", 48.6000, 7.8000, ["dorf"]),
    (108, "Kleinstadt", "DE", 51.0000, 10.0000, ["kleinstadt"]),
    (109, "Weiler", "DE", 50.0000, 11.0000, ["weiler"]),
    (201, "Paris", "FR", 48.8534, 2.3488, ["paris"]),
    (202, "Strasbourg", "FR", 48.5839, 7.7455, ["strasbourg"]),
    (203, "Village", "FR", 47.0000, 2.0000, ["village"]),
]
COUNTRIES = [("DE", "DEU", "Germany", 101, ["FR"]), ("FR", "FRA", "France", 201, ["DE"])]
TEXT_KEYS = {"Berlin": "berlin", "Paris": "paris", "Kehl": "kehl", "Hamburg": "hamburg", "Dorf": "dorf",
             "Strasbourg": "strasbourg", "Atlantis": "atlantis", "Germany": "germany", "France": "france"}
COUNTRY_NAMES = {"germany": "DE", "de": "DE", "france": "FR", "fr": "FR"}

# How the Python resolver decides each distinct raw input (ref.member_resolutions, written by hand):
# (member name, country text, network country) -> geonameid (None: no place has that name)
RESOLUTIONS = {("Berlin", "Germany", None): 101, ("Paris", "France", None): 201, ("Kehl", "Germany", None): 105,
               ("Strasbourg", "France", None): 202, ("Hamburg", "Germany", None): 106,
               ("Atlantis", "Germany", None): None,
               ("Berlin", None, "DE"): 101, ("Hamburg", None, "DE"): 106, ("Dorf", None, "DE"): 107}

# network -> run -> mentions (name, country text, joined[, left_on]) or "failed"
LISTS = {
    "net-a": {
        "r1": [("Berlin", "Germany", "1986"), ("Paris", "France", "since 1991-05"), ("Kehl", "Germany", None)],
        "r2": [("Berlin", "Germany", "1986"), ("Paris", "France", "since 1991-05"), ("Kehl", "Germany", None),
               ("Strasbourg", "France", "2008-03-14")],
        "r3": [("Berlin", "Germany", "1986"), ("Paris", "France", "since 1991-05"), ("Strasbourg", "France", "2008-03-14"),
               ("Atlantis", "Germany", "unknown")],
        "r4": [("Berlin", "Germany", "1986")],
    },
    "net-b": {
        "r1": [("Paris", "France", None), ("Hamburg", "Germany", None)],
        "r2": [("Paris", "France", None)],
        "r3": [("Paris", "France", None), ("Hamburg", "Germany", None), ("Kehl", "Germany", "2010", "2014")],
    },
    "net-c": {  # national DE: the pages give no country
        "r1": [("Berlin", None, None), ("Hamburg", None, None), ("Dorf", None, None)],
        "r2": "failed",
    },
}


def registry_doc(network_id: str) -> dict:
    unknown = {k: None for k in ("information_sharing", "showcasing", "story_telling", "shaming",
                                 "seeking_support", "standard_setting")}
    docs = {
        "net-a": {"scope": "regional", "network_type": "grassroots", "founded_year": 1995, "country_code": None,
                  "stated_member_count": 8, "tags": {"focus": "refugees"},
                  "stated_member_count_as_of": "c.2025-11 (page names the 2025-11-20 general assembly)",
                  # a curated file has no URL: member_source_urls must not hold a null for it
                  "sources": [{"url": "https://net-a.example.org/members", "kind": "html"},
                              {"path": "curated/net-a.csv", "kind": "csv"}],
                  "functions": {**{k: False for k in unknown}, "information_sharing": True, "showcasing": True},
                  "funders": [{"name": "Fund X", "role": "funder", "source": "https://fund-x.example.org"}]},
        "net-b": {"scope": "global", "network_type": "sponsored", "founded_year": 2005, "country_code": None,
                  "closed_year": 2009, "stated_member_count": None, "tags": {"focus": ["refugees"]},
                  # coded with sources (the registry's form); net-a keeps the bare true/false form
                  "functions": {**unknown,
                                "information_sharing": {"value": "yes", "source": "https://net-b.example.org/about",
                                                        "note": "members exchange practice"},
                                "shaming": {"value": "yes", "source": "https://net-b.example.org/open-letter",
                                            "note": "open letter against the national policy"},
                                "story_telling": {"value": "unknown", "note": "sources do not say"}},
                  "funders": [{"name": "Fund X", "role": "sponsor", "source": None},
                              {"name": "Host Y", "role": "host", "source": None}]},
        "net-c": {"scope": "national", "network_type": "grassroots", "founded_year": 2015, "country_code": "DE",
                  "stated_member_count": 2, "stated_member_count_as_of": "2019-2023 (phase II)",
                  "tags": {"focus": "migration"}, "functions": unknown, "funders": []},
        "net-d": {"scope": "regional", "network_type": "grassroots", "founded_year": 2005, "country_code": None,
                  "stated_member_count": 50, "stated_member_count_as_of": "2021-02-30", "tags": {},
                  "functions": unknown,
                  "funders": [{"name": "Host Y", "role": "host", "source": None}]},
    }
    return {"id": network_id, "name": network_id.upper(), "acronym": None, "region": None,
            "website": f"https://{network_id}.example.org", "members_url": None, "stated_member_count_text": None,
            "stated_member_count_as_of": None, "cited_sources": {}, "sources": [], **docs[network_id]}


# The contradictions the fixture holds, by hand: net-a (founded 1995) lists Berlin as joined 1986 and Paris
# "since 1991-05"; net-c lists 3 of the 2 members it states; net-b (closed 2009) lists Kehl as joined 2010.
FLAGGED = {("join_before_founding", "net-a", "Berlin"), ("join_before_founding", "net-a", "Paris"),
           ("coverage_above_one", "net-c", None), ("member_after_closing", "net-b", "Kehl")}


def build_fixture(db_path: Path, completed: set[str] | None = None) -> None:
    """The raw and ref rows of the fixture; `completed` limits which runs get their completion marker."""
    migrate(db_path, through=HAND_WRITTEN_LAYOUT)
    con = duckdb.connect(str(db_path))
    try:
        for run_id, started, networks, complete in RUNS:
            con.execute("insert into raw.runs values (?, ?, 'replay', ?, ?)", [run_id, started, f"v-{run_id}", networks])
            if complete and (completed is None or run_id in completed):
                complete_run(con, run_id, started)
            for network_id in ("net-a", "net-b", "net-c", "net-d"):
                con.execute("insert into raw.registry_networks values (?, ?, ?, ?)",
                            [run_id, f"v-{run_id}", network_id, json.dumps(registry_doc(network_id))])
            for network_id in networks:
                listed = LISTS[network_id][run_id]
                url = f"https://{network_id}.example.org/members"
                fetch_id = sha(run_id, network_id, url)
                failed = listed == "failed"
                con.execute(
                    "insert into raw.fetches (fetch_id, run_id, network_id, url, final_url, status, error, bytes, "
                    "sha256, fetched_at, parser, parser_version, parse_status, parse_error, n_mentions) "
                    "values (?, ?, ?, ?, ?, ?, ?, 100, ?, ?, 'html_list', '1', ?, ?, ?)",
                    [fetch_id, run_id, network_id, url, url, None if failed else 200, "timeout" if failed else None,
                     sha("body", fetch_id), started.replace(minute=5), "fetch_failed" if failed else "ok",
                     None, 0 if failed else len(listed)])
                for position, (name, country, joined, *left) in enumerate([] if failed else listed, start=1):
                    con.execute("insert into raw.mention_rows (mention_id, fetch_id, run_id, network_id, "
                                "position, member_name, country, role, joined, member_kind, source_url, left_on) "
                                "values (?, ?, ?, ?, ?, ?, ?, 'member', ?, null, ?, ?)",
                                [sha(fetch_id, position), fetch_id, run_id, network_id, position, name, country,
                                 joined, url, left[0] if left else None])
        con.execute("insert into ref.gazetteer_versions values ('fixture', ?, ?, ?)", [T1, len(PLACES), len(PLACES)])
        for gid, name, cc, lat, lon, keys in PLACES:
            con.execute("insert into ref.places values (?, ?, ?, '01', ?, ?, ?, null)", [gid, name, cc, lat, lon, POP[gid]])
            for i, key in enumerate(keys):
                con.execute("insert into ref.place_names values (?, ?, ?, ?, ?)", [gid, cc, name, key, i == 0])
        for cc, iso3, name, capital, neighbours in COUNTRIES:
            con.execute("insert into ref.countries values (?, ?, ?, 'EU', 'Europe', null, ?, ?, null)",
                        [cc, iso3, name, capital, neighbours])
        con.executemany("insert into ref.country_names values (?, ?)", list(COUNTRY_NAMES.items()))
        con.executemany("insert into ref.text_keys values (?, ?)", list(TEXT_KEYS.items()))
        for (name, country, network_cc), gid in RESOLUTIONS.items():
            con.execute(
                "insert into ref.member_resolutions (member_name, country_text, network_country_code, "
                "network_region, stated_kind, resolver_version, country_code, country_basis, geonameid, "
                "member_kind, method, score, n_candidates, candidates, reason, resolved_at) "
                "values (?, ?, ?, null, null, 'fixture', ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?)",
                [name, country, network_cc, COUNTRY_NAMES.get((country or "").lower(), network_cc),
                 "stated" if country else "network", gid, "city" if gid else "unknown",
                 "exact" if gid else "unresolved", 1.0 if gid else 0.0, 1 if gid else 0,
                 None if gid else "no_candidate", T1])
    finally:
        con.close()
    migrate(db_path)


def complete_run(con, run_id: str, started: datetime) -> None:
    con.execute("insert into raw.run_completions values (?, ?)", [run_id, started.replace(hour=1)])


# cities in 2 networks of the subset count as most connected here (the subset is focus=refugees: net-a, net-b)
BUILD_VARS = "{most_connected_min: 2}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    return build(tmp_path_factory.mktemp("dbt-history"), build_fixture, BUILD_VARS)


def test_build_passes_every_node_including_the_new_unit_tests(built):
    # the data-quality checks warn (the fixture holds contradictions on purpose); nothing else may
    bad = [(r["unique_id"], r["status"]) for r in built.results
           if r["status"] not in ("success", "pass") and not r["unique_id"].startswith("exposure.")
           and not (r["status"] == "warn" and ".flagged_rows_" in r["unique_id"])]
    assert bad == []
    unit = {r["unique_id"].rsplit(".", 1)[-1] for r in built.results if r["unique_id"].startswith("unit_test.")}
    assert {"membership_spells_from_runs", "network_function_overlap_arithmetic"} <= unit


# ---- history ------------------------------------------------------------------------------------------------

def test_spells_follow_joins_departures_returns_and_ignore_failed_or_unscraped_runs(built):
    spells = rows(built.db_path, """
        select network_id, member_name, spell_seq, valid_from, valid_to, is_current, first_run_id, last_run_id,
               ended_by_run_id, n_runs_seen
        from marts.fct_membership_spell order by network_id, member_name, spell_seq""")
    t1, t2, t3 = utc(T1), utc(T2), utc(T3)  # published as TIMESTAMPTZ in UTC
    assert spells == [
        ("net-a", "Atlantis", 1, t3, None, True, "r3", "r3", None, 1),
        ("net-a", "Berlin", 1, t1, None, True, "r1", "r3", None, 3),  # r4 is incomplete: invisible
        ("net-a", "Kehl", 1, t1, t3, False, "r1", "r2", "r3", 2),  # left: r3 no longer lists it
        ("net-a", "Paris", 1, t1, None, True, "r1", "r3", None, 3),
        ("net-a", "Strasbourg", 1, t2, None, True, "r2", "r3", None, 2),  # joined in r2
        ("net-b", "Hamburg", 1, t1, t2, False, "r1", "r1", "r2", 1),  # left in r2 ...
        ("net-b", "Hamburg", 2, t3, None, True, "r3", "r3", None, 1),  # ... and came back in r3
        # a past member as its source dates it (2010-2014), not as our runs saw it
        ("net-b", "Kehl", 1, utc(datetime(2010, 1, 1)), utc(datetime(2014, 1, 1)), False, "r3", "r3", None, 1),
        ("net-b", "Paris", 1, t1, None, True, "r1", "r3", None, 3),
        # net-c failed in r2 and was not scraped in r3: nobody left
        ("net-c", "Berlin", 1, t1, None, True, "r1", "r1", None, 1),
        ("net-c", "Dorf", 1, t1, None, True, "r1", "r1", None, 1),
        ("net-c", "Hamburg", 1, t1, None, True, "r1", "r1", None, 1),
    ]


def test_current_spells_carry_the_city(built):
    cities = dict(((n, m), c) for n, m, c in rows(
        built.db_path, "select network_id, member_name, city_id from marts.fct_membership_spell where is_current"))
    assert cities == {("net-a", "Atlantis"): None, ("net-a", "Berlin"): 101, ("net-a", "Paris"): 201,
                      ("net-a", "Strasbourg"): 202, ("net-b", "Hamburg"): 106, ("net-b", "Paris"): 201,
                      ("net-c", "Berlin"): 101, ("net-c", "Dorf"): 107, ("net-c", "Hamburg"): 106}


def test_membership_changes_per_run_and_network(built):
    changes = rows(built.db_path, """
        select run_id, network_id, attempt_status, is_first_good_run, members_before, n_joined, n_left, net_change,
               members_after
        from metrics.membership_changes order by run_id, network_id""")
    assert changes == [
        ("r1", "net-a", "ok", True, 0, 3, 0, 3, 3),
        ("r1", "net-b", "ok", True, 0, 2, 0, 2, 2),
        ("r1", "net-c", "ok", True, 0, 3, 0, 3, 3),
        ("r2", "net-a", "ok", False, 3, 1, 0, 1, 4),
        ("r2", "net-b", "ok", False, 2, 0, 1, -1, 1),
        ("r2", "net-c", "failed", False, 3, 0, 0, 0, 3),  # a failed run changes nothing
        ("r3", "net-a", "ok", False, 4, 1, 1, 0, 4),
        ("r3", "net-b", "ok", False, 1, 1, 0, 1, 2),
        # no r3 row for net-c (not scraped), no r4 rows (incomplete)
    ]


def test_members_by_published_join_year(built):
    assert rows(built.db_path, "select network_id, join_year, members_joined, cumulative_members, "
                               "share_of_dated_members, dated_members, network_members, past_members_joined, "
                               "members_left from metrics.membership_by_join_year order by 1, 2") == [
        ("net-a", 1986, 1, 1, 1 / 3, 3, 4, 0, 0), ("net-a", 1991, 1, 2, 1 / 3, 3, 4, 0, 0),
        ("net-a", 2008, 1, 3, 1 / 3, 3, 4, 0, 0),
        # net-b's past member: joined 2010, left 2014 (no current member of net-b publishes a join date)
        ("net-b", 2010, 0, 0, None, 0, 2, 1, 0), ("net-b", 2014, 0, 0, None, 0, 2, 0, 1)]


def test_a_past_member_is_history_not_a_current_membership(built):
    assert rows(built.db_path, "select count(*) from marts.fct_membership "
                               "where network_id = 'net-b' and member_name = 'Kehl'") == [(0,)]
    assert rows(built.db_path, "select basis, joined_text, left_text, city_id, is_current from marts.fct_membership_spell "
                               "where network_id = 'net-b' and member_name = 'Kehl'") == [
        ("published", "2010", "2014", 105, False)]
    # the run-based history does not count it as a join of r3
    assert rows(built.db_path, "select n_joined from metrics.membership_changes "
                               "where network_id = 'net-b' and run_id = 'r3'") == [(1,)]


def test_metrics_history_counts_per_run(built):
    history = {(r, m, k): v for r, m, k, v in rows(
        built.db_path, "select run_id, metric, key, value from metrics.metrics_history")}
    assert {r for r, _, _ in history} == {"r1", "r2", "r3"}
    members = {(r, k): v for (r, m, k), v in history.items() if m == "members"}
    assert members == {("r1", "net-a"): 3, ("r1", "net-b"): 2, ("r1", "net-c"): 3, ("r1", "all"): 8,
                       ("r2", "net-a"): 4, ("r2", "net-b"): 1, ("r2", "net-c"): 3, ("r2", "all"): 8,
                       ("r3", "net-a"): 4, ("r3", "net-b"): 2, ("r3", "net-c"): 3, ("r3", "all"): 9}
    assert {(r, k): v for (r, m, k), v in history.items() if m == "left" and v} == {
        ("r2", "net-b"): 1, ("r3", "net-a"): 1}
    assert {(r, k): v for (r, m, k), v in history.items() if m == "joined" and r != "r1" and v} == {
        ("r2", "net-a"): 1, ("r3", "net-a"): 1, ("r3", "net-b"): 1}
    # net-b vs net-c: {Paris, Hamburg} / {Berlin, Hamburg, Dorf} share Hamburg (1/4); after Hamburg left net-b
    # in r2 they share nothing (net-c's failure keeps its list); Hamburg's return in r3 restores 1/4
    assert [history[(r, "jaccard", "net-b|net-c")] for r in ("r1", "r2", "r3")] == [0.25, 0.0, 0.25]
    # Paris is in both subset networks (net-a, net-b) in every run
    assert [history[(r, "most_connected_cities", "all")] for r in ("r1", "r2", "r3")] == [1, 1, 1]
    assert history[("r3", "networks_with_members", "all")] == 3


# ---- metrics 3-8 on the current state (net-a and net-b from r3, net-c from r1) ------------------------------
# member cities: net-a {Berlin, Paris, Strasbourg} (+ Atlantis unresolved), net-b {Paris, Hamburg},
# net-c {Berlin, Hamburg, Dorf}

def test_function_overlap(built):
    got = {(a, b): r for a, b, *r in rows(built.db_path, "select network_a, network_b, jaccard, function_jaccard, "
                                                         "redundancy, shared_functions from metrics.network_function_overlap")}
    assert set(got) == {("net-a", "net-b"), ("net-a", "net-c"), ("net-b", "net-c")}
    jaccard, function_jaccard, redundancy, shared = got[("net-a", "net-b")]
    # cities: shared {Paris} of 4 -> 1/4; functions {info, showcasing} vs {info, shaming} -> 1/3
    assert jaccard == pytest.approx(1 / 4) and function_jaccard == pytest.approx(1 / 3)
    assert redundancy == pytest.approx(1 / 12) and shared == ["information_sharing"]
    assert got[("net-a", "net-c")][1:3] == [None, None]  # nothing known about net-c's functions


UNIVERSE_DE = [101, 105, 106, 107, 108]  # Weiler (300) is below the universe's minimum
UNIVERSE_FR = [201, 202, 203]
BANDS = ["<10k", "10k-50k", "50k-100k", "100k-250k", "250k-1M", ">=1M"]
BAND_OF = {101: ">=1M", 105: "10k-50k", 106: ">=1M", 107: "<10k", 108: "10k-50k", 201: ">=1M", 202: "250k-1M",
           203: "<10k"}


def _expected_bands(members: list[int], universe: list[int]) -> dict[str, tuple]:
    out = {}
    for band in BANDS:
        m = [c for c in members if BAND_OF[c] == band]
        u = [c for c in universe if BAND_OF[c] == band]
        member_share, universe_share = len(m) / len(members), len(u) / len(universe)
        out[band] = (len(m), member_share, len(u), universe_share,
                     member_share / universe_share if universe_share else None,
                     sum(POP[c] for c in m) / sum(POP[c] for c in members),
                     sum(POP[c] for c in u) / sum(POP[c] for c in universe))
    return out


def test_representation_by_size_band(built):
    got = {}
    for network, band, *values in rows(built.db_path, """
            select network_id, size_band, members, member_share, universe_places, universe_share,
                   representation_ratio, member_population_share, universe_population_share
            from metrics.representation_by_size_band"""):
        got.setdefault(network, {})[band] = tuple(values)
    expected = {
        "net-a": _expected_bands([101, 201, 202], UNIVERSE_DE + UNIVERSE_FR),
        "net-b": _expected_bands([201, 106], UNIVERSE_DE + UNIVERSE_FR),
        "net-c": _expected_bands([101, 106, 107], UNIVERSE_DE),
        "(all)": _expected_bands([101, 201, 202, 106, 107], UNIVERSE_DE + UNIVERSE_FR),
    }
    assert set(got) == set(expected)
    for network, bands in expected.items():
        assert set(got[network]) == set(BANDS), network
        for band, values in bands.items():
            assert got[network][band] == pytest.approx(values), (network, band)
    # spot checks by hand: net-c's small towns (Dorf) are over-represented 5/3, its mid-size towns absent
    assert got["net-c"]["<10k"][4] == pytest.approx(5 / 3) and got["net-c"]["10k-50k"][4] == 0
    assert got["net-a"]["50k-100k"][4] is None  # no such place in the universe


def test_representation_by_geography(built):
    got = rows(built.db_path, "select network_id, country_code, members, share, continent_share, n_countries, "
                              "herfindahl_countries from metrics.representation_by_geography order by 1, 2")
    expected = [
        ("net-a", "DE", 1, 1 / 3, 1.0, 2, 5 / 9), ("net-a", "FR", 2, 2 / 3, 1.0, 2, 5 / 9),
        ("net-b", "DE", 1, 1 / 2, 1.0, 2, 1 / 2), ("net-b", "FR", 1, 1 / 2, 1.0, 2, 1 / 2),
        ("net-c", "DE", 3, 1.0, 1.0, 1, 1.0),
    ]
    assert [r[:2] for r in got] == [e[:2] for e in expected]
    for row, want in zip(got, expected):
        assert row[2:] == pytest.approx(want[2:]), row[:2]


def test_representation_profile_and_coverage(built):
    got = {r[0]: r[1:] for r in rows(built.db_path, """
        select network_id, n_members, n_members_resolved, n_member_cities, coverage, median_population,
               share_capitals, share_border_cities, share_small_towns
        from metrics.representation_profile""")}
    assert got["net-a"] == pytest.approx((4, 3, 3, 4 / 8, median([POP[101], POP[201], POP[202]]), 2 / 3, 1 / 3, 0))
    assert got["net-b"] == pytest.approx((2, 2, 2, None, median([POP[201], POP[106]]), 1 / 2, 0, 0))
    # Dorf: a small town ~4 km from Strasbourg -> border; coverage 3 found / 2 stated
    assert got["net-c"] == pytest.approx((3, 3, 3, 3 / 2, POP[106], 1 / 3, 1 / 3, 1 / 3))
    assert got["net-d"] == (0, 0, 0, None, None, None, None, None)  # no list: coverage unknown, not 0


def test_network_timeline(built):
    assert rows(built.db_path, "select breakdown, group_value, founded_year, period, n_founded, cumulative_founded "
                               "from metrics.network_timeline order by 1, 2, 3") == [
        ("all", "all", 1995, "before 2000", 1, 1),
        ("all", "all", 2005, "2000-2010", 2, 3),
        ("all", "all", 2015, "2011 on", 1, 4),
        ("network_type", "grassroots", 1995, "before 2000", 1, 1),
        ("network_type", "grassroots", 2005, "2000-2010", 1, 2),
        ("network_type", "grassroots", 2015, "2011 on", 1, 3),
        ("network_type", "sponsored", 2005, "2000-2010", 1, 1),
        ("scope", "global", 2005, "2000-2010", 1, 1),
        ("scope", "national", 2015, "2011 on", 1, 1),
        ("scope", "regional", 1995, "before 2000", 1, 1),
        ("scope", "regional", 2005, "2000-2010", 1, 2),
    ]


def test_funder_reach_and_type_comparison(built):
    assert rows(built.db_path, "select name, n_networks, network_ids, roles, n_networks_with_members, "
                               "n_member_cities, n_countries from metrics.funder_reach order by name") == [
        ("Fund X", 2, ["net-a", "net-b"], ["funder", "sponsor"], 2, 4, 2),  # Berlin Paris Strasbourg Hamburg
        ("Host Y", 2, ["net-b", "net-d"], ["host"], 1, 2, 2),
    ]
    got = {r[0]: r[1:] for r in rows(built.db_path, "select * from metrics.network_type_comparison")}
    grassroots_cities = [101, 201, 202, 106, 107]  # net-a and net-c pooled
    assert got["grassroots"] == pytest.approx((
        3, 2, 5, median(POP[c] for c in grassroots_cities), 1 / 5,
        median([median([POP[101], POP[201], POP[202]]), POP[106]]), (0 + 1 / 3) / 2))
    assert got["sponsored"] == pytest.approx((1, 1, 2, median([POP[201], POP[106]]), 0.0,
                                              median([POP[201], POP[106]]), 0.0))


# ---- docs and exposures -------------------------------------------------------------------------------------

def test_every_published_table_and_column_is_described_and_exposed(built):
    manifest = json.loads((built.work / "target" / "manifest.json").read_text())
    published = {n["name"]: n for n in manifest["nodes"].values()
                 if n["resource_type"] == "model" and n["config"].get("schema") in ("marts", "metrics")}
    assert len(published) >= 20
    built_columns = {}
    for schema, table, column in rows(built.db_path, "select table_schema, table_name, column_name "
                                                     "from information_schema.columns "
                                                     "where table_schema in ('marts', 'metrics')"):
        built_columns.setdefault(table, set()).add(column)
    assert set(built_columns) == set(published)
    for name, node in published.items():
        assert node["description"].strip(), name
        assert set(node["columns"]) == built_columns[name], name
        undocumented = [c for c, spec in node["columns"].items() if not spec["description"].strip()]
        assert undocumented == [], name
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    for consumer in ("bi_parquet_files", "analyst_duckdb"):
        exposed = {node_id.rsplit(".", 1)[-1] for node_id in exposures[consumer]["depends_on"]["nodes"]}
        assert exposed == set(published), f"{consumer}: list every published model in models/exposures.yml"


def test_functions_keep_their_coding_source_and_note(built):
    codings = {(f, v): (src, note) for f, v, src, note in rows(
        built.db_path, "select function_name, value, source, note from marts.dim_network_function "
                       "where network_id = 'net-b'")}
    assert codings == {
        ("information_sharing", "yes"): ("https://net-b.example.org/about", "members exchange practice"),
        ("shaming", "yes"): ("https://net-b.example.org/open-letter", "open letter against the national policy"),
        ("story_telling", "unknown"): (None, "sources do not say"),
        ("showcasing", "unknown"): (None, None), ("seeking_support", "unknown"): (None, None),
        ("standard_setting", "unknown"): (None, None)}
    assert rows(built.db_path, "select value, count(*) from marts.dim_network_function where network_id = 'net-a' "
                               "group by 1 order by 1") == [("no", 4), ("yes", 2)]


def test_coverage_is_published_against_the_stated_count(built):
    # net-a: 4 current members of 8 stated; net-b states none; net-c: 3 of 2 (the list outgrew the statement);
    # net-d publishes no list: its coverage is unknown (null), not 0
    assert rows(built.db_path, "select network_id, n_members, coverage, n_functions_coded from marts.dim_network "
                               "order by 1") == [
        ("net-a", 4, 0.5, 6), ("net-b", 2, None, 2), ("net-c", 3, 1.5, 0), ("net-d", 0, None, 0)]


# ---- types, names and contradictions (issue 26) -------------------------------------------------------------

def test_published_dates_are_dates_with_their_precision_and_text(built):
    assert rows(built.db_path, "select member_name, joined_text, joined_on, joined_precision from marts.fct_membership "
                               "where network_id = 'net-a' order by member_name") == [
        ("Atlantis", "unknown", None, None),  # no date in the text
        ("Berlin", "1986", date(1986, 1, 1), "year"),
        ("Paris", "since 1991-05", date(1991, 5, 1), "month"),
        ("Strasbourg", "2008-03-14", date(2008, 3, 14), "day")]
    assert rows(built.db_path, "select joined_on, joined_precision, left_text, left_on, left_precision "
                               "from marts.fct_membership_spell where basis = 'published'") == [
        (date(2010, 1, 1), "year", "2014", date(2014, 1, 1), "year")]
    as_of = {n: r for n, *r in rows(built.db_path, """
        select network_id, stated_member_count_as_of, stated_member_count_as_of_precision,
               stated_member_count_as_of_note from marts.dim_network""")}
    assert as_of == {
        "net-a": [date(2025, 11, 1), "month", "c.2025-11 (page names the 2025-11-20 general assembly)"],
        "net-b": [None, None, None],
        "net-c": [date(2019, 1, 1), "year", "2019-2023 (phase II)"],
        "net-d": [date(2021, 2, 1), "month", None],  # 30 February is no day: the month stands, the text is the date
    }


def test_published_column_types_say_what_they_are(built):
    types = {(t, c): d for t, c, d in rows(built.db_path, """
        select table_name, column_name, data_type from information_schema.columns
        where table_schema in ('marts', 'metrics')""")}
    assert [k for k, d in types.items() if d == "TIMESTAMP"] == []  # every time carries its zone
    for column in [("fct_membership", "first_seen"), ("fct_membership_spell", "valid_from"),
                   ("dim_network", "data_as_of"), ("metrics_history", "run_started_at")]:
        assert types[column] == "TIMESTAMP WITH TIME ZONE", column
    for column in [("fct_membership", "joined_on"), ("fct_membership_spell", "left_on"),
                   ("dim_network", "stated_member_count_as_of")]:
        assert types[column] == "DATE", column
    # no list column holds a null element
    for (table, column), data_type in types.items():
        if data_type.endswith("[]"):
            schema = "marts" if (table.startswith(("dim_", "fct_", "bridge_", "review_", "data_quality"))) else "metrics"
            assert rows(built.db_path, f"select count(*) from {schema}.{table} "
                                       f"where list_contains(list_transform({column}, lambda x: x is null), true)") == [(0,)]
    assert rows(built.db_path, "select member_source_urls from marts.dim_network where network_id = 'net-a'") == [
        (["https://net-a.example.org/members"],)]


def test_times_are_utc_whatever_the_session_time_zone(built):
    """The raw times are UTC without a zone: a build whose session runs in another time zone must publish the
    same instants (a plain cast to TIMESTAMPTZ would read them in the session's zone)."""
    with in_place_of_the_build(built, start_from_the_build=True) as db_path:
        result = run_dbt(["run", "--select", "fct_membership", "--vars", BUILD_VARS], db_path, built.work,
                         extra_env={"TZ": "Pacific/Auckland"})
        assert result.returncode == 0, result.stdout[-3000:]
        assert rows(db_path, "select distinct first_seen from marts.fct_membership where network_id = 'net-c'") == [
            (utc(T1),)]


def test_coverage_is_null_with_a_note_where_there_is_nothing_to_compare(built):
    notes = dict(rows(built.db_path, "select network_id, coverage_note from marts.dim_network"))
    assert notes["net-a"] is None  # 4 of 8: a plain share
    assert notes["net-b"] == "no stated member count to compare with"
    assert notes["net-d"] == "no member list: the network publishes none"
    assert notes["net-c"].startswith("the list holds more members than the network states")


def test_data_quality_issues_list_every_contradiction_and_warn(built):
    issues = rows(built.db_path, "select check_name, network_id, member_name, city_id, detail "
                                 "from marts.data_quality_issues")
    assert {(c, n, m) for c, n, m, _, _ in issues} == FLAGGED and len(issues) == len(FLAGGED)
    details = {(c, m): (city, d) for c, _, m, city, d in issues}
    assert details[("join_before_founding", "Berlin")][0] == 101
    assert "1986" in details[("join_before_founding", "Berlin")][1]
    assert "1995" in details[("join_before_founding", "Berlin")][1]
    assert "2009" in details[("member_after_closing", "Kehl")][1]
    assert "(as of 2019)" in details[("coverage_above_one", None)][1]  # the stated date at its precision
    # each check is also a dbt test of severity warn, warning with as many rows as the table flags
    warned = {r["unique_id"].split(".flagged_rows_data_quality_issues_")[1].rsplit(".", 1)[0]: (r["status"], r["failures"])
              for r in built.results if ".flagged_rows_data_quality_issues_" in r["unique_id"]}
    assert warned == {"join_before_founding": ("warn", 2), "coverage_above_one": ("warn", 1),
                      "member_after_closing": ("warn", 1), "same_name_different_cities": ("pass", 0)}


def test_the_same_name_resolved_to_different_cities_is_flagged(built):
    """Hamburg (country DE) resolves to 106 in net-b; let the resolution send net-c's Hamburg to Kleinstadt
    (108): both memberships must be flagged, and nothing else newly."""
    with in_place_of_the_build(built, start_from_the_build=True) as db_path:
        with duckdb.connect(str(db_path)) as con:
            con.execute("update intermediate.int_member_resolution set city_id = 108 "
                        "where network_id = 'net-c' and name_key = 'hamburg'")
        result = run_dbt(["run", "--select", "dim_city", "fct_membership", "data_quality_issues",
                          "--vars", BUILD_VARS], db_path, built.work)
        assert result.returncode == 0, result.stdout[-3000:]
        flagged = rows(db_path, "select network_id, member_name, city_id from marts.data_quality_issues "
                                "where check_name = 'same_name_different_cities' order by network_id")
        others = rows(db_path, "select count(*) from marts.data_quality_issues "
                               "where check_name <> 'same_name_different_cities'")
    assert flagged == [("net-b", "Hamburg", 106), ("net-c", "Hamburg", 108)]
    assert others == [(len(FLAGGED),)]


def test_the_docs_open_on_a_project_overview(built):
    manifest = json.loads((built.work / "target" / "manifest.json").read_text())
    overview = manifest["docs"]["doc.tcn.__overview__"]["block_contents"]
    for table in ("dim_network", "fct_membership", "data_quality_issues", "network_overlap_pairs"):
        assert table in overview, table
    assert "docs/metrics.md" in overview


# ---- incremental history ------------------------------------------------------------------------------------

HISTORY_TABLES = {"metrics.metrics_history": "run_id, metric, key_kind, key",
                  "intermediate.int_membership_as_of_run": "run_id, network_id, member_id",
                  "metrics.membership_changes": "run_id, network_id"}


def test_history_built_run_by_run_equals_a_full_refresh(built):
    """The runs complete one at a time, each followed by a build that adds only the new run to the
    incremental history models; a --full-refresh afterwards recomputes them from raw: same rows."""
    with in_place_of_the_build(built, start_from_the_build=False) as db_path:
        build_fixture(db_path, completed=set())
        select = ["--select", "+metrics_history", "--vars", BUILD_VARS]
        rows_after_each_build = []
        for run_id, started, _, complete in RUNS:
            if not complete:
                continue
            con = duckdb.connect(str(db_path))
            complete_run(con, run_id, started)
            con.close()
            result = run_dbt(["run", *select], db_path, built.work)
            assert result.returncode == 0, result.stdout[-4000:]
            rows_after_each_build.append(
                rows(db_path, "select count(distinct run_id) from metrics.metrics_history")[0][0])
        assert rows_after_each_build == [1, 2, 3]  # each build added its run
        incremental = {t: rows(db_path, f"select * from {t} order by {key}") for t, key in HISTORY_TABLES.items()}
        assert len(incremental["metrics.metrics_history"]) > 30

        result = run_dbt(["run", "--full-refresh", *select], db_path, built.work)
        assert result.returncode == 0, result.stdout[-4000:]
        full = {t: rows(db_path, f"select * from {t} order by {key}") for t, key in HISTORY_TABLES.items()}
    assert full == incremental


def test_run_keyed_tests_read_the_runs_this_build_added(built):
    """A build's tests of the incremental history tables read the runs added since the last successful build
    (meta.dbt_builds); rows of runs built before are not tested again (macros/runs_of_this_build.sql)."""
    with in_place_of_the_build(built, start_from_the_build=True) as db_path:
        con = duckdb.connect(str(db_path))
        # r2 was the last run of a successful build; r3 (and r4, incomplete) came after it
        con.execute("insert into meta.dbt_builds values ('r2', 'incremental', 'test', 'v', 'v', 'p', 'r2', ?)", [T2])
        for run_id in ("r1", "r3"):  # one duplicated row in an old run and one in the newest
            con.execute("insert into metrics.metrics_history select * from metrics.metrics_history "
                        "where run_id = ? and metric = 'members' and key = 'all'", [run_id])
        con.close()
        test = ["test", "--select", "metrics_history,test_name:unique_combination", "--vars", BUILD_VARS]
        failed = run_dbt(test, db_path, built.work)
        assert failed.returncode == 1 and "Got 1 result" in failed.stdout, failed.stdout[-3000:]  # r3 only

        con = duckdb.connect(str(db_path))
        con.execute("delete from meta.dbt_builds")  # no build recorded: every run is this build's
        con.close()
        failed = run_dbt(test, db_path, built.work)
        assert failed.returncode == 1 and "Got 2 results" in failed.stdout, failed.stdout[-3000:]
