"""benchmarks.storage_growth counts every table of a data dir's working database and sizes its parts."""
from pathlib import Path

import duckdb
import pytest

from benchmarks import storage_growth


def _data_dir(root: Path) -> Path:
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        con.execute("CREATE SCHEMA raw; CREATE TABLE raw.fetches AS SELECT range AS i FROM range(7)")
        con.execute("CREATE SCHEMA metrics; CREATE TABLE metrics.metrics_history (v DOUBLE)")
        con.execute("CREATE VIEW raw.member_mentions AS SELECT 1 AS x")  # views hold no rows of their own
    (root / "published" / "parquet").mkdir(parents=True)
    (root / "published" / "parquet" / "a.parquet").write_bytes(b"x" * 1000)
    return root


def test_every_table_is_counted_and_views_are_not(tmp_path):
    rows = storage_growth.table_rows(_data_dir(tmp_path) / "warehouse.duckdb")
    assert rows == {"metrics.metrics_history": 0, "raw.fetches": 7}


def test_footprint_sizes_the_parts_of_the_data_dir(tmp_path):
    sizes = storage_growth.footprint(_data_dir(tmp_path))
    assert sizes["published Parquet"] == 1000
    assert sizes["working database"] == (tmp_path / "warehouse.duckdb").stat().st_size
    assert sizes["whole data dir"] >= sizes["working database"] + 1000
    assert sizes["Dagster history"] == 0


def test_a_data_dir_without_a_working_database_is_named(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        storage_growth.main(["--data-dir", str(tmp_path)])
    assert str(tmp_path) in str(stop.value) and "no working database" in str(stop.value)


def test_measuring_a_data_dir_prints_its_tables(tmp_path, capsys):
    assert storage_growth.main(["--data-dir", str(_data_dir(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "| raw.fetches | 7 |" in out and "| metrics.metrics_history | 0 |" in out
