"""The publication of a real refresh as an analyst meets it: a DuckDB 1.x client (installed from the package
registry into a throwaway environment) opens the copy, its columns carry their dbt descriptions, the workbook
has a sheet per table, the README's example queries and Python run as written, and the CLI names the report."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest

from helpers import REPO, TCN, copy_data_dir

UV = REPO / ".tools" / "bin" / "uv"
EXAMPLES = REPO / "docs" / "example_queries.sql"
README = REPO / "README.md"
# what a failed install says when the package registry cannot be reached (then the test is skipped)
UNREACHABLE = re.compile(r"(?i)failed to fetch|dns error|connection (refused|reset)|timed out|network is unreachable"
                         r"|could not connect|error sending request")


@pytest.fixture(scope="module")
def data(tmp_path_factory, refreshed_data_dir):
    source, proc = refreshed_data_dir
    return copy_data_dir(source, tmp_path_factory.mktemp("analyst") / "data"), proc


def _duckdb_1x_env(folder: Path, requirement: str) -> Path:
    """A virtual environment holding only `requirement` (DuckDB 1.x), from the package registry; its bin/."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "UV_PROJECT"))}
    steps = [[str(UV), "venv", "--quiet", "--python", sys.executable, str(folder)],
             [str(UV), "pip", "install", "--quiet", "--python", str(folder / "bin" / "python"), requirement]]
    for step in steps:
        proc = subprocess.run(step, capture_output=True, text=True, timeout=300, env=env)
        if proc.returncode != 0:
            if UNREACHABLE.search(proc.stderr):
                pytest.skip(f"the package registry is unreachable, so {requirement} cannot be installed: "
                            f"{proc.stderr.strip()[-300:]}")
            raise AssertionError(f"{' '.join(step)} failed: {proc.stderr}")
    return folder / "bin"


def _statements(sql: str) -> list[str]:
    """The statements of a SQL file (its comments dropped), each ending at a ';' that ends a line."""
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*\n", body + "\n") if s.strip()]


OPEN_WITH_PYTHON = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
rows = {t: con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0]
        for s, t in con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()}
comments = con.execute("SELECT count(comment) FROM duckdb_columns()").fetchone()[0]
print(json.dumps({"version": duckdb.__version__, "rows": rows, "comments": comments}))
"""


def test_the_oldest_duckdb_1x_python_client_opens_the_published_copy(data, tmp_path):
    root, _ = data
    bin_dir = _duckdb_1x_env(tmp_path / "duckdb-1.0", "duckdb==1.0.0")
    proc = subprocess.run([str(bin_dir / "python"), "-c", OPEN_WITH_PYTHON, str(root / "published/warehouse.duckdb")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    manifest = json.loads((root / "published/manifest.json").read_text())
    assert seen["version"] == "1.0.0"
    assert seen["rows"] == {t["table"]: t["rows"] for t in manifest["tables"]}  # every table, every row
    assert seen["comments"] > 0


def test_the_duckdb_cli_from_the_package_registry_runs_the_example_queries(data, tmp_path):
    """The README's way to a DuckDB CLI (the duckdb-cli package, DuckDB 1.x) opens the copy and runs the file."""
    root, _ = data
    bin_dir = _duckdb_1x_env(tmp_path / "duckdb-cli", "duckdb-cli==1.*")
    version = subprocess.run([str(bin_dir / "duckdb"), "--version"], capture_output=True, text=True).stdout
    assert version.startswith("v1."), version
    proc = subprocess.run([str(bin_dir / "duckdb"), "-readonly", "-csv", str(root / "published/warehouse.duckdb"),
                           "-f", str(EXAMPLES)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "Error" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    assert "n_networks" in proc.stdout and "network_a" in proc.stdout


def test_the_example_queries_return_rows_and_the_readme_quotes_every_one(data):
    root, _ = data
    statements = _statements(EXAMPLES.read_text(encoding="utf-8"))
    assert len(statements) >= 4
    readme = README.read_text(encoding="utf-8")
    with duckdb.connect(str(root / "published/warehouse.duckdb"), read_only=True) as con:
        for statement in statements:
            assert con.execute(statement).fetchall(), f"no rows: {statement}"
            assert statement in readme, f"README does not quote: {statement}"


def test_published_tables_and_columns_carry_their_dbt_descriptions_and_contract_not_nulls(data):
    root, _ = data
    manifest = json.loads((REPO / "dbt_project/target/manifest.json").read_text(encoding="utf-8"))
    contract_not_null = {(n["schema"], n["alias"], c) for n in manifest["nodes"].values()
                         if n["resource_type"] == "model" for c, col in n["columns"].items()
                         if any(k["type"] == "not_null" for k in col.get("constraints") or [])}
    with duckdb.connect(str(root / "published/warehouse.duckdb"), read_only=True) as con:
        columns = con.execute("SELECT schema_name, table_name, column_name, comment, is_nullable "
                              "FROM duckdb_columns() WHERE schema_name IN ('marts', 'metrics')").fetchall()
        tables = con.execute("SELECT table_name, comment FROM duckdb_tables() "
                             "WHERE schema_name IN ('marts', 'metrics')").fetchall()
    commented = sum(1 for c in columns if (c[3] or "").strip())
    assert len(columns) > 100 and commented / len(columns) >= 0.95, f"{commented} of {len(columns)} commented"
    assert [t for t, comment in tables if not (comment or "").strip()] == []
    published_not_null = {(s, t, c) for s, t, c, _, nullable in columns if not nullable}
    assert published_not_null >= {k for k in contract_not_null if k[:2] in {(s, t) for s, t, *_ in columns}}
    assert published_not_null  # the copy is not all nullable


def test_each_run_publishes_a_workbook_with_a_sheet_per_published_table(data):
    root, _ = data
    manifest = json.loads((root / "published/manifest.json").read_text())
    workbook_path = root / "published" / manifest["workbook"]["path"]
    workbook = openpyxl.load_workbook(workbook_path, read_only=True)
    try:
        tables = {t["table"]: t["rows"] for t in manifest["tables"]}
        assert set(workbook.sheetnames) == set(tables) | {"column_descriptions"}
        for table, rows in tables.items():
            assert sum(1 for _ in workbook[table].iter_rows()) == rows + 1, table  # the header and every row
        header, *rows = workbook["fct_membership"].iter_rows(values_only=True)
        sheet_ids = sorted((r[header.index("city_id")] for r in rows), key=lambda v: (v is None, v or 0))
    finally:
        workbook.close()
    with duckdb.connect(str(root / "published/warehouse.duckdb"), read_only=True) as con:
        ids = [r[0] for r in con.execute("SELECT city_id FROM marts.fct_membership ORDER BY city_id NULLS LAST")
               .fetchall()]
    assert sheet_ids == ids and None in ids  # nullable integer ids stay integers, nulls stay empty
    assert all(type(v) is int for v in ids if v is not None)


def _readme_python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_the_readme_python_examples_run_as_written(data, tmp_path):
    """From a folder whose ./data is the refreshed data dir, as after `make run` in the repository."""
    root, _ = data
    blocks = _readme_python_blocks()
    assert blocks and any(".df()" in b for b in blocks)
    (tmp_path / "cwd").mkdir()
    (tmp_path / "cwd" / "data").symlink_to(root)
    for block in blocks:
        proc = subprocess.run([sys.executable, "-c", block], cwd=tmp_path / "cwd", capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, f"{block}\n{proc.stderr}"
        if "# Int64" in block:  # what the README says it prints
            assert "Int64" in proc.stdout, proc.stdout


def test_refresh_and_status_print_the_reports_path(data):
    root, proc = data
    report = root / "published" / "report" / "index.html"
    assert report.is_file()
    refreshed_in = re.search(r"^report: (.+)$", proc.stdout, flags=re.M)
    assert refreshed_in and refreshed_in.group(1).endswith(str(Path("published/report/index.html")))
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "TCN_DATA_DIR")}
    status = subprocess.run([str(TCN), "status", "--data-dir", str(root)], capture_output=True, text=True,
                            timeout=300, env=env)
    assert status.returncode == 0, status.stderr
    assert re.search(rf"report\s+{re.escape(str(report))}$", status.stdout, flags=re.M), status.stdout
    assert re.search(rf"Excel\s+{re.escape(str(root / 'published' / 'warehouse.xlsx'))}$", status.stdout, flags=re.M)
