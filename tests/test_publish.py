"""Publishing: Parquet + DuckDB copy + manifest, atomic, and never blocked by a reader of the copy."""
import hashlib
import json
import subprocess
import sys
from decimal import Decimal

import duckdb
import pytest

from warehouse.paths import data_paths
from warehouse.publish import PublishError, publish


def _build(db, n_rows):
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS marts; CREATE SCHEMA IF NOT EXISTS metrics; CREATE SCHEMA IF NOT EXISTS raw")
        con.execute("CREATE OR REPLACE TABLE marts.dim_city AS SELECT range AS city_id, 'c' || range AS name FROM range(?)",
                    [n_rows])
        con.execute("CREATE OR REPLACE TABLE metrics.network_overlap AS SELECT 'a' AS network_a, 'b' AS network_b, 0.5 AS jaccard")
        con.execute("CREATE OR REPLACE TABLE raw.fetches AS SELECT 1 AS secret")


@pytest.fixture
def paths(tmp_path):
    return data_paths(tmp_path / "data")


def test_manifest_describes_what_was_written(paths):
    _build(paths.working_db, 5)
    manifest = publish(paths, "run-1")
    entries = {t["table"]: t for t in manifest["tables"]}
    assert set(entries) == {"dim_city", "network_overlap"}  # raw tables are never published
    city = entries["dim_city"]
    assert city["rows"] == 5 and [c["name"] for c in city["columns"]] == ["city_id", "name"]
    parquet = paths.published / city["path"]
    assert hashlib.sha256(parquet.read_bytes()).hexdigest() == city["sha256"]
    assert json.loads((paths.published / "manifest.json").read_text())["run_id"] == "run-1"
    with duckdb.connect(str(paths.published_db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.dim_city").fetchone()[0] == 5
    assert not list(paths.published.rglob("*.tmp-publish*"))


READER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT count(*) FROM marts.dim_city").fetchone()[0], flush=True)
time.sleep(30)
"""


def test_a_reader_holding_the_published_file_does_not_block_the_next_publish(paths):
    _build(paths.working_db, 5)
    publish(paths, "run-1")
    reader = subprocess.Popen([sys.executable, "-c", READER, str(paths.published_db)], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "5"  # the reader has the file open
        _build(paths.working_db, 7)
        manifest = publish(paths, "run-2")
        assert manifest["run_id"] == "run-2"
        assert reader.poll() is None  # still reading its (old) copy
    finally:
        reader.kill()
        reader.wait()
    with duckdb.connect(str(paths.published_db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.dim_city").fetchone()[0] == 7


def test_nothing_to_publish_is_an_error_and_keeps_the_previous_files(paths):
    _build(paths.working_db, 3)
    publish(paths, "run-1")
    before = (paths.published / "manifest.json").read_text()
    with duckdb.connect(str(paths.working_db)) as con:
        con.execute("DROP SCHEMA marts CASCADE; DROP SCHEMA metrics CASCADE")
    with pytest.raises(PublishError, match="nothing to publish"):
        publish(paths, "run-2")
    assert (paths.published / "manifest.json").read_text() == before


WRITER_HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])  # read-write: DuckDB then refuses every other process on this file
print(con.execute("SELECT count(*) FROM marts.dim_city").fetchone()[0], flush=True)
time.sleep(30)
"""


def test_a_session_holding_the_published_file_read_write_does_not_block_the_next_publish(paths):
    _build(paths.working_db, 5)
    publish(paths, "run-1")
    holder = subprocess.Popen([sys.executable, "-c", WRITER_HOLDER, str(paths.published_db)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "5"
        with pytest.raises(duckdb.IOException):  # the lock is real: nobody else can open that file now
            duckdb.connect(str(paths.published_db), read_only=True)
        _build(paths.working_db, 7)
        assert publish(paths, "run-2")["run_id"] == "run-2"
        assert holder.poll() is None
    finally:
        holder.kill()
        holder.wait()
    with duckdb.connect(str(paths.published_db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.dim_city").fetchone()[0] == 7


def _snapshot(published):
    return {str(p.relative_to(published)): p.read_bytes() for p in sorted(published.rglob("*")) if p.is_file()}


def test_a_publish_failing_part_way_leaves_the_previous_publication_untouched(paths):
    _build(paths.working_db, 3)
    publish(paths, "run-1")
    before = _snapshot(paths.published)
    _build(paths.working_db, 9)
    with duckdb.connect(str(paths.working_db)) as con:
        # sorted after dim_city and network_overlap, whose new files are written first; its own Parquet file
        # cannot be written (the name points into a folder that does not exist)
        con.execute('CREATE TABLE metrics."zz/no such folder" AS SELECT 1 AS x')
    with pytest.raises(PublishError, match="zz/no such folder"):
        publish(paths, "run-2")
    assert _snapshot(paths.published) == before  # no new file renamed in, no temporary file left behind


def test_a_table_no_longer_published_loses_its_parquet_file(paths):
    _build(paths.working_db, 3)
    publish(paths, "run-1")
    assert (paths.parquet / "network_overlap.parquet").exists()
    with duckdb.connect(str(paths.working_db)) as con:
        con.execute("DROP TABLE metrics.network_overlap")
    manifest = publish(paths, "run-2")
    assert [t["table"] for t in manifest["tables"]] == ["dim_city"]
    assert sorted(p.name for p in paths.parquet.iterdir()) == ["dim_city.parquet"]


def test_an_unchanged_table_keeps_its_file_and_a_changed_one_is_written_again(paths):
    _build(paths.working_db, 5)
    publish(paths, "run-1")
    city_file = paths.parquet / "dim_city.parquet"
    written = city_file.stat().st_mtime_ns
    with duckdb.connect(str(paths.working_db)) as con:
        con.execute("UPDATE metrics.network_overlap SET jaccard = 0.1")
    entries = {t["table"]: t for t in publish(paths, "run-2")["tables"]}
    assert city_file.stat().st_mtime_ns == written and entries["dim_city"]["written_in_run"] == "run-1"
    assert entries["network_overlap"]["written_in_run"] == "run-2"
    assert duckdb.sql(f"SELECT jaccard FROM '{paths.parquet / 'network_overlap.parquet'}'").fetchall()[0][0] == Decimal("0.1")

    with duckdb.connect(str(paths.working_db)) as con:  # one value of one row: a new content
        con.execute("UPDATE marts.dim_city SET name = 'renamed' WHERE city_id = 3")
    entries = {t["table"]: t for t in publish(paths, "run-3")["tables"]}
    assert entries["dim_city"]["written_in_run"] == "run-3"
    assert duckdb.sql(f"SELECT name FROM '{city_file}' WHERE city_id = 3").fetchall()[0][0] == "renamed"

    city_file.write_bytes(b"damaged")  # a file that no longer matches its manifest entry is written again
    entries = {t["table"]: t for t in publish(paths, "run-4")["tables"]}
    assert entries["dim_city"]["written_in_run"] == "run-4"
    assert hashlib.sha256(city_file.read_bytes()).hexdigest() == entries["dim_city"]["sha256"]
