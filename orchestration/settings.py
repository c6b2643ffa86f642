"""Set-up shared by `dagster dev` and the `tcn` CLI: the Dagster instance under the data dir, no telemetry."""
from __future__ import annotations

import json
import os
from pathlib import Path

from warehouse.paths import DataPaths, data_paths

WRITTEN_BY_TCN = "# Written by tcn"
DAGSTER_YAML = WRITTEN_BY_TCN + """ (and kept up to date by it while this line is here: delete the line to keep
# your own settings). Run storage lives under the data dir; writers share one pool of size 1 (DuckDB); the
# event log keeps its SQLite connections open between events (orchestration/event_log.py).
telemetry:
  enabled: false
freshness:
  enabled: true
concurrency:
  pools:
    default_limit: 1
event_log_storage:
  module: orchestration.event_log
  class: PooledSqliteEventLogStorage
  config:
    base_dir: {event_log_dir}
"""


def configure_environment(data_dir: str | os.PathLike | None = None) -> DataPaths:
    """The Dagster instance of one data dir (its run history under the data dir, telemetry off), for a `tcn`
    command or `make dev`; idempotent. The data dir itself reaches the assets as a resource (DataDir)."""
    # nothing this process or its children (dbt) create may be writable by others, whatever the umask
    os.umask(os.umask(0) | 0o002)
    paths = data_paths(data_dir)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("DAGSTER_HOME", str(paths.dagster_home))
    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    write_dagster_yaml(home)
    return paths


def write_dagster_yaml(home: Path) -> None:
    """Write the instance settings, or bring tcn's own up to date (a moved data dir, a new setting)."""
    target = home / "dagster.yaml"
    # the stock layout of the event log (history/runs), so earlier runs and the UI read the same files
    text = DAGSTER_YAML.format(event_log_dir=json.dumps(str(home / "history" / "runs")))
    current = target.read_text(encoding="utf-8") if target.exists() else None
    if current is None or (current.startswith(WRITTEN_BY_TCN) and current != text):
        target.write_text(text, encoding="utf-8")
