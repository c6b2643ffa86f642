"""The publication as analysts' tools see it: dbt descriptions as comments and NOT NULLs in the DuckDB copy,
the Excel workbook (or CSVs over Excel's row limit) each run, and `tcn export`. Real DuckDB files, real
openpyxl reads, the real CLI."""
import csv
import json
import subprocess
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from helpers import TCN
from warehouse.paths import data_paths
from warehouse.publish import PublishError, publish
from warehouse.table_docs import TableDoc, load_table_docs

NAMES = ['=HYPERLINK("http://evil.example")', "-5 below", "+49 30", "@SUM(A1)", "Zürich", "plain"]
DOCS = {
    ("marts", "dim_city"): TableDoc(
        description="One row per city, it's the city dimension.",
        columns={"city_id": "GeoNames id.", "name": "Name as GeoNames spells it.", "parent_id": "Its division.",
                 "tags": "Labels.", "seen_at": "When first seen (UTC).", "share": "A share."},
        not_null=frozenset({"name"})),  # the contract's; city_id is NOT NULL in the working table itself
    ("metrics", "network_overlap"): TableDoc(description="Pairs of networks.",
                                             columns={"network_a": "First network.", "jaccard": "Jaccard."}),
}


def _build(db: Path, extra_rows: int = 0) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS marts; CREATE SCHEMA IF NOT EXISTS metrics")
        con.execute("""CREATE OR REPLACE TABLE marts.dim_city (city_id BIGINT NOT NULL, name VARCHAR,
                       parent_id BIGINT, tags VARCHAR[], seen_at TIMESTAMPTZ, share DECIMAL(5, 3))""")
        for i, name in enumerate(NAMES, start=1):
            con.execute("INSERT INTO marts.dim_city VALUES (?, ?, ?, ?, ?::TIMESTAMPTZ, ?)",
                        [i, name, 7 if i % 2 == 0 else None, ["a", "b"] if i == 1 else [],
                         "2026-01-02 03:04:05+02" if i == 1 else None, Decimal("0.5") if i == 1 else None])
        con.execute("CREATE OR REPLACE TABLE metrics.network_overlap AS "
                    "SELECT 'a' AS network_a, 'b' AS network_b, 0.5::DOUBLE AS jaccard FROM range(1 + ?)",
                    [extra_rows])


@pytest.fixture
def paths(tmp_path):
    return data_paths(tmp_path / "data")


def _copy(paths, sql, params=()):
    with duckdb.connect(str(paths.published_db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_the_copy_carries_dbt_descriptions_as_comments_and_the_not_nulls(paths):
    _build(paths.working_db)
    publish(paths, "run-1", docs=DOCS)
    assert _copy(paths, "SELECT comment FROM duckdb_tables() WHERE table_name = 'dim_city'") == \
        [(DOCS[("marts", "dim_city")].description,)]
    comments = dict(_copy(paths, "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = 'dim_city'"))
    assert comments == DOCS[("marts", "dim_city")].columns
    not_null = {c for c, n in _copy(paths, "SELECT column_name, is_nullable FROM duckdb_columns() "
                                           "WHERE table_name = 'dim_city'") if not n}
    assert not_null == {"city_id", "name"}
    # a column without a description stays without a comment (nothing is made up)
    assert _copy(paths, "SELECT comment FROM duckdb_columns() WHERE column_name = 'network_b'") == [(None,)]


def test_a_contract_not_null_broken_by_the_data_fails_the_publish_and_keeps_the_previous_one(paths):
    _build(paths.working_db)
    publish(paths, "run-1", docs=DOCS)
    before = (paths.published / "manifest.json").read_text()
    docs = dict(DOCS)
    docs[("marts", "dim_city")] = TableDoc(not_null=frozenset({"parent_id"}))  # parent_id holds NULLs
    with pytest.raises(PublishError, match="dim_city.parent_id"):
        publish(paths, "run-2", docs=docs)
    assert (paths.published / "manifest.json").read_text() == before


def test_descriptions_come_from_the_dbt_manifest(tmp_path):
    manifest = {"nodes": {
        "model.tcn.dim_city": {"resource_type": "model", "schema": "marts", "name": "dim_city", "alias": "dim_city",
                               "description": " Cities. ", "constraints": [],
                               "columns": {"city_id": {"description": "Id.", "constraints": [{"type": "not_null"}]},
                                           "name": {"description": "", "constraints": []}}},
        "model.tcn.stg_x": {"resource_type": "model", "schema": "staging", "name": "stg_x", "columns": {}},
        "test.tcn.t": {"resource_type": "test", "schema": "marts", "name": "t"}}}
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    docs = load_table_docs(path, ("marts", "metrics"))
    assert docs == {("marts", "dim_city"): TableDoc("Cities.", {"city_id": "Id.", "name": ""}, frozenset({"city_id"}))}
    path.write_text("{not json")
    with pytest.raises(ValueError, match="manifest.json"):
        load_table_docs(path, ("marts",))


def _sheet_rows(workbook_path: Path, sheet: str) -> list[tuple]:
    workbook = openpyxl.load_workbook(workbook_path, read_only=True)
    try:
        return list(workbook[sheet].iter_rows(values_only=True))
    finally:
        workbook.close()


def test_each_publish_writes_a_workbook_a_spreadsheet_cannot_run(paths):
    _build(paths.working_db)
    manifest = publish(paths, "run-1", docs=DOCS)
    workbook = paths.published / manifest["workbook"]["path"]
    assert workbook == paths.workbook and manifest["csv"] == []
    assert openpyxl.load_workbook(workbook, read_only=True).sheetnames == \
        ["column_descriptions", "dim_city", "network_overlap"] == manifest["workbook"]["sheets"]
    header, *rows = _sheet_rows(workbook, "dim_city")
    assert header == ("city_id", "name", "parent_id", "tags", "seen_at", "share")
    by_id = {r[0]: r for r in rows}
    assert [by_id[i][1] for i in range(1, 7)] == ["'" + n for n in NAMES[:4]] + NAMES[4:]
    assert [by_id[i][2] for i in range(1, 7)] == [None, 7, None, 7, None, 7]
    assert all(type(by_id[i][2]) is int for i in (2, 4, 6))  # a nullable integer stays an integer
    assert by_id[1][3] == "a; b" and by_id[1][4] == datetime(2026, 1, 2, 1, 4, 5)  # UTC
    assert by_id[1][5] == 0.5
    described = {(r[1], r[2]): r[5] for r in _sheet_rows(workbook, "column_descriptions")[1:]}
    assert described[("dim_city", "name")] == "Name as GeoNames spells it."
    assert described[("dim_city", None)] == DOCS[("marts", "dim_city")].description


def test_over_excels_row_limit_the_csvs_are_published_instead_and_a_later_run_brings_the_workbook_back(paths):
    _build(paths.working_db)
    publish(paths, "run-1", docs=DOCS)
    assert paths.workbook.exists()
    _build(paths.working_db, extra_rows=1_048_575)  # 1,048,576 rows: with its header one over the limit
    manifest = publish(paths, "run-2", docs=DOCS)
    assert manifest["workbook"] is None and not paths.workbook.exists()  # no workbook of an older run
    assert "metrics.network_overlap has 1,048,576 rows" in manifest["workbook_skipped"]
    assert "dim_city" not in manifest["workbook_skipped"]
    assert sorted(p.name for p in paths.published_csv.iterdir()) == \
        ["column_descriptions.csv", "dim_city.csv", "network_overlap.csv"]
    with (paths.published_csv / "network_overlap.csv").open(encoding="utf-8-sig") as f:
        assert sum(1 for _ in f) == 1_048_577
    _build(paths.working_db)
    manifest = publish(paths, "run-3", docs=DOCS)
    assert manifest["workbook"]["path"] == "warehouse.xlsx" and paths.workbook.exists()
    assert not list(paths.published_csv.glob("*.csv"))  # the CSVs of run-2 no longer describe the data


def _tcn(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(TCN), *args], capture_output=True, text=True, timeout=300)


def test_tcn_export_writes_csv_that_keeps_types_and_runs_no_formula(paths, tmp_path):
    _build(paths.working_db)
    publish(paths, "run-1", docs=DOCS)
    out = tmp_path / "out"
    proc = _tcn("export", "--format", "csv", "--out", str(out), "--data-dir", str(paths.root))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["column_descriptions.csv", "dim_city.csv", "network_overlap.csv"]
    raw = (out / "dim_city.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    with (out / "dim_city.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = {r["city_id"]: r for r in csv.DictReader(f)}
    assert [rows[str(i)]["name"] for i in range(1, 7)] == ["'" + n for n in NAMES[:4]] + NAMES[4:]
    assert [rows[str(i)]["parent_id"] for i in range(1, 7)] == ["", "7", "", "7", "", "7"]  # no "7.0"
    assert rows["1"]["tags"] == "a; b" and rows["1"]["seen_at"] == "2026-01-02T01:04:05.000000Z"
    with (out / "column_descriptions.csv").open(encoding="utf-8-sig", newline="") as f:
        described = {(r["table"], r["column"]): r["description"] for r in csv.DictReader(f)}
    assert described[("network_overlap", "jaccard")] == "Jaccard."


def test_tcn_export_xlsx_and_its_errors(paths, tmp_path):
    proc = _tcn("export", "--data-dir", str(paths.root))
    assert proc.returncode == 1 and "no publication" in proc.stderr and "tcn refresh" in proc.stderr
    _build(paths.working_db)
    publish(paths, "run-1", docs=DOCS)
    out = tmp_path / "out"
    proc = _tcn("export", "--format", "xlsx", "--out", str(out), "--data-dir", str(paths.root))
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in out.iterdir()] == ["warehouse.xlsx"]
    assert _sheet_rows(out / "warehouse.xlsx", "dim_city") == _sheet_rows(paths.workbook, "dim_city")
    (tmp_path / "a-file").write_text("x")
    proc = _tcn("export", "--out", str(tmp_path / "a-file"), "--data-dir", str(paths.root))
    assert proc.returncode == 1 and "a-file is a file" in proc.stderr and proc.stdout == ""


def _sheet_xml(workbook_path: Path, sheets: list[str], sheet: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(workbook_path) as book:
        return book.read(f"xl/worksheets/sheet{sheets.index(sheet) + 1}.xml")


def test_a_publish_keeps_the_sheets_of_unchanged_tables_and_rebuilds_the_others(paths):
    _build(paths.working_db)
    first = publish(paths, "run-1", docs=DOCS)["workbook"]
    city_before = _sheet_xml(paths.workbook, first["sheets"], "dim_city")
    with duckdb.connect(str(paths.working_db)) as con:
        con.execute("UPDATE metrics.network_overlap SET jaccard = 0.25")
    second = publish(paths, "run-2", docs=DOCS)["workbook"]
    assert second["sheets_kept"] == ["dim_city"]
    assert _sheet_xml(paths.workbook, second["sheets"], "dim_city") == city_before
    assert [r[2] for r in _sheet_rows(paths.workbook, "network_overlap")[1:]] == [0.25]
    header, *rows = _sheet_rows(paths.workbook, "dim_city")
    assert header[1] == "name" and sorted(r[1] for r in rows) == sorted(["'" + n for n in NAMES[:4]] + NAMES[4:])

    paths.workbook.write_bytes(b"damaged")  # a workbook that is not the manifest's is never copied from
    assert publish(paths, "run-3", docs=DOCS)["workbook"]["sheets_kept"] == []
    assert len(_sheet_rows(paths.workbook, "dim_city")) == len(NAMES) + 1


def test_a_table_whose_name_excel_cannot_take_gets_a_short_sheet_listed_with_its_columns(paths):
    _build(paths.working_db)
    long_name = "network_function_overlap_by_region_and_year"  # 43 characters: Excel takes 31
    with duckdb.connect(str(paths.working_db)) as con:
        con.execute(f'CREATE TABLE metrics."{long_name}" AS SELECT 1 AS n')
    manifest = publish(paths, "run-1", docs=DOCS)
    sheet = "network_function_overlap_by~1"
    assert sheet in manifest["workbook"]["sheets"] and len(sheet) <= 31
    assert _sheet_rows(paths.workbook, sheet) == [("n",), (1,)]
    listed = {(r[1], r[2]): r[6] for r in _sheet_rows(paths.workbook, "column_descriptions")[1:]}
    assert listed[(long_name, "n")] == sheet and listed[("dim_city", "name")] == "dim_city"
