"""Where the dbt project is, which dbt runs it, and its parse: what `tcn` needs before it loads the Dagster
definitions (which are built from dbt's manifest), without importing Dagster or dagster-dbt."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"

VENV_DBT = Path(sys.executable).parent / "dbt"  # the venv running Dagster (dagster-dbt does not install dbt)
TCN_DBT = Path(sys.executable).parent / "tcn-dbt"  # the same dbt, started faster (orchestration/dbt_launcher.py)


def dbt_executable() -> str:
    return next((str(path) for path in (TCN_DBT, VENV_DBT) if path.exists()), "dbt")


def parse_project(duckdb_path: str = "warehouse.duckdb") -> None:
    """`dbt parse` (no database opened) writes the manifest the assets are built from. The DuckDB path is
    relative, as tcn's dbt sees it from any data dir (orchestration/dbt_launcher.py): the parse it saves is the
    one a new data dir's first build reuses. `make manifest` runs the same."""
    env = {**os.environ, "TCN_DUCKDB_PATH": duckdb_path, "DO_NOT_TRACK": "1"}
    subprocess.run([dbt_executable(), "parse", "--quiet", "--project-dir", ".", "--profiles-dir", "."],
                   cwd=DBT_PROJECT_DIR, env=env, check=True, capture_output=True, text=True)


def ensure_manifest() -> None:
    """Parse the project when its manifest is missing (a fresh clone run without `make`)."""
    if not MANIFEST.exists():
        parse_project()
