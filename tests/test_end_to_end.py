"""The real pipeline end to end: `tcn refresh` (Dagster job in process, real dbt, real DuckDB) in a temp dir."""
import csv
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from helpers import REPO, TCN, copy_data_dir
from scrapers.registry import load_registry

GOLDEN = REPO / "tests" / "golden" / "parsers"


def _refresh(data_dir: Path, *args: str, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "TCN_REGISTRY", "TCN_DATA_DIR")}
    env.update(extra_env or {})
    return subprocess.run([str(TCN), "refresh", "--data-dir", str(data_dir), *args], env=env,
                          capture_output=True, text=True, timeout=600)


def _golden_networks_listing(name: str) -> set[str]:
    """Networks whose hand-checked golden list has a member published exactly as `name`."""
    found = set()
    for path in GOLDEN.glob("*.csv"):
        with path.open(encoding="utf-8") as f:
            if any(row["member_name"] == name for row in csv.DictReader(f)):
                found.add(path.stem)
    return found


@pytest.fixture(scope="module")
def first_run(tmp_path_factory, refreshed_data_dir):
    """A copy of the session's refreshed data dir (one `tcn refresh` of the bundled snapshots) and its output."""
    source, proc = refreshed_data_dir
    return copy_data_dir(source, tmp_path_factory.mktemp("e2e") / "data"), proc


def _query(db: Path, sql: str, params=()):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_summary_names_every_network_with_a_source(first_run):
    _, proc = first_run
    for path in GOLDEN.glob("*.csv"):
        assert path.stem in proc.stdout
    assert "succeeded" in proc.stdout


def test_a_new_data_dir_starts_from_the_saved_dbt_parse(first_run):
    """dbt reuses a saved parse only for the same profile, DuckDB path included: tcn's dbt runs with the path
    relative (orchestration/dbt_launcher.py), so a new data dir's first build starts from the parse `make
    manifest` saved instead of parsing the whole project (~4.5 s)."""
    _, proc = first_run
    assert "OK created sql table model marts.fct_membership" in proc.stdout  # dbt's output is here
    assert "Unable to do partial parsing" not in proc.stdout


def test_marts_hold_resolved_memberships(first_run):
    data, _ = first_run
    db = data / "published" / "warehouse.duckdb"
    members, resolved, networks = _query(
        db, "SELECT count(*), count(city_id), count(DISTINCT network_id) FROM marts.fct_membership")[0]
    with_sources = load_registry().with_sources("replay")  # live-only pages are not read offline
    assert networks == len(with_sources)
    assert members >= 1500 and resolved / members > 0.6
    # Berlin (GeoNames 2950159) is a member of exactly the networks whose golden lists name "Berlin"
    berlin = _query(db, "SELECT network_ids FROM metrics.city_network_degree WHERE city_id = 2950159")
    assert set(berlin[0][0]) >= _golden_networks_listing("Berlin")
    assert _query(db, "SELECT country_code, is_capital FROM marts.dim_city WHERE city_id = 2950159") == [("DE", True)]


def test_every_network_keeps_its_recorded_coverage_floor(first_run):
    """The registry records, per network, the share of its stated member count the bundled list reaches
    (coverage_floor); a parser, snapshot or resolution change that loses members fails here."""
    data, _ = first_run
    db = data / "published" / "warehouse.duckdb"
    floors = {n.id: n for n in load_registry().networks.values() if n.coverage_floor is not None}
    assert len(floors) >= 40
    published = dict(_query(db, "SELECT network_id, n_members FROM marts.dim_network"))
    below = {network_id: (published.get(network_id, 0), n.stated_member_count, n.coverage_floor)
             for network_id, n in floors.items()
             if published.get(network_id, 0) + 1e-9 < n.coverage_floor * n.stated_member_count}
    assert not below, f"published below the coverage floor (published, stated, floor): {below}"
    coverage = dict(_query(db, "SELECT network_id, coverage FROM marts.dim_network WHERE coverage IS NOT NULL"))
    # measured 2026-12-02 on the bundled lists: 17 networks at 80% or more of their stated count (the
    # target is 20; docs/coverage.md says which lists are short and why)
    assert sum(1 for c in coverage.values() if c >= 0.8) >= 17


def test_overlap_matches_the_memberships_it_counts(first_run):
    data, _ = first_run
    db = data / "published" / "warehouse.duckdb"
    # recompute every pair independently from the fact table
    recomputed = dict(((a, b), (s, ja)) for a, b, s, ja in _query(db, """
        WITH m AS (SELECT DISTINCT network_id, city_id FROM marts.fct_membership WHERE city_id IS NOT NULL),
             n AS (SELECT network_id, count(*) AS k FROM m GROUP BY 1),
             s AS (SELECT x.network_id AS a, y.network_id AS b, count(*) AS shared
                   FROM m x JOIN m y ON x.city_id = y.city_id AND x.network_id < y.network_id GROUP BY 1, 2)
        SELECT s.a, s.b, shared, shared / (na.k + nb.k - shared)
        FROM s JOIN n na ON na.network_id = s.a JOIN n nb ON nb.network_id = s.b"""))
    published = _query(db, "SELECT network_a, network_b, shared, jaccard, overlap_coefficient FROM metrics.network_overlap")
    assert recomputed
    for a, b, shared, jaccard, overlap in published:
        assert a < b and 0 <= jaccard <= overlap <= 1
        if shared:
            assert recomputed[(a, b)][0] == shared and recomputed[(a, b)][1] == pytest.approx(jaccard)


def test_parquet_and_manifest_agree(first_run):
    data, _ = first_run
    manifest = json.loads((data / "published" / "manifest.json").read_text())
    tables = {t["table"] for t in manifest["tables"]}
    assert {"dim_network", "dim_city", "dim_funder", "bridge_network_funder", "fct_membership",
            "city_network_degree", "network_overlap"} <= tables
    for entry in manifest["tables"]:
        path = data / "published" / entry["path"]
        rows = _query(data / "published" / "warehouse.duckdb", "SELECT count(*) FROM read_parquet(?)", [str(path)])
        assert rows[0][0] == entry["rows"], entry["table"]
    assert len(_query(data / "published" / "warehouse.duckdb", "SELECT * FROM marts.dim_network")) >= 76


def test_a_failing_network_keeps_its_last_good_members(first_run, tmp_path):
    data, _ = first_run
    db = data / "published" / "warehouse.duckdb"
    before = _query(db, "SELECT count(*) FROM marts.fct_membership WHERE network_id = 'iash'")[0][0]
    # a user registry override points IASH at a page that is not there any more
    doc = yaml.safe_load((REPO / "scrapers/registry/networks/iash.yaml").read_text())
    doc["sources"][0]["url"] = "https://iash-eu.org/moved/"
    doc["replaces"] = "iash"  # an outside entry takes a bundled id only by saying so
    (tmp_path / "iash.yaml").write_text(yaml.safe_dump(doc))
    proc = _refresh(data, "--network", "iash", "--network", "icorn",
                    extra_env={"TCN_REGISTRY": str(tmp_path / "iash.yaml")})
    assert proc.returncode == 3, proc.stderr[-3000:]  # published, one network failed
    assert proc.stdout.strip().splitlines()[-1].endswith("(exit 3)") and "iash" in proc.stdout.splitlines()[-1]
    assert "Unable to do partial parsing" not in proc.stdout  # a copied data dir keeps its saved dbt parse
    line = next(l for l in proc.stdout.splitlines() if l.startswith("iash "))
    assert "fetch_failed" in line and "not_in_snapshot" in proc.stdout
    after = _query(db, "SELECT count(*) FROM marts.fct_membership WHERE network_id = 'iash'")[0][0]
    assert after == before > 0
    # the registry changed, the gazetteer did not: dbt rebuilt the marts from raw, not the gazetteer's staging
    assert "dbt build: full_refresh: the registry changed" in proc.stderr
    assert "--exclude tag:gazetteer" in proc.stderr
    import dagster as dg

    with dg.DagsterInstance.from_config(str(data / "dagster_home")) as instance:
        def build_note(*key: str):
            event = instance.get_latest_materialization_event(dg.AssetKey(list(key)))
            return event.run_id, {k: v.value for k, v in event.asset_materialization.metadata.items()}

        run_id = next(line.split()[1] for line in proc.stdout.splitlines() if line.startswith("run "))
        for table in ("stg_places", "stg_place_names", "stg_countries", "stg_country_names"):
            assert build_note("staging", table) == (run_id, {"tcn/build": "full_refresh: not rebuilt, the gazetteer "
                                                             "and the dbt project are unchanged since the last build"})
        rebuilt_run, rebuilt = build_note("marts", "fct_membership")
        assert rebuilt_run == run_id and rebuilt["dagster/row_count"] > 0 and "tcn/build" not in rebuilt


def test_dagster_records_row_counts_and_published_paths(first_run):
    import dagster as dg

    data, _ = first_run
    db = data / "published" / "warehouse.duckdb"
    with dg.DagsterInstance.from_config(str(data / "dagster_home")) as instance:
        def metadata(*key: str) -> dict:
            event = instance.get_latest_materialization_event(dg.AssetKey(list(key)))
            return {k: v.value for k, v in event.asset_materialization.metadata.items()}

        assert metadata("marts", "fct_membership")["dagster/row_count"] == _query(
            db, "SELECT count(*) FROM marts.fct_membership")[0][0]
        assert metadata("metrics", "metrics_history")["dagster/row_count"] == _query(
            db, "SELECT count(*) FROM metrics.metrics_history")[0][0]
        with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
            raw_fetches = con.execute("SELECT count(*) FROM raw.fetches").fetchone()[0]
        assert metadata("raw", "fetches")["dagster/row_count"] == raw_fetches
        published = metadata("published", "warehouse")
        assert published["duckdb"] == str(db)
        assert published["manifest"] == str(data / "published" / "manifest.json")
        assert str(data / "published" / "parquet" / "fct_membership.parquet") in published["files"]


def _readme_analyst_queries() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## For analysts"):]
    section = section[:section.index("\n## ", 1)]
    sql = re.search(r"```sql\n(.*?)```", section, re.S).group(1)
    code = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [statement.strip() for statement in code.split(";") if statement.strip()]


def test_readme_analyst_queries_run_on_the_publication(first_run):
    data, _ = first_run
    queries = _readme_analyst_queries()
    assert len(queries) >= 3  # those of docs/example_queries.sql (test_published_for_analysts.py)
    for query in queries:
        assert _query(data / "published" / "warehouse.duckdb", query), query


def test_status_lists_each_network_and_the_published_files(first_run):
    data, _ = first_run
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "TCN_DATA_DIR")}
    proc = subprocess.run([str(TCN), "status", "--data-dir", str(data)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = {line.split()[0]: line for line in proc.stdout.splitlines() if line.strip()}
    # the status must agree with the published mart (a network failed by an earlier test shows as stale)
    published = {n: (m, ok) for n, m, ok in _query(
        data / "published" / "warehouse.duckdb", "SELECT network_id, n_members, latest_attempt_ok FROM marts.dim_network")}
    for path in GOLDEN.glob("*.csv"):
        fields = lines[path.stem].split()
        members, ok = published[path.stem]
        assert int(fields[4]) == members, lines[path.stem]
        assert (fields[3] == "ok" and fields[-1] != "STALE") if ok else (fields[3] != "ok" and fields[-1] == "STALE")
    assert str(data / "published" / "warehouse.duckdb") in proc.stdout
    manifest = json.loads((data / "published" / "manifest.json").read_text())
    assert f"published from run {manifest['run_id']}" in proc.stdout
    assert "last refresh: run " in proc.stdout


def test_docs_site_describes_the_published_tables(first_run):
    data, _ = first_run
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "TCN_DATA_DIR")}
    proc = subprocess.run([str(TCN), "docs", "--data-dir", str(data)], env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    index = data / "published" / "docs" / "static_index.html"
    assert f"docs site: {index}" in proc.stdout
    catalog = json.loads((index.parent / "catalog.json").read_text())
    tables = {t["table"] for t in json.loads((data / "published" / "manifest.json").read_text())["tables"]}
    assert {unique_id.rsplit(".", 1)[-1] for unique_id in catalog["nodes"]} == tables
    assert "fct_membership_spell" in index.read_text(encoding="utf-8")


HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])  # opened read-write: the strongest lock an analyst's session can take
print(con.execute("SELECT count(*) FROM marts.fct_membership").fetchone()[0], flush=True)
time.sleep(600)
"""

PARQUET_READER = """
import sys, time, duckdb
con = duckdb.connect()  # one in-memory engine (a new one per read cost 30 ms of CPU); every read opens the file
with open(sys.argv[2], "a") as log:
    while True:  # read the published Parquet over and over; log any read that fails or looks partial
        try:
            n = con.execute("SELECT count(*) FROM read_parquet(?)", [sys.argv[1]]).fetchone()[0]
            log.write("ok\\n" if n > 0 else "EMPTY\\n")
        except Exception as exc:
            log.write(f"ERR {exc}\\n")
        log.flush()
        time.sleep(0.02)
"""


def _published_files(data: Path) -> dict[str, tuple[str, int]]:
    """sha256 and mtime (ns) of every published file (the docs site aside)."""
    published = data / "published"
    return {str(p.relative_to(published)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(published.rglob("*")) if p.is_file() and "docs" not in p.relative_to(published).parts}


def test_readers_of_the_publication_do_not_block_a_full_refresh(first_run, tmp_path):
    """A second process holds the published DuckDB open (read-write) and a third reads Parquet in a loop
    during a full refresh: the refresh succeeds, neither is disturbed, no read sees a partial file.
    (A read-only holder is the same case for the pipeline; tests/test_publish.py covers both modes.)"""
    data, _ = first_run
    db = data / "published" / "warehouse.duckdb"
    before = json.loads((data / "published" / "manifest.json").read_text())["run_id"]
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdout=subprocess.PIPE, text=True)
    reader = None
    try:
        assert int(holder.stdout.readline()) > 0  # it holds the file open now
        reader = subprocess.Popen([sys.executable, "-c", PARQUET_READER,
                                   str(data / "published" / "parquet" / "fct_membership.parquet"),
                                   str(tmp_path / "reads.log")])
        proc = _refresh(data)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        assert holder.poll() is None and reader.poll() is None  # both still running
    finally:
        for process in (holder, reader):
            if process is not None:
                process.kill()
                process.wait()
    reads = (tmp_path / "reads.log").read_text().splitlines()
    assert len(reads) > 10 and set(reads) == {"ok"}, [r for r in reads if r != "ok"][:5]
    manifest = json.loads((data / "published" / "manifest.json").read_text())
    assert manifest["run_id"] != before
    assert _query(db, "SELECT count(*) FROM marts.fct_membership")[0][0] > 0


def test_a_failed_refresh_leaves_the_previous_publication_untouched(first_run):
    """dbt fails on bad raw data (a source test of error severity): the publish step must not run."""
    data, _ = first_run
    before = _published_files(data)
    working = data / "warehouse.duckdb"
    with duckdb.connect(str(working)) as con:
        run_id, fetch = con.execute("SELECT run_id, fetch_id FROM raw.fetches LIMIT 1").fetchone()
        con.execute("INSERT INTO raw.fetches SELECT * REPLACE ('bogus-' || fetch_id AS fetch_id, "
                    "'not_a_status' AS parse_status) FROM raw.fetches WHERE fetch_id = ?", [fetch])
    try:
        proc = _refresh(data, "--network", "icorn")
    finally:
        with duckdb.connect(str(working)) as con:
            con.execute("DELETE FROM raw.fetches WHERE fetch_id = ?", ["bogus-" + fetch])
    assert proc.returncode == 4, proc.stdout[-3000:] + proc.stderr[-3000:]  # nothing published
    assert "FAILED tcn_dbt_models" in proc.stderr
    last = proc.stdout.strip().splitlines()[-1]  # the summary's last line says what the exit code means
    assert "previous publication" in last and "untouched" in last and last.endswith("(exit 4)")
    assert _published_files(data) == before
