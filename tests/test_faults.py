"""Kills, on one real data dir, in order: SIGKILL at random points of fetch, raw load, dbt and publish, then a
kill between two publish renames; all along, readers hold the published DuckDB, reconnect to it and read the
Parquet files, checked at the end against every publication there was. A full publish failing on a full
disk or an unwritable folder is tested on a small publication of its own. (Two refreshes at once and ten
back-to-back refreshes: tests/test_faults_refreshes.py; a site down: tests/test_faults_site_down.py.)

Everything runs for real: `tcn refresh` subprocesses (Dagster in process, dbt, DuckDB), and for the cheap
kills subprocesses calling the same functions the scrape and publish steps call. Traffic: loopback only.
Figures (kills per stage, reads) are printed at the end of the module (`pytest -s`) and are the source of
docs/reliability.md. Set TCN_FAULT_SEED to replay a run's random kill points.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from helpers import REPO
from helpers.fault_world import (DUPLICATE_CHECKS, REPLAY_NETWORKS, TCN, World, assert_publication_consistent,
                                 assert_working_db_opens, duplicated_raw_rows, incomplete_runs, network_args,
                                 open_world, publication_state, refresh, run_ids_visible_downstream,
                                 stop_and_check_readers, tail)

SEED = int(os.environ.get("TCN_FAULT_SEED", str(time.time_ns() % 1_000_000)))
N_SCRAPE_KILLS, N_PUBLISH_KILLS, N_DBT_KILLS = 12, 8, 2


@pytest.fixture(scope="module")
def world(tmp_path_factory, refreshed_data_dir):
    with open_world(tmp_path_factory.mktemp("faults"), refreshed_data_dir, readers=True) as w:
        yield w


# ------------------------------------------------------------------------------------------ kills

SCRAPE_SCRIPT = """
import sys, time
from scrapers.fetch import make_fetcher
from scrapers.registry import load_registry
from warehouse import ingest
from warehouse.paths import data_paths

data, run_id, networks = sys.argv[1], sys.argv[2], sys.argv[3:]

def say(what):
    print(what, flush=True)

class SlowReplay:
    # replay answers at once, a site does not: 20 ms per fetch, so kills land in fetching too
    def __init__(self):
        self.inner = make_fetcher("replay")
    def fetch(self, url, allowed_hosts, **kwargs):
        say("fetch")
        time.sleep(0.02)
        return self.inner.fetch(url, allowed_hosts, **kwargs)
    def close(self):
        self.inner.close()

def traced(name, original):
    def call(*args, **kwargs):
        say(name)
        value = original(*args, **kwargs)
        say(name + " done")
        return value
    return call

for name in ("load_networks", "refresh_text_keys", "refresh_member_resolutions", "complete_run"):
    setattr(ingest, name, traced(name, getattr(ingest, name)))
say("start")
ingest.scrape_run(data_paths(data).working_db, run_id, load_registry(), "replay", networks, fetcher=SlowReplay())
say("done")
"""

PUBLISH_SCRIPT = """
import sys
from warehouse import publish as pub
from warehouse.paths import data_paths

def say(what):
    print(what, flush=True)

def traced(name, original):
    def call(*args, **kwargs):
        say(name)
        return original(*args, **kwargs)
    return call

for name in ("_stage_parquet", "_stage_duckdb_copy", "_write_json_atomically", "_finish_renames"):
    setattr(pub, name, traced(name, getattr(pub, name)))
say("start")
pub.publish(data_paths(sys.argv[1]), sys.argv[2])
say("done")
"""

STAGE_OF_LINE = {  # last line printed before the kill -> the stage it hit
    "start": "startup", "fetch": "fetch", "load_networks": "raw load", "load_networks done": "fetch",
    "complete_run": "completion marker", "complete_run done": "completion marker",
    # the resolve step runs after the marker (the scrape step ends with it)
    "refresh_text_keys": "resolution", "refresh_text_keys done": "resolution",
    "refresh_member_resolutions": "resolution", "refresh_member_resolutions done": "resolution",
    "_stage_parquet": "publish: Parquet", "_stage_duckdb_copy": "publish: DuckDB copy",
    "_write_json_atomically": "publish: journal", "_finish_renames": "publish: renames",
}


def _run_and_kill(world: World, script: str, args: list[str], delay: float) -> tuple[str | None, list[str]]:
    """Start the script, SIGKILL it `delay` seconds after it printed "start"; (stage hit or None, lines)."""
    out = world.root / "kill-out.txt"
    with out.open("w") as sink:
        process = subprocess.Popen([sys.executable, "-c", script, str(world.data), *args], cwd=REPO,
                                   env=world.env, stdout=sink, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while "start" not in out.read_text().split():
            assert process.poll() is None, out.read_text()[-3000:]
            assert time.monotonic() < deadline
            time.sleep(0.01)
        try:
            process.wait(timeout=delay)
            killed = False
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
            killed = True
    lines = out.read_text().splitlines()
    if not killed:
        assert lines and lines[-1] == "done", lines[-20:]
        return None, lines
    if lines[-1] == "done":  # killed while exiting, its work done: not a kill inside a stage
        return "exiting", lines
    return STAGE_OF_LINE.get(lines[-1], lines[-1]), lines


def _timed(world: World, script: str, args: list[str]) -> float:
    started = time.monotonic()
    stage, lines = _run_and_kill(world, script, args, delay=3600)
    assert stage is None, lines[-20:]
    return time.monotonic() - started


def _check_after_kill(world: World, before: dict) -> str:
    """The working DB opens, and the publication is the previous one, whole (or, if the kill hit the
    renames, is rolled forward to the new one, whole). Returns what was found."""
    from warehouse.paths import data_paths
    from warehouse.publish import NEXT_MANIFEST, recover_interrupted_publish

    assert_working_db_opens(world.data)
    if (world.published / NEXT_MANIFEST).exists():  # killed between two renames
        assert recover_interrupted_publish(data_paths(world.data))
        assert_publication_consistent(world.published)
        world.archive_manifest()
        return "rolled forward"
    after = publication_state(world.published)
    assert_publication_consistent(world.published)
    if after == before:
        return "previous publication"
    world.archive_manifest()  # the kill came after the final rename: the new publication, whole
    return "new publication (kill after the last rename)"


def test_sigkill_at_random_points_loses_nothing(world):
    rng = random.Random(SEED)
    from scrapers.registry import load_registry

    builtin = sorted(n.id for n in load_registry().with_sources())
    kills, outcomes = [], []
    fig = world.figures.setdefault("kills", {"seed": SEED})

    # 1. fetch + raw load: the scrape step's own function, all built-in networks, killed at random
    _timed(world, SCRAPE_SCRIPT, ["warm-up-scrape", *builtin])  # resolves every member once
    scrape_s = _timed(world, SCRAPE_SCRIPT, ["calibrate-scrape", *builtin])
    fig["scrape_seconds"] = round(scrape_s, 2)
    killed_scrape_runs = []
    attempt = 0
    while sum(1 for k in kills if k[0] == "scrape") < N_SCRAPE_KILLS and attempt < 5 * N_SCRAPE_KILLS:
        attempt += 1
        before = publication_state(world.published)
        run_id = f"killed-scrape-{attempt}"
        stage, _ = _run_and_kill(world, SCRAPE_SCRIPT, [run_id, *builtin], rng.uniform(0, 0.9 * scrape_s))
        if stage not in (None, "exiting"):
            kills.append(("scrape", stage, run_id))
            killed_scrape_runs.append(run_id)
        outcomes.append(_check_after_kill(world, before))

    # 2. publish: the publish step's own function on the current working database
    run_id = json.loads((world.published / "manifest.json").read_text())["run_id"]
    publish_s = _timed(world, PUBLISH_SCRIPT, [run_id])
    world.archive_manifest()
    fig["publish_seconds"] = round(publish_s, 2)
    attempt = 0
    while sum(1 for k in kills if k[0] == "publish") < N_PUBLISH_KILLS and attempt < 5 * N_PUBLISH_KILLS:
        attempt += 1
        before = publication_state(world.published)
        stage, _ = _run_and_kill(world, PUBLISH_SCRIPT, [run_id], rng.uniform(0, 0.9 * publish_s))
        if stage not in (None, "exiting"):
            kills.append(("publish", stage, run_id))
        outcomes.append(_check_after_kill(world, before))

    # 3. dbt: a real `tcn refresh`, its whole process group (tcn and its dbt child) killed during dbt build,
    # once a random number of the build's tests have a result (it runs ~120, between its ~40 models)
    dbt_killed_runs = []
    attempt = 0
    while len(dbt_killed_runs) < N_DBT_KILLS and attempt < 2 * N_DBT_KILLS:
        attempt += 1
        before = publication_state(world.published)
        run_id = _kill_refresh_during_dbt(world, rng.randint(1, 100))
        if run_id:
            kills.append(("dbt", "dbt build", run_id))
            dbt_killed_runs.append(run_id)
        outcomes.append(_check_after_kill(world, before))
    assert len(dbt_killed_runs) == N_DBT_KILLS

    # 4. the next run completes, frees the killed runs' Dagster slots, and nothing is duplicated or leaked
    proc = refresh(world, *network_args(REPLAY_NETWORKS))
    assert proc.returncode == 0, tail(proc)
    manifest = assert_publication_consistent(world.published)
    assert manifest["run_id"] == world.refreshes[-1][0]
    assert duplicated_raw_rows(world.data) == dict.fromkeys(DUPLICATE_CHECKS, 0)
    incomplete = incomplete_runs(world.data)
    with duckdb.connect(str(world.data / "warehouse.duckdb"), read_only=True) as con:
        complete = {r[0] for r in con.execute("SELECT run_id FROM raw.run_completions").fetchall()}
    killed_before_marker = set(killed_scrape_runs) - {k[2] for k in kills
                                                      if k[1] in ("completion marker", "resolution")}
    assert not killed_before_marker & complete  # a run killed before its marker never becomes complete
    assert not incomplete & run_ids_visible_downstream(world.data)
    assert _unfinished_dagster_runs(world) == []  # every killed Dagster run marked failed, its slot freed
    with duckdb.connect(str(world.data / "warehouse.duckdb"), read_only=True) as con:
        partial_rows = con.execute("SELECT count(*) FROM raw.member_mentions WHERE run_id IN "
                                   "(SELECT unnest(?::VARCHAR[]))", [sorted(incomplete)]).fetchone()[0]
    assert len(kills) >= 20
    fig.update({"total": len(kills), "by_stage": _count(f"{k[0]}: {k[1]}" for k in kills),
                "after_kill": _count(outcomes), "incomplete_runs_left": len(incomplete),
                "mentions_of_incomplete_runs_invisible_downstream": partial_rows,
                "dbt_killed_runs_freed_by_the_next_refresh": len(dbt_killed_runs)})


def _unfinished_dagster_runs(world: World) -> list[str]:
    import dagster as dg

    with dg.DagsterInstance.from_config(str(world.data / "dagster_home")) as instance:
        return [r.run_id for r in instance.get_runs(dg.RunsFilter(statuses=[
            dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]))]


def _count(items) -> dict:
    counts: dict = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return dict(sorted(counts.items()))


DBT_TEST_RESULT = "tcn_dbt_models - ASSET_CHECK_EVALUATION"  # Dagster's log line of each dbt test's result


def _kill_refresh_during_dbt(world: World, after_tests: int) -> str | None:
    """Start `tcn refresh` in its own process group; SIGKILL the group once Dagster has stored the results of
    `after_tests` of the dbt build's tests (a point inside dbt build: its tests run between its models)."""
    err = world.root / "dbt-kill-err.txt"
    with err.open("w") as sink:
        process = subprocess.Popen([str(TCN), "refresh", "--data-dir", str(world.data),
                                    *network_args(REPLAY_NETWORKS[:1])], env=world.env, stdout=subprocess.DEVNULL,
                                   stderr=sink, start_new_session=True)
        deadline = time.monotonic() + 600
        while True:
            lines = err.read_text().splitlines()
            if sum(DBT_TEST_RESULT in line for line in lines) >= after_tests or process.poll() is not None:
                break
            assert time.monotonic() < deadline, lines[-20:]
            time.sleep(0.05)
        killed = process.poll() is None
        if killed:
            os.killpg(process.pid, signal.SIGKILL)  # tcn and dbt: a machine crash or a container kill
            process.wait()
            _wait_until_group_is_gone(process.pid)  # dbt exits (and drops its file lock) a moment later
        assert process.returncode in (0, -signal.SIGKILL), err.read_text()[-3000:]
    text = err.read_text()
    run_id = text.split(" - RUN_START - ")[0].rsplit(" - refresh - ", 1)[1].split(" - ")[0]
    if not killed:
        world.refreshes.append((run_id, None))
        world.archive_manifest()
        return None
    return run_id


def _task_states(pid: int) -> list[str]:
    states = []
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        try:
            states.append(stat.read_text().rsplit(")", 1)[1].split()[0])
        except OSError:  # the thread ended meanwhile
            continue
    return states


def _live_members(pgid: int) -> list[int]:
    """Processes of the group with a thread that has not exited yet. A killed multi-threaded process (dbt)
    shows its main thread as a zombie while its other threads still hold its files, and so the DuckDB lock;
    only when every thread is a zombie are its files closed."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        if int(fields[2]) == pgid and any(state not in ("Z", "X") for state in _task_states(pid)):
            members.append(pid)
    return members


def _wait_until_group_is_gone(pgid: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while _live_members(pgid):
        assert time.monotonic() < deadline, f"process group {pgid} still alive after SIGKILL"
        time.sleep(0.2)


def test_sigkill_between_two_publish_renames_is_rolled_forward(world):
    """The one window the random kills rarely hit: a kill after some files were renamed and before the
    manifest. Here os.replace kills its own process after the third rename."""
    script = """
import os, signal, sys
from warehouse import publish as pub
from warehouse.paths import data_paths
renames = []
real_replace = os.replace
def replace(src, dst):
    real_replace(src, dst)
    renames.append(dst)
    if len(renames) == 3 and str(dst).endswith(".parquet"):
        os.kill(os.getpid(), signal.SIGKILL)
pub.os.replace = replace
pub.publish(data_paths(sys.argv[1]), "rolled-forward-run")
"""
    # Publish rewrites only tables whose content changed: change three, so three new files are renamed.
    changed = [(t["schema"], t["table"]) for t in json.loads((world.published / "manifest.json").read_text())
               ["tables"] if t["rows"] > 0][:3]
    assert len(changed) == 3
    with duckdb.connect(str(world.data / "warehouse.duckdb")) as con:
        for schema, table in changed:
            con.execute(f'DELETE FROM "{schema}"."{table}" WHERE rowid = (SELECT min(rowid) FROM "{schema}"."{table}")')
    proc = subprocess.run([sys.executable, "-c", script, str(world.data)], cwd=REPO, env=world.env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    from warehouse.publish import NEXT_MANIFEST, publish
    from warehouse.paths import data_paths

    assert (world.published / NEXT_MANIFEST).exists()  # the journal says renames were under way
    with pytest.raises(AssertionError):  # the mix is real: some new files, the old manifest
        assert_publication_consistent(world.published)
    publish(data_paths(world.data), "after-the-kill")  # the next publish finishes the renames first
    manifest = assert_publication_consistent(world.published)
    assert manifest["run_id"] == "after-the-kill" and not (world.published / NEXT_MANIFEST).exists()
    world.archive_manifest()
    world.figures["rename_window_kill"] = "rolled forward by the next publish"


# ------------------------------------------------------------------------------------------ readers

def test_readers_saw_only_whole_tables_through_every_kill(world):
    world.figures["readers"] = stop_and_check_readers(world)
    # publications swapped under the readers, at least: the prepared one, the timed publish, the refresh after
    # the kills and the one after the kill between renames (and each kill that landed after the last rename)
    assert world.figures["readers"]["publications_seen"] >= 4


def test_refresh_lock_is_freed_by_a_killed_holder_and_can_be_waited_for(tmp_path):
    from orchestration.runlock import RefreshLocked, refresh_lock

    holder_script = ("import sys, time\nfrom orchestration.runlock import refresh_lock\n"
                     "with refresh_lock(sys.argv[1]):\n    print('held', flush=True)\n"
                     "    time.sleep(float(sys.argv[2]))\n")
    holder = subprocess.Popen([sys.executable, "-c", holder_script, str(tmp_path), "60"], cwd=REPO,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(RefreshLocked, match=f"pid {holder.pid}"):
        with refresh_lock(tmp_path):
            pass
    holder.send_signal(signal.SIGKILL)  # no stale lock: the kernel drops it with the process
    holder.wait()
    with refresh_lock(tmp_path):
        pass
    short = subprocess.Popen([sys.executable, "-c", holder_script, str(tmp_path), "1"], cwd=REPO,
                             stdout=subprocess.PIPE, text=True)
    assert short.stdout.readline().strip() == "held"
    started = time.monotonic()
    with refresh_lock(tmp_path, wait_s=30):  # waits for the holder to finish
        waited = time.monotonic() - started
    short.wait()
    assert 0.3 < waited < 30


# --------------------------------------------------------------------- disk full, unwritable folder

BIGGER = 50_000


def _small_marts(db: Path, rows: int) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        con.execute("CREATE OR REPLACE TABLE marts.fct_membership AS "
                    "SELECT range AS id, md5(range::VARCHAR) AS name FROM range(?)", [rows])


def _files(published: Path) -> dict:
    return {str(p.relative_to(published)): p.read_bytes() for p in sorted(published.rglob("*")) if p.is_file()}


def _publish_failing(paths, fault) -> tuple[str, dict, dict]:
    from warehouse.publish import PublishError, publish

    publish(paths, "run-before")
    before = _files(paths.published)
    _small_marts(paths.working_db, BIGGER)  # the next publication is bigger
    with fault():
        with pytest.raises(PublishError) as info:
            publish(paths, "run-failing")
    return str(info.value), before, _files(paths.published)


def _disk_full(paths):
    """published/ on a 16 MiB tmpfs, filled but for 64 KiB: a real ENOSPC."""
    import contextlib

    mount_point = paths.root.parent / "small-disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount_point)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip()}); the file-size-limit case covers it")
    shutil.rmtree(paths.published, ignore_errors=True)
    paths.published.symlink_to(mount_point)

    @contextlib.contextmanager
    def fault():
        used = sum(p.stat().st_size for p in mount_point.rglob("*") if p.is_file())
        filler = mount_point / "filler"
        filler.write_bytes(b"\0" * max(0, 16 * 1024 * 1024 - used - 64 * 1024))
        try:
            yield
        finally:
            filler.unlink()

    return fault, lambda: subprocess.run(["umount", str(mount_point)], check=False)


def _immutable_folder(paths):
    """chattr +i on published/parquet: even root cannot create or rename files in it."""
    import contextlib

    @contextlib.contextmanager
    def fault():
        done = subprocess.run(["chattr", "+i", str(paths.parquet)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"chattr +i is not supported here: {done.stderr.strip()}")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(paths.parquet)], check=True)

    return fault, lambda: None


def _folder_is_a_file(paths):
    """published/parquet replaced by a regular file (a botched copy): nothing can be written in it."""
    import contextlib

    @contextlib.contextmanager
    def fault():
        backup = paths.parquet.with_name("parquet-real")
        paths.parquet.rename(backup)
        paths.parquet.write_text("not a folder")
        try:
            yield
        finally:
            paths.parquet.unlink()
            backup.rename(paths.parquet)

    return fault, lambda: None


@pytest.mark.parametrize("make_fault", [_disk_full, _immutable_folder, _folder_is_a_file],
                         ids=["disk full (tmpfs ENOSPC)", "unwritable folder (chattr +i)", "folder is a file"])
def test_publish_on_a_full_disk_or_unwritable_folder_fails_clearly_and_keeps_the_previous_files(tmp_path, make_fault):
    from warehouse.paths import data_paths
    from warehouse.publish import publish

    paths = data_paths(tmp_path / "data")
    _small_marts(paths.working_db, 1_000)
    paths.parquet.mkdir(parents=True)
    fault, cleanup = make_fault(paths)
    try:
        message, before, after = _publish_failing(paths, fault)
        print(f"\npublish fault {make_fault.__name__}: {message}")
        assert after == before, "the previous publication changed"
        assert str(paths.published) in message, message  # names where it could not write
        assert "failed" in message or "cannot write" in message, message
        assert not list(paths.published.rglob("*.tmp-publish*"))
        assert publish(paths, "run-after")["tables"][0]["rows"] == BIGGER  # fault gone: publishing works
        assert_publication_consistent(paths.published)
    finally:
        cleanup()


def test_publish_past_the_file_size_limit_fails_clearly_and_keeps_the_previous_files(tmp_path):
    """RLIMIT_FSIZE (applies to root too): writing past it fails with EFBIG, like a quota."""
    from warehouse.paths import data_paths
    from warehouse.publish import publish

    paths = data_paths(tmp_path / "data")
    _small_marts(paths.working_db, 1_000)
    publish(paths, "run-before")
    before = _files(paths.published)
    _small_marts(paths.working_db, BIGGER)
    script = """
import resource, signal, sys
from warehouse.paths import data_paths
from warehouse.publish import PublishError, publish
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # get EFBIG instead of being killed
resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))
try:
    publish(data_paths(sys.argv[1]), "run-failing")
except PublishError as exc:
    print(exc)
    sys.exit(3)
"""
    proc = subprocess.run([sys.executable, "-c", script, str(paths.root)], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 3, proc.stdout + proc.stderr[-2000:]
    assert "failed" in proc.stdout and str(paths.published) in proc.stdout, proc.stdout
    print(f"\npublish fault file size limit: {proc.stdout.strip()}")
    assert _files(paths.published) == before
    assert publish(paths, "run-after")["tables"][0]["rows"] == BIGGER
