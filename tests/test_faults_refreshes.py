"""Refreshes, on one real data dir: two at once (one refuses, one waits, never two writers), then back-to-back
refreshes until there were ten, while readers hold the published DuckDB, reconnect to it and read the Parquet
files; every read is checked at the end against every publication there was. Real `tcn refresh`
subprocesses; figures (refresh times, reads) are printed at the end (`pytest -s`), source of
docs/reliability.md."""
from __future__ import annotations

import subprocess
import time

import pytest

from helpers.fault_world import (DUPLICATE_CHECKS, REPLAY_NETWORKS, TCN, check_results, duplicated_raw_rows, materializations,
                         network_args, open_world, refresh, stop_and_check_readers, tail)

TEN_REFRESHES = 10


@pytest.fixture(scope="module")
def world(tmp_path_factory, refreshed_data_dir):
    with open_world(tmp_path_factory.mktemp("refreshes"), refreshed_data_dir, readers=True) as w:
        yield w


# ------------------------------------------------------------------------------------ concurrency

def test_two_refreshes_at_once_one_refuses_one_waits_never_two_writers(world):
    lock = world.data / ".refresh.lock"
    first = subprocess.Popen([str(TCN), "refresh", "--data-dir", str(world.data), *network_args(REPLAY_NETWORKS[:1])],
                             env=world.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (lock.exists() and lock.read_text().strip() == str(first.pid)):
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        started = time.monotonic()
        refused = subprocess.run([str(TCN), "refresh", "--data-dir", str(world.data), "--network", "icorn"],
                                 env=world.env, capture_output=True, text=True, timeout=300)
        refused_after = time.monotonic() - started
        waiting = subprocess.Popen([str(TCN), "refresh", "--data-dir", str(world.data), "--network", "icorn",
                                    "--wait", "900"], env=world.env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        assert first.poll() is None, "the first refresh ended too early to test anything"
        out1, err1 = first.communicate(timeout=900)
        world.archive_manifest()  # the first one's publication (the waiting one still has dbt to run)
        out2, err2 = waiting.communicate(timeout=900)
    finally:
        for process in (first,):
            if process.poll() is None:
                process.kill()
    assert refused.returncode == 75, tail(refused)
    assert f"another refresh is running on {world.data} (pid {first.pid}" in refused.stderr
    assert "Traceback" not in refused.stderr and refused.stdout == ""
    assert first.returncode == 0, err1[-3000:]
    assert waiting.returncode == 0, err2[-3000:]
    run_ids = [next(line.split()[1] for line in out.splitlines() if line.startswith("run ")) for out in (out1, out2)]
    import dagster as dg

    with dg.DagsterInstance.from_config(str(world.data / "dagster_home")) as instance:
        records = {r.dagster_run.run_id: r for r in instance.get_run_records(dg.RunsFilter(run_ids=run_ids))}
    first_run, second_run = records[run_ids[0]], records[run_ids[1]]
    assert second_run.start_time >= first_run.end_time  # one writer at a time: the second waited
    for run_id in run_ids:
        world.refreshes.append((run_id, records[run_id].end_time - records[run_id].start_time))
    world.archive_manifest()
    assert duplicated_raw_rows(world.data) == dict.fromkeys(DUPLICATE_CHECKS, 0)
    world.figures["concurrency"] = {"refused_in_seconds": round(refused_after, 1), "refusal": refused.stderr.strip(),
                                    "waited_seconds": round(second_run.start_time - first_run.start_time, 1)}


# ------------------------------------------------------------------------- readers, ten refreshes

def test_readers_saw_only_whole_tables_during_ten_back_to_back_refreshes(world):
    while len(world.refreshes) < TEN_REFRESHES:
        proc = refresh(world, *network_args(REPLAY_NETWORKS[:1]))
        assert proc.returncode == 0, tail(proc)
    # no content changed: the last one built only the run-keyed models, and recorded the others as not rebuilt
    assert "dbt build: run_only" in proc.stderr
    last_run = world.refreshes[-1][0]
    notes = materializations(world, last_run)
    assert all(len(found) == 1 for found in notes.values()), notes
    for key in ("staging/stg_runs", "metrics/membership_changes", "metrics/metrics_history"):
        assert notes[key][0]["dagster/row_count"] > 0 and "tcn/build" not in notes[key][0], key
    kept = notes["marts/fct_membership"][0]
    assert kept["tcn/build"] == "run_only: not rebuilt, no input changed"
    assert kept["content_as_of_run"] not in (None, last_run)
    assert check_results(world, last_run)["unique_combination_metrics_history_run_id__metric__key"][0] is True
    figures = stop_and_check_readers(world)
    durations = [s for _, s in world.refreshes if s is not None]
    world.figures["readers"] = {"refreshes": len(world.refreshes), "refresh_seconds_min_median_max": [
        round(min(durations), 1), round(sorted(durations)[len(durations) // 2], 1), round(max(durations), 1)],
        **figures}
    assert len(world.refreshes) >= TEN_REFRESHES
