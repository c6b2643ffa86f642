"""`tcn-dbt`: dbt's own command line (`dbt.cli.main`, what the venv's `dbt` runs), with dbt imported while
Python's cycle collector is paused (warehouse/collector.py): 0.5-1 s less of every dbt start-up. A refresh
runs its `dbt build` through it (orchestration/dbt.py); `dbt` itself behaves the same."""
import sys

from warehouse.collector import collector_paused


def run() -> None:
    with collector_paused(freeze=True):
        from dbt.cli.main import cli
    sys.exit(cli())
