"""The world the fault tests run in: a copy of the session's refreshed data dir, `tcn refresh` subprocesses on
it, loopback sites that can go down, readers of the publication, and the checks of what a fault left behind.
Used by tests/test_faults.py (kills), tests/test_faults_refreshes.py (concurrency, ten refreshes) and
tests/test_faults_site_down.py, each module in a world of its own so that they run on different workers."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import duckdb
import yaml

from helpers import TCN, copy_data_dir
from helpers.loopback import LoopbackServer, Reply

REPLAY_NETWORKS = ["icorn", "eurocities"]  # a small replay refresh: dbt and publish run in full all the same


# ------------------------------------------------------------------------------------------- the world

class Site(LoopbackServer):
    """A loopback site on a fixed port, so it can go down (connection refused) and come back at one URL."""

    def __init__(self, routes: dict, port: int = 0):
        super().__init__(routes, port=port)


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


def site_routes(world_mode: dict, network_id: str) -> dict:
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
    if proc.returncode in (0, 3):  # published (3: some networks failed and keep their last good members)
        run_id = next(line.split()[1] for line in proc.stdout.splitlines() if line.startswith("run "))
        world.refreshes.append((run_id, time.monotonic() - started))
        world.archive_manifest()
    return proc


def tail(proc: subprocess.CompletedProcess) -> str:
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
        time.sleep(0.5)
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
        time.sleep(1.0)  # a reconnect costs 25-40 ms of CPU: ~3% of a core at this pace
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
        time.sleep(0.5)
"""


def start_readers(world: World) -> None:
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


def stop_readers(world: World) -> None:
    for process, _ in world.readers.values():
        if process.poll() is None:
            process.kill()
        process.wait()


@contextmanager
def open_world(root: Path, refreshed_data_dir, readers: bool, loop_sites: bool = False) -> Iterator[World]:
    """A copy of the session's refreshed data dir: the faults start from a warehouse with a publication (the
    prepared refresh counts as the world's first). `readers`: start the three readers. `loop_sites`: serve
    the loopback networks (LOOP_MEMBERS) and add them to the registry the world's refreshes use."""
    source, first = refreshed_data_dir
    data = copy_data_dir(source, root / "data")
    site_mode = {n: "up" for n in LOOP_MEMBERS}
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "TCN_DATA_DIR")}
    sites = {}
    if loop_sites:
        sites = {n: Site(site_routes(site_mode, n)).__enter__() for n in LOOP_MEMBERS}
        _write_loop_registry(root / "registry", sites)
        env["TCN_REGISTRY"] = str(root / "registry")
    w = World(root, data, env, sites, site_mode)
    w.refreshes.append((next(line.split()[1] for line in first.stdout.splitlines() if line.startswith("run ")),
                        None))  # the prepared refresh (not timed here)
    w.archive_manifest()
    if readers:
        start_readers(w)
    try:
        yield w
    finally:
        stop_readers(w)
        for site in w.sites.values():
            site.__exit__(None, None, None)
        print("\nFIGURES", json.dumps(w.figures, indent=1, default=str))


def network_args(ids: list[str]) -> list[str]:
    return [arg for n in ids for arg in ("--network", n)]


# ------------------------------------------------------------------------------------- state checks

def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def publication_state(published: Path) -> dict:
    """The manifest's text and the bytes (sha256) of every published file."""
    return {"manifest": (published / "manifest.json").read_text(encoding="utf-8"),
            "files": {str(p.relative_to(published)): _sha(p)
                      for p in sorted((published / "parquet").glob("*.parquet"))},
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
    """Every run id in any run-id column downstream of raw in the working database, and of the publication.
    Staging is left out: its views are the raw tables renamed, one per source; the completion marker is applied
    where runs are first joined (intermediate.int_runs)."""
    seen = set()
    for db, schemas in ((data / "warehouse.duckdb", ("intermediate", "marts", "metrics")),
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


# ---------------------------------------------------------------------------- Dagster's record, the history

def check_results(world: World, run_id: str) -> dict:
    import dagster as dg
    from dagster._core.events import DagsterEventType

    with dg.DagsterInstance.from_config(str(world.data / "dagster_home")) as instance:
        entries = instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
    results = {}
    for entry in entries:
        evaluation = entry.dagster_event.event_specific_data
        results[evaluation.check_name] = (evaluation.passed, {k: v.value for k, v in evaluation.metadata.items()})
    return results


def materializations(world: World, run_id: str) -> dict[str, list[dict]]:
    """Each asset materialized in the run (its key as a string), with the metadata of each materialization."""
    import dagster as dg
    from dagster._core.events import DagsterEventType

    with dg.DagsterInstance.from_config(str(world.data / "dagster_home")) as instance:
        entries = instance.all_logs(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)
    found: dict[str, list[dict]] = {}
    for entry in entries:
        materialization = entry.dagster_event.event_specific_data.materialization
        found.setdefault(materialization.asset_key.to_user_string(), []).append(
            {k: v.value for k, v in materialization.metadata.items()})
    return found


def network_history(world: World, network_id: str) -> tuple[list, list]:
    with duckdb.connect(str(world.published / "warehouse.duckdb"), read_only=True) as con:
        spells = con.execute("""SELECT member_name, is_current, ended_by_run_id FROM marts.fct_membership_spell
                                WHERE network_id = ? ORDER BY member_name""", [network_id]).fetchall()
        left = con.execute("SELECT coalesce(sum(n_left), 0) FROM metrics.membership_changes WHERE network_id = ?",
                           [network_id]).fetchall()
    return spells, left[0][0]


# -------------------------------------------------------------------------------------- the readers' log

def stop_and_check_readers(world: World) -> dict:
    """Stop the readers and check every read against the publications the world archived: the Parquet reader
    read only files published whole (their exact bytes), the reconnecting reader only a published copy's
    tables, the holder its own snapshot all along. Returns the figures."""
    alive = {name: process.poll() is None for name, (process, _) in world.readers.items()}
    stop_readers(world)
    assert all(alive.values()), alive
    reads = {name: [json.loads(line) for line in log.read_text().splitlines()]
             for name, (_, log) in world.readers.items()}
    errors = {name: [r for r in rows if "error" in r][:3] for name, rows in reads.items()}
    assert not any(errors.values()), errors

    published_fct = {m["fct_membership"] for m in world.manifests}
    published_dim = {m["dim_network"][0] for m in world.manifests}
    assert {r["sha256"] for r in reads["parquet"]} <= {sha for _, sha in published_fct}
    assert {r["rows"] for r in reads["parquet"]} <= {rows for rows, _ in published_fct}
    assert {r["counts"]["fct_membership"] for r in reads["duckdb"]} <= {rows for rows, _ in published_fct}
    assert {r["counts"]["dim_network"] for r in reads["duckdb"]} <= published_dim
    assert len({tuple(r["counts"]) for r in reads["holder"]}) == 1  # through every swap
    assert all(len(rows) > 20 for rows in reads.values())
    return {"publications_seen": len(world.manifests), "reads": {k: len(v) for k, v in reads.items()},
            "distinct_parquet_files_read": len({r["sha256"] for r in reads["parquet"]}), "reader_errors": 0}
