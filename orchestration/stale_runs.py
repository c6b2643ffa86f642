"""Runs whose process died (SIGKILL, OOM killer, power loss) stay "STARTED" in Dagster's run storage and
keep their slot of the `duckdb_writer` pool: every later run would wait for that slot forever. Before a
refresh (under the data dir's refresh lock) such runs are marked failed and their slots freed.

A run counts as dead only when the process that executed it (the pid on its RUN_START event) no longer
exists on this machine; a run still executing elsewhere on the instance is left alone.
"""
from __future__ import annotations

import os

import dagster as dg
from dagster._core.events import DagsterEventType

UNFINISHED = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _run_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    for entry in instance.all_logs(run_id, of_type=DagsterEventType.RUN_START):
        if entry.dagster_event is not None and entry.dagster_event.pid is not None:
            return entry.dagster_event.pid
    return None


def fail_dead_runs(instance: dg.DagsterInstance) -> list[tuple[str, int | None]]:
    """Mark unfinished runs whose process is gone as failed and free their pool slots; (run id, pid) each."""
    released = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=UNFINISHED)):
        pid = _run_pid(instance, run.run_id)
        if pid is not None and _pid_alive(pid):
            continue
        instance.report_run_failed(
            run, message=f"the process that ran it (pid {pid}) ended without finishing the run "
                         f"(killed?); marked failed by the next refresh, which freed its writer slot")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        released.append((run.run_id, pid))
    return released
