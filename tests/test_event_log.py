"""The Dagster instance tcn configures: its event log keeps connections open, yet writes the stock files."""
from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg

from orchestration.event_log import OPEN_RUN_SHARDS, PooledSqliteEventLogStorage
from orchestration.settings import write_dagster_yaml


@dg.asset
def numbers():
    return [1, 2, 3]


@dg.asset_check(asset=numbers)
def numbers_are_positive():
    return dg.AssetCheckResult(passed=True)


def _stock_view(home: Path, copy: Path) -> tuple[list[str], int]:
    """The events of the latest run as Dagster's own SQLite storage reads them from the same files."""
    shutil.copytree(home, copy)
    (copy / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    with dg.DagsterInstance.from_config(str(copy)) as instance:
        assert type(instance.event_log_storage).__name__ == "SqliteEventLogStorage"
        run = instance.get_runs(limit=1)[0]
        types = [e.dagster_event.event_type_value for e in instance.all_logs(run.run_id) if e.dagster_event]
        checks = instance.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(dg.AssetKey("numbers"), "numbers_are_positive"), limit=10)
        return types, len(checks)


def test_events_stored_through_open_connections_are_the_stock_files(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    write_dagster_yaml(home)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)  # the yaml configures it
        for _ in range(OPEN_RUN_SHARDS + 2):  # more runs than engines kept open: old ones are closed, not lost
            assert dg.materialize([numbers, numbers_are_positive], instance=instance).success
        assert len(instance.event_log_storage._engines) <= OPEN_RUN_SHARDS + 1  # + the cross-run index
        assert len(instance.get_runs()) == OPEN_RUN_SHARDS + 2
        latest = instance.get_latest_materialization_event(dg.AssetKey("numbers"))
        assert latest.run_id == instance.get_runs(limit=1)[0].run_id
    types, check_runs = _stock_view(home, tmp_path / "stock")
    assert types.count("ASSET_MATERIALIZATION") == 1 and "PIPELINE_SUCCESS" in types
    assert types.count("ASSET_CHECK_EVALUATION") == 1
    assert check_runs == OPEN_RUN_SHARDS + 2  # the index mirrors every run's check


def test_wipe_deletes_the_runs_it_holds_open(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    write_dagster_yaml(home)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        run_id = dg.materialize([numbers], instance=instance).run_id
        instance.event_log_storage.wipe()
        assert not (home / "history" / "runs" / f"{run_id}.db").exists()
        assert instance.all_logs(run_id) == []


def test_tcn_keeps_its_own_instance_settings_current_and_leaves_a_users_alone(tmp_path):
    moved = tmp_path / "moved" / "home"
    moved.parent.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    write_dagster_yaml(home)
    shutil.copytree(home, moved)  # a data dir copied elsewhere still names the old event log folder...
    write_dagster_yaml(moved)  # ...until tcn sets up the environment there
    assert str(moved / "history" / "runs") in (moved / "dagster.yaml").read_text(encoding="utf-8")
    assert str(home / "history") not in (moved / "dagster.yaml").read_text(encoding="utf-8")

    own = "# my settings\ntelemetry:\n  enabled: false\n"
    (home / "dagster.yaml").write_text(own, encoding="utf-8")
    write_dagster_yaml(home)
    assert (home / "dagster.yaml").read_text(encoding="utf-8") == own
