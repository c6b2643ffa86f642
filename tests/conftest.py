"""Shared fixtures: one gazetteer-loaded DuckDB per test session (copied, never shared, by tests)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from helpers import built_once


os.environ.setdefault("DO_NOT_TRACK", "1")
# the tests' own dbt runs (tests/test_dbt_*.py) log to file as the pipeline's do (orchestration/dbt.py): warnings
# and errors only; at dbt's default level every statement is logged again, 2-3 s of CPU per build
os.environ.setdefault("DBT_LOG_LEVEL_FILE", "warn")


def pytest_configure(config):
    # importing the Dagster definitions configures a data dir: keep it out of the user's ./data
    import tempfile

    os.environ["TCN_DATA_DIR"] = tempfile.mkdtemp(prefix="tcn-test-data-")
    os.environ["DAGSTER_HOME"] = os.path.join(os.environ["TCN_DATA_DIR"], "dagster_home")

# The suite runs on pytest-xdist workers, one module per worker at a time (pyproject: --dist loadfile), in this
# order: the longest modules start first, and the first to need the session's refreshed data dir builds it while
# another worker runs a module that does not need it (measured per module: docs/performance.md, test suite).
# xdist hands a worker its next module as soon as the current one has two tests or fewer left to start: a short
# module follows the two-test test_faults_refreshes.py, so no long module waits behind it on one worker.
FIRST = ("test_faults.py", "test_dbt_history_metrics.py", "test_faults_refreshes.py", "test_byo_refresh.py",
         "test_bad_input.py", "test_faults_site_down.py", "test_live_sources.py", "test_end_to_end.py",
         "test_report.py", "test_dbt_project.py", "test_auto_parser.py", "test_resolution.py",
         "test_ingest_live.py", "test_definitions.py")


def pytest_collection_modifyitems(config, items):
    def rank(item):
        name = item.path.name
        return FIRST.index(name) if name in FIRST else len(FIRST)
    items.sort(key=rank)  # stable: the order within and among the other modules is kept


@pytest.fixture(scope="session")
def gazetteer_db(tmp_path_factory) -> Path:
    """A working database with the real GeoNames gazetteer loaded (about 20 s, once per session)."""
    from warehouse.migrations import migrate
    from warehouse.gazetteer import load_gazetteer

    def build(folder: Path) -> None:
        migrate(folder / "warehouse.duckdb")
        load_gazetteer(folder / "warehouse.duckdb")

    return built_once(tmp_path_factory, "gazetteer", build) / "warehouse.duckdb"


@pytest.fixture
def data_dir(tmp_path, gazetteer_db) -> Path:
    """A fresh data dir whose working database already holds the gazetteer."""
    root = tmp_path / "data"
    root.mkdir()
    shutil.copy(gazetteer_db, root / "warehouse.duckdb")
    return root


@pytest.fixture(scope="session")
def refreshed_data_dir(tmp_path_factory, gazetteer_db):
    """A data dir after one real `tcn refresh` of the bundled snapshots, made once per session: modules that
    need a refreshed warehouse copy it (`copy_data_dir`) instead of running the same first refresh again.
    Returns (data dir, the refresh's CompletedProcess)."""
    import subprocess
    import sys

    def build(folder: Path) -> None:
        data = folder / "data"
        data.mkdir()
        shutil.copy(gazetteer_db, data / "warehouse.duckdb")
        env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "TCN_REGISTRY", "TCN_DATA_DIR")}
        proc = subprocess.run([str(Path(sys.executable).parent / "tcn"), "refresh", "--data-dir", str(data)],
                              env=env, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        (folder / "stdout.txt").write_text(proc.stdout, encoding="utf-8")

    folder = built_once(tmp_path_factory, "refreshed", build)
    return folder / "data", subprocess.CompletedProcess(["tcn", "refresh"], 0,
                                                        (folder / "stdout.txt").read_text(encoding="utf-8"), "")
