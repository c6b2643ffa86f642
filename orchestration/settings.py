"""Environment set-up shared by `dagster dev` and the `tcn` CLI: data dir, dbt profile path, no telemetry."""
from __future__ import annotations

import os
from pathlib import Path

from warehouse.paths import DataPaths, data_paths

DAGSTER_YAML = """\
# Written by tcn: run storage lives under the data dir; writers share one pool of size 1 (DuckDB).
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
"""


def configure_environment(data_dir: str | os.PathLike | None = None) -> DataPaths:
    """Point dbt, Dagster and the warehouse at one data dir; idempotent."""
    # nothing this process or its children (dbt) create may be writable by others, whatever the umask
    os.umask(os.umask(0) | 0o002)
    paths = data_paths(data_dir)
    os.environ["TCN_DATA_DIR"] = str(paths.root)
    os.environ["TCN_DUCKDB_PATH"] = str(paths.working_db)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("DAGSTER_HOME", str(paths.dagster_home))
    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        (home / "dagster.yaml").write_text(DAGSTER_YAML, encoding="utf-8")
    return paths
