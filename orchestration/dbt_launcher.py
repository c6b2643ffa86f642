"""`tcn-dbt`: dbt's own command line (`dbt.cli.main`, what the venv's `dbt` runs), started faster. A refresh runs
its `dbt build` through it (orchestration/dbt.py); `dbt` itself behaves the same.

- dbt is imported while Python's cycle collector is paused (warehouse/collector.py): 0.5-1 s less of every
  dbt start-up.
- dbt runs from the working database's folder, with the profile's path relative (`warehouse.duckdb`): dbt
  reuses a saved parse only for the same profile, DuckDB path included, so with absolute paths every new data
  dir's first build parsed the whole project again (~4.5 s). Relative, every data dir's profile is the one
  `make manifest` parsed with, and its saved parse is reused. dagster-dbt passes the project, profile, target
  and log folders as absolute paths (DBT_PROJECT_DIR and the like), so nothing else depends on the folder. Run
  by hand (without those), it stays where it was started, as `dbt` does.
"""
import os
import sys

from warehouse.collector import collector_paused


def run_from_the_database_folder() -> None:
    database = os.environ.get("TCN_DUCKDB_PATH", "")
    given = [os.environ.get(name, "") for name in ("DBT_PROJECT_DIR", "DBT_PROFILES_DIR")]
    if not all(os.path.isabs(path) for path in [database, *given]):
        return
    folder, name = os.path.split(database)
    if not os.path.isdir(folder):  # left to dbt, which names the path it cannot open
        return
    os.chdir(folder)
    os.environ["TCN_DUCKDB_PATH"] = name


def run() -> None:
    run_from_the_database_folder()
    with collector_paused(freeze=True):
        from dbt.cli.main import cli
    sys.exit(cli())
