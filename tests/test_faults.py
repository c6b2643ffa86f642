"""Faults, on one real data dir, in order: SIGKILL at random points of fetch, raw load, dbt and publish; two
refreshes at once; and, all along, readers holding the published DuckDB and reading the Parquet files (every
0.2 s), checked at the end against every publication there was (at least ten
back-to-back refreshes in all). A full publish failing on a full disk or an unwritable folder is tested on
a small publication of its own.

Everything runs for real: `tcn refresh` subprocesses (Dagster in process, dbt, DuckDB), and for the cheap
kills subprocesses calling the same functions the scrape and publish steps call. Traffic: loopback only.
Figures (kills per stage, refresh times, reads) are printed at the end of each test (`pytest -s`) and are
the source of docs/reliability.md. Set TCN_FAULT_SEED to replay a run's random kill points.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import duckdb
import httpserver
import pytest
import yaml
from conftest import copy_data_dir
from httpserver import LoopbackServer, Reply

# ~25 SIGKILLs and ten back-to-back refreshes: about 5 minutes, the longest module of the suite (it goes first).

REPO = Path(__file__).resolve().parent.parent
TCN = Path(sys.executable).parent / "tcn"
SEED = int(os.environ.get("TCN_FAULT_SEED", str(time.time_ns() % 1_000_000)))
REPLAY_NETWORKS = ["icorn", "eurocities"]  # a small replay refresh: dbt and publish run in full all the same
N_SCRAPE_KILLS, N_PUBLISH_KILLS, N_DBT_KILLS = 12, 8, 2
TEN_REFRESHES = 10


# ------------------------------------------------------------------------------------------- the world

class Site(LoopbackServer):
    """A loopback site on a fixed port, so it can go down (connection refused) and come back at one URL."""

    def __init__(self, routes: dict, port: int = 0):
        super().__init__(routes)
        if port:
            self._server.server_close()
            self._server = httpserver._Server(("127.0.0.1", port), httpserver._Handler)
            self._server.owner = self
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                            daemon=True)


LOOP_MEMBERS = {"loop-refused": ["Kiel", "Bonn", "Jena"], "loop-5xx": ["Ulm", "Trier", "Passau"],
                "loop-ok": ["Erfurt", "Gera"]}


def _members_page(names: list[str]) -> bytes:
    return ("<html><body><ul class='members'>" + "".join(f"<li>{n}</li>" for n in names)
            + "</ul></body></html>").encode()


@dataclass
class World:
    root: Path
    data: Path
    env: dict
    sites: dict
    site_mode: dict  # network -> "up" | "5xx"
    manifests: list = field(default_factory=list)  # every publication seen: {table: (rows, sha256)}
    refreshes: list = field(default_factory=list)  # (run id, seconds) of every refresh that succeeded
    readers: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)

    @property
    def published(self) -> Path:
        return self.data / "published"

    def archive_manifest(self) -> None:
        manifest = json.loads((self.published / "manifest.json").read_text(encoding="utf-8"))
        self.manifests.append({t["table"]: (t["rows"], t["sha256"]) for t in manifest["tables"]})


def _site_routes(world_mode: dict, network_id: str) -> dict:
    def members(_seen) -> Reply:
        if world_mode[network_id] == "5xx":
            return Reply(503, {"Content-Type": "text/html"}, b"<html><body>maintenance</body></html>")
        return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, _members_page(LOOP_MEMBERS[network_id]))
    return {"/members": members}


def _write_loop_registry(folder: Path, sites: dict) -> None:
    folder.mkdir()
    for network_id, site in sites.items():
        (folder / f"{network_id}.yaml").write_text(yaml.safe_dump({
            "id": network_id, "name": network_id, "scope": "national", "country_code": "DE",
            "tags": {"focus": "refugees"},
            "sources": [{"url": site.url("/members"), "kind": "html", "parser": "html_list",
                         "allowed_hosts": ["127.0.0.1"], "options": {"items": "ul.members > li"}}]}),
            encoding="utf-8")


def refresh(world: World, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    started = time.monotonic()
    proc = subprocess.run([str(TCN), "refresh", "--data-dir", str(world.data), *args], env=world.env,
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode == 0:
        run_id = next(line.split()[1] for line in proc.stdout.splitlines() if line.startswith("run "))
        world.refreshes.append((run_id, time.monotonic() - started))
        world.archive_manifest()
    return proc


def _ok(proc: subprocess.CompletedProcess) -> str:
    return f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


# readers, started once the first publication exists and stopped at the end of the module -------------

HOLDER = """
import json, sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)   # held open for the whole module
with open(sys.argv[2], "a") as log:
    while True:
        try:
            counts = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                      for t in ("marts.fct_membership", "marts.dim_network", "metrics.network_overlap")]
            log.write(json.dumps({"counts": counts}) + "\\n")
        except Exception as exc:
            log.write(json.dumps({"error": repr(exc)}) + "\\n")
        log.flush()
        time.sleep(0.2)
"""

DUCKDB_READER = """
import json, sys, time, duckdb
with open(sys.argv[2], "a") as log:
    while True:   # a BI tool that reconnects for every query
        try:
            with duckdb.connect(sys.argv[1], read_only=True) as con:
                counts = {t: con.execute(f"SELECT count(*) FROM marts.{t}").fetchone()[0]
                          for t in ("fct_membership", "dim_network")}
            log.write(json.dumps({"counts": counts}) + "\\n")
        except Exception as exc:
            log.write(json.dumps({"error": repr(exc)}) + "\\n")
        log.flush()
        time.sleep(0.2)
"""

PARQUET_READER = """
import hashlib, json, sys, time, duckdb
con = duckdb.connect()
with open(sys.argv[2], "a") as log:
    while True:
        try:
            with open(sys.argv[1], "rb") as f:
                sha = hashlib.sha256(f.read()).hexdigest()
            rows = con.execute("SELECT count(*) FROM read_parquet(?)", [sys.argv[1]]).fetchone()[0]
            log.write(json.dumps({"sha256": sha, "rows": rows}) + "\\n")
        except Exception as exc:
            log.write(json.dumps({"error": repr(exc)}) + "\\n")
        log.flush()
        time.sleep(0.2)
"""


def _start_readers(world: World) -> None:
    logs = world.root / "reader-logs"
    logs.mkdir()
    for name, script, target in (
            ("holder", HOLDER, world.published / "warehouse.duckdb"),
            ("duckdb", DUCKDB_READER, world.published / "warehouse.duckdb"),
            ("parquet", PARQUET_READER, world.published / "parquet" / "fct_membership.parquet")):
        log = logs / f"{name}.jsonl"
        world.readers[name] = (subprocess.Popen([sys.executable, "-c", script, str(target), str(log)]), log)
    deadline = time.monotonic() + 60
    while not all(log.exists() and log.stat().st_size for _, log in world.readers.values()):
        assert time.monotonic() < deadline, "readers did not start"
        time.sleep(0.1)


def _stop_readers(world: World) -> None:
    for process, _ in world.readers.values():
        if process.poll() is None:
            process.kill()
        process.wait()


@contextmanager
def open_world(root: Path, refreshed_data_dir, readers: bool) -> Iterator[World]:
    """The loopback sites, and a copy of the session's refreshed data dir: the faults start from a warehouse
    with a publication (the prepared refresh counts as the world's first). `readers`: start the three readers."""
    source, first = refreshed_data_dir
    data = copy_data_dir(source, root / "data")
    site_mode = {n: "up" for n in LOOP_MEMBERS}
    sites = {n: Site(_site_routes(site_mode, n)).__enter__() for n in LOOP_MEMBERS}
    _write_loop_registry(root / "registry", sites)
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "TCN_DATA_DIR")}
    env["TCN_REGISTRY"] = str(root / "registry")  # the loopback networks, for the site-down test
    w = World(root, data, env, sites, site_mode)
    w.refreshes.append((next(line.split()[1] for line in first.stdout.splitlines() if line.startswith("run ")),
                        None))  # the prepared refresh (not timed here)
    w.archive_manifest()
    if readers:
        _start_readers(w)
    try:
        yield w
    finally:
        _stop_readers(w)
        for site in w.sites.values():
            site.__exit__(None, None, None)
        print("\nFIGURES", json.dumps(w.figures, indent=1, default=str))


@pytest.fixture(scope="module")
def world(tmp_path_factory, refreshed_data_dir):
    with open_world(tmp_path_factory.mktemp("faults"), refreshed_data_dir, readers=True) as w:
        yield w


def _networks(ids: list[str]) -> list[str]:
    return [arg for n in ids for arg in ("--network", n)]


# ------------------------------------------------------------------------------------- state checks

def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def publication_state(published: Path) -> dict:
    """The manifest's text and the bytes (sha256) of every published file."""
    return {"manifest": (published / "manifest.json").read_text(encoding="utf-8"),
            "files": {str(p.relative_to(published)): _sha(p) for p in sorted((published / "parquet").glob("*.parquet"))},
            "duckdb": _sha(published / "warehouse.duckdb")}


def assert_publication_consistent(published: Path) -> dict:
    """manifest.json lists exactly the Parquet files there are, each with its sha256 and row count."""
    manifest = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
    listed = {Path(t["path"]).name: t for t in manifest["tables"]}
    assert sorted(listed) == sorted(p.name for p in (published / "parquet").glob("*.parquet"))
    with duckdb.connect() as con:
        for name, entry in listed.items():
            path = published / "parquet" / name
            assert _sha(path) == entry["sha256"], f"{name}: bytes differ from the manifest"
            assert con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()[0] == entry["rows"]
    with duckdb.connect(str(published / "warehouse.duckdb"), read_only=True) as con:
        for entry in manifest["tables"]:
            rows = con.execute(f'SELECT count(*) FROM "{entry["schema"]}"."{entry["table"]}"').fetchone()[0]
            assert rows == entry["rows"], f"{entry['table']}: the DuckDB copy is not the manifest's"
    return manifest


def assert_working_db_opens(data: Path) -> int:
    with duckdb.connect(str(data / "warehouse.duckdb")) as con:  # read-write: replays the WAL, as a run would
        return con.execute("SELECT count(*) FROM raw.runs").fetchone()[0]


DUPLICATE_CHECKS = {
    "raw.runs": "run_id", "raw.run_completions": "run_id", "raw.fetches": "fetch_id",
    "raw.member_mentions": "mention_id", "raw.bodies": "sha256", "raw.network_runs": "run_id, network_id",
    "raw.registry_networks": "run_id, network_id", "ref.text_keys": "text",
}


def duplicated_raw_rows(data: Path) -> dict:
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        return {table: con.execute(f"SELECT count(*) - count(DISTINCT ({key})) FROM {table}").fetchone()[0]
                for table, key in DUPLICATE_CHECKS.items()}


def incomplete_runs(data: Path) -> set[str]:
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        return {r[0] for r in con.execute(
            "SELECT run_id FROM raw.runs WHERE run_id NOT IN (SELECT run_id FROM raw.run_completions)").fetchall()}


def run_ids_visible_downstream(data: Path) -> set[str]:
    """Every run id in any run-id column of the working staging schema and of the publication."""
    seen = set()
    for db, schemas in ((data / "warehouse.duckdb", ("staging", "intermediate", "marts", "metrics")),
                        (data / "published" / "warehouse.duckdb", ("marts", "metrics"))):
        with duckdb.connect(str(db), read_only=True) as con:
            columns = con.execute(
                """SELECT table_schema, table_name, column_name FROM information_schema.columns
                   WHERE table_schema IN (SELECT unnest(?::VARCHAR[])) AND column_name LIKE '%run_id'
                     AND data_type = 'VARCHAR'""", [list(schemas)]).fetchall()
            for schema, table, column in columns:
                seen |= {r[0] for r in con.execute(
                    f'SELECT DISTINCT "{column}" FROM "{schema}"."{table}" WHERE "{column}" IS NOT NULL').fetchall()}
    return seen


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
    "refresh_text_keys": "raw load", "refresh_text_keys done": "raw load",
    "refresh_member_resolutions": "raw load", "refresh_member_resolutions done": "raw load",
    "complete_run": "completion marker", "complete_run done": "completion marker",
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

    builtin = sorted(n.id for n in load_registry().with_sources() if n.id not in LOOP_MEMBERS)
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

    # 3. dbt: a real `tcn refresh`, its whole process group (tcn and its dbt child) killed during dbt build
    dbt_killed_runs = []
    attempt = 0
    while len(dbt_killed_runs) < N_DBT_KILLS and attempt < 2 * N_DBT_KILLS:
        attempt += 1
        before = publication_state(world.published)
        run_id = _kill_refresh_during_dbt(world, rng.uniform(1.0, 20.0))
        if run_id:
            kills.append(("dbt", "dbt build", run_id))
            dbt_killed_runs.append(run_id)
        outcomes.append(_check_after_kill(world, before))

    # 4. the next run completes, frees the killed runs' Dagster slots, and nothing is duplicated or leaked
    proc = refresh(world, *_networks(REPLAY_NETWORKS))
    assert proc.returncode == 0, _ok(proc)
    manifest = assert_publication_consistent(world.published)
    assert manifest["run_id"] == world.refreshes[-1][0]
    assert duplicated_raw_rows(world.data) == dict.fromkeys(DUPLICATE_CHECKS, 0)
    incomplete = incomplete_runs(world.data)
    with duckdb.connect(str(world.data / "warehouse.duckdb"), read_only=True) as con:
        complete = {r[0] for r in con.execute("SELECT run_id FROM raw.run_completions").fetchall()}
    killed_before_marker = set(killed_scrape_runs) - {k[2] for k in kills if k[1] == "completion marker"}
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


def _kill_refresh_during_dbt(world: World, delay: float) -> str | None:
    """Start `tcn refresh` in its own process group; SIGKILL the group `delay` s into dbt build."""
    err = world.root / "dbt-kill-err.txt"
    with err.open("w") as sink:
        process = subprocess.Popen([str(TCN), "refresh", "--data-dir", str(world.data),
                                    *_networks(REPLAY_NETWORKS[:1])], env=world.env, stdout=subprocess.DEVNULL,
                                   stderr=sink, start_new_session=True)
        deadline = time.monotonic() + 600
        while 'STEP_START - Started execution of step "tcn_dbt_models"' not in err.read_text():
            assert process.poll() is None, err.read_text()[-3000:]
            assert time.monotonic() < deadline
            time.sleep(0.1)
        try:
            process.wait(timeout=delay)
            killed = False
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # tcn and dbt: a machine crash or a container kill
            process.wait()
            _wait_until_group_is_gone(process.pid)  # dbt exits (and drops its file lock) a moment later
            killed = True
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


# ------------------------------------------------------------------------------------ concurrency

def test_two_refreshes_at_once_one_refuses_one_waits_never_two_writers(world):
    lock = world.data / ".refresh.lock"
    first = subprocess.Popen([str(TCN), "refresh", "--data-dir", str(world.data), *_networks(REPLAY_NETWORKS[:1])],
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
    assert refused.returncode == 75, _ok(refused)
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


def test_refresh_lock_is_freed_by_a_killed_holder_and_can_be_waited_for(tmp_path):
    from warehouse.runlock import RefreshLocked, refresh_lock

    holder_script = ("import sys, time\nfrom warehouse.runlock import refresh_lock\n"
                     "with refresh_lock(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(float(sys.argv[2]))\n")
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


# ---------------------------------------------------------------------------------------- site down

def _check_results(world: World, run_id: str) -> dict:
    import dagster as dg
    from dagster._core.events import DagsterEventType

    with dg.DagsterInstance.from_config(str(world.data / "dagster_home")) as instance:
        entries = instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
    results = {}
    for entry in entries:
        evaluation = entry.dagster_event.event_specific_data
        results[evaluation.check_name] = (evaluation.passed, {k: v.value for k, v in evaluation.metadata.items()})
    return results


def _history(world: World, network_id: str) -> tuple[list, list]:
    with duckdb.connect(str(world.published / "warehouse.duckdb"), read_only=True) as con:
        spells = con.execute("""SELECT member_name, is_current, ended_by_run_id FROM marts.fct_membership_spell
                                WHERE network_id = ? ORDER BY member_name""", [network_id]).fetchall()
        left = con.execute("SELECT coalesce(sum(n_left), 0) FROM metrics.membership_changes WHERE network_id = ?",
                           [network_id]).fetchall()
    return spells, left[0][0]


# ------------------------------------------------------------------------- readers, ten refreshes

def test_readers_saw_only_whole_tables_during_ten_back_to_back_refreshes(world):
    while len(world.refreshes) < TEN_REFRESHES:
        proc = refresh(world, *_networks(REPLAY_NETWORKS[:1]))
        assert proc.returncode == 0, _ok(proc)
    alive = {name: process.poll() is None for name, (process, _) in world.readers.items()}
    _stop_readers(world)
    assert all(alive.values()), alive
    reads = {name: [json.loads(line) for line in log.read_text().splitlines()]
             for name, (_, log) in world.readers.items()}
    errors = {name: [r for r in rows if "error" in r][:3] for name, rows in reads.items()}
    assert not any(errors.values()), errors

    published_fct = {m["fct_membership"] for m in world.manifests}
    published_dim = {m["dim_network"][0] for m in world.manifests}
    # the Parquet reader read only files that were published whole (their exact bytes)
    assert {r["sha256"] for r in reads["parquet"]} <= {sha for _, sha in published_fct}
    assert {r["rows"] for r in reads["parquet"]} <= {rows for rows, _ in published_fct}
    # a reconnecting DuckDB reader only ever saw a published copy's tables
    assert {r["counts"]["fct_membership"] for r in reads["duckdb"]} <= {rows for rows, _ in published_fct}
    assert {r["counts"]["dim_network"] for r in reads["duckdb"]} <= published_dim
    # the holder kept reading its own snapshot, unchanged, through every swap
    assert len({tuple(r["counts"]) for r in reads["holder"]}) == 1
    distinct_files = len({r["sha256"] for r in reads["parquet"]})
    assert all(len(rows) > 20 for rows in reads.values())
    durations = [s for _, s in world.refreshes if s is not None]
    world.figures["readers"] = {
        "refreshes": len(world.refreshes), "refresh_seconds_min_median_max": [
            round(min(durations), 1), round(sorted(durations)[len(durations) // 2], 1), round(max(durations), 1)],
        "publications_seen": len(world.manifests), "reads": {k: len(v) for k, v in reads.items()},
        "distinct_parquet_files_read": distinct_files, "reader_errors": 0}
    assert len(world.refreshes) >= TEN_REFRESHES


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
