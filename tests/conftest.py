"""Shared fixtures: one gazetteer-loaded DuckDB per test session (copied, never shared, by tests)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DO_NOT_TRACK", "1")


def pytest_configure(config):
    # importing the Dagster definitions configures a data dir: keep it out of the user's ./data
    import tempfile

    os.environ["TCN_DATA_DIR"] = tempfile.mkdtemp(prefix="tcn-test-data-")
    os.environ["DAGSTER_HOME"] = os.path.join(os.environ["TCN_DATA_DIR"], "dagster_home")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def gazetteer_db(tmp_path_factory) -> Path:
    """A working database with the real GeoNames gazetteer loaded (about 20 s, once per session)."""
    from warehouse.db import ensure_schema
    from warehouse.gazetteer import load_gazetteer

    db = tmp_path_factory.mktemp("gazetteer") / "warehouse.duckdb"
    ensure_schema(db)
    load_gazetteer(db)
    return db


@pytest.fixture
def data_dir(tmp_path, gazetteer_db) -> Path:
    """A fresh data dir whose working database already holds the gazetteer."""
    root = tmp_path / "data"
    root.mkdir()
    shutil.copy(gazetteer_db, root / "warehouse.duckdb")
    return root
