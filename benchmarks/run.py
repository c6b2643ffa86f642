"""Where a refresh spends its time and memory, per stage, at one scale.

    python -m benchmarks.run --scale bundled|10k|100k|1m [--work-dir DIR] [--no-doc]

Scales: `bundled` replays the snapshots shipped with the project; `10k`, `100k` and `1m` are synthetic
networks (benchmarks/synthetic.py: N networks x M members from GeoNames, written as curated CSV sources and
registry files passed through TCN_REGISTRY), so they go through the same code as real networks.

Each scale runs refreshes into a fresh data directory: `first` (the gazetteer is loaded, every member is
resolved), for synthetic scales `churn` (2% of every list replaced: every page changed) and then
`no-change` (the same files again; `--no-change-runs N` repeats it). Each refresh calls the functions the Dagster assets call, in their
order: gazetteer, registry, scrape (fetch+parse, raw load, resolution), `dbt build` (the real subprocess,
with the orchestrator's target folder and environment), publish, report. Per stage it prints wall seconds,
peak resident memory, rows and the 1-minute load average when the stage started (the machine has few cores
and may be shared: read every figure with its load). The bundled scale also times the real `tcn refresh`
end to end (cold, then a no-change run), Python + Dagster start-up, and `tcn resolve` on 100,000 names.

Results go to benchmarks/results/<scale>.json and the tables of docs/performance.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO / "benchmarks" / "results"
DBT_PROJECT_DIR = REPO / "dbt_project"
SCALES = ("bundled", "10k", "100k", "1m")

from benchmarks.measure import Stage, own_cpu_s, own_peak_mb, run_child, speed_probe_s, stage  # noqa: E402


def _bin(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


# -- the scrape and resolve assets, split into their parts -----------------------------------------------------------

@contextmanager
def _timing(module, names: list[str], totals: dict, clock=time.perf_counter):
    """Wrap module-level functions with timers (restored afterwards); totals[name] = [seconds, last result].
    clock=time.thread_time gives the CPU time of the calling thread instead of wall time."""
    originals = {n: getattr(module, n) for n in names}

    def wrap(name, fn):
        def timed(*args, **kwargs):
            started = clock()
            result = fn(*args, **kwargs)
            entry = totals.setdefault(name, [0.0, None])
            entry[0] += clock() - started
            entry[1] = result
            return result
        return timed

    for name, fn in originals.items():
        setattr(module, name, wrap(name, fn))
    try:
        yield
    finally:
        for name, fn in originals.items():
            setattr(module, name, fn)


def scrape_stages(db: Path, run_id: str, registry) -> list[Stage]:
    """The scrape and resolve steps (warehouse.ingest.collect_run, resolve_members), the main thread's time split
    into fetch+parse (waiting for the collector threads), raw load (writing each network, text keys,
    completion) and resolution."""
    import warehouse.ingest as ingest
    import warehouse.resolution.store as store

    totals: dict = {}
    cpu: dict = {}  # the main thread's CPU time in the loading functions
    peaks = {}
    real_resolve = ingest.refresh_member_resolutions

    def resolve_with_peak(*args, **kwargs):  # resolution runs alone: the process's CPU time is its own
        peaks["before_resolution"] = own_peak_mb()
        Path("/proc/self/clear_refs").write_text("5")
        cpu = own_cpu_s()
        try:
            return real_resolve(*args, **kwargs)
        finally:
            peaks["resolution"] = own_peak_mb()
            peaks["resolution_cpu"] = own_cpu_s() - cpu

    load1 = round(os.getloadavg()[0], 2)
    Path("/proc/self/clear_refs").write_text("5")
    started = time.perf_counter()
    ingest.refresh_member_resolutions = resolve_with_peak
    try:
        with _timing(ingest, ["load_networks", "refresh_text_keys", "complete_run", "refresh_member_resolutions"],
                     totals), _timing(store, ["open_resolver"], totals), \
                _timing(ingest, ["collect_network"], totals, clock=time.thread_time), \
                _timing(ingest, ["load_networks", "refresh_text_keys", "complete_run"], cpu, clock=time.thread_time):
            outcomes = ingest.collect_run(db, run_id, registry, "replay")
            ingest.resolve_members(db)
    finally:
        ingest.refresh_member_resolutions = real_resolve
    wall = time.perf_counter() - started
    seconds = {k: v[0] for k, v in totals.items()}
    load_s = seconds.get("load_networks", 0) + seconds.get("refresh_text_keys", 0) + seconds.get("complete_run", 0)
    resolve_s = seconds.get("refresh_member_resolutions", 0)
    mentions = sum(o.mentions for o in outcomes)
    failed = [o.network_id for o in outcomes if o.status not in ("ok", "unchanged")]
    resolved = (totals.get("refresh_member_resolutions") or [0, {}])[1] or {}
    before = peaks.get("before_resolution", 0.0)
    load_cpu = sum(v[0] for v in cpu.values())
    return [
        Stage("fetch+parse", wall - load_s - resolve_s, seconds.get("collect_network"), before, mentions, load1,
              f"{len(outcomes)} networks, collector threads' CPU {seconds.get('collect_network', 0):.1f} s "
              "(runs while networks load)" + (f", not ok: {', '.join(failed[:5])}" if failed else "")),
        Stage("raw load", load_s, load_cpu, before, mentions, load1,
              f"text keys {seconds.get('refresh_text_keys', 0):.1f} s, "
              f"{totals.get('refresh_text_keys', [0, 0])[1]} new"),
        Stage("resolution", resolve_s, peaks.get("resolution_cpu"), peaks.get("resolution", 0.0),
              resolved.get("resolved", 0), load1,
              f"index load {seconds.get('open_resolver', 0):.1f} s" if "open_resolver" in seconds
              else "no new inputs: index not loaded"),
    ]


# -- dbt ------------------------------------------------------------------------------------------------

def _metrics_nodes(manifest: dict) -> set[str]:
    """Unique ids of the metrics models and of the tests and unit tests on them."""
    models = {uid for uid, n in manifest["nodes"].items()
              if n["resource_type"] == "model" and n["path"].startswith("metrics/")}
    tests = {uid for uid, n in {**manifest["nodes"], **manifest.get("unit_tests", {})}.items()
             if n["resource_type"] in ("test", "unit_test")
             and set(n.get("depends_on", {}).get("nodes", [])) & models
             and set(n.get("depends_on", {}).get("nodes", [])) <= models | set(manifest.get("sources", {}))}
    return models | tests


# the models that read every run (history): their time per build shows whether history grows with the runs
HISTORY_MODELS = ("stg_member_mentions", "int_run_contents", "int_member_mentions", "int_network_good_runs",
                  "int_member_observations", "int_membership_spells", "int_membership_as_of_run", "membership_changes",
                  "metrics_history")


def dbt_stages(paths, run_id: str, log: Path) -> list[Stage]:
    """The real `dbt build` subprocess, as dagster-dbt starts it, with the build plan the dbt asset uses
    (warehouse/build_plan.py); its node timings split metrics from the rest, and what is left of the wall time
    is dbt's start-up, parse and per-node bookkeeping."""
    from orchestration.dbt import dbt_build_args
    from warehouse.build_plan import plan_build, project_fingerprint, record_build

    plan = plan_build(paths.working_db, run_id, project_fingerprint(DBT_PROJECT_DIR))
    target = paths.dbt_target
    env = {**os.environ, "DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target), "DBT_LOG_FORMAT": "json",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "PYTHONUNBUFFERED": "1",
           "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR), "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
           "TCN_DUCKDB_PATH": str(paths.working_db)}
    build, code = run_child("dbt build", [_bin("dbt"), *dbt_build_args(plan), "--select", "fqn:*"], env=env,
                            cwd=DBT_PROJECT_DIR, output=log)
    text = log.read_text(encoding="utf-8", errors="replace")
    # dbt says why it could not reuse its last parse; silence means it did
    reason = next((json.loads(line)["info"]["msg"] for line in text.splitlines() if "UnableToPartialParse" in line),
                  None)
    parse = f"full parse ({reason})" if reason else "partial parse"
    if code != 0:
        build.note = f"FAILED (exit {code}), see {log}"
        return [build]
    record_build(paths.working_db, plan)
    results = json.loads((target / "run_results.json").read_text())["results"]
    manifest = json.loads((target / "manifest.json").read_text())
    metrics_ids = _metrics_nodes(manifest)
    metric_s = sum(r["execution_time"] for r in results if r["unique_id"] in metrics_ids)
    other_s = sum(r["execution_time"] for r in results if r["unique_id"] not in metrics_ids)
    from warehouse.db import connect

    with connect(paths.working_db, read_only=True) as con:
        memberships = con.execute("SELECT count(*) FROM marts.fct_membership").fetchone()[0]
        metric_tables = con.execute("SELECT table_name, estimated_size FROM duckdb_tables() "
                                    "WHERE schema_name = 'metrics'").fetchall()
    overhead = Stage("dbt start-up+parse", build.wall_s - metric_s - other_s, None, build.peak_rss_mb, None,
                     build.load1,
                     f"{parse}; the rest of the wall time: per-node bookkeeping included")
    build.rows, build.note = memberships, f"{plan.kind} build, {len(results)} nodes; rows = marts.fct_membership"
    history = {r["unique_id"].split(".")[-1]: round(r["execution_time"], 2) for r in results
               if r["unique_id"].startswith("model.") and r["unique_id"].split(".")[-1] in HISTORY_MODELS}
    build.extra = {"models_and_tests_s": round(other_s, 2), "metrics_s": round(metric_s, 2), "parse": parse,
                   "build_kind": plan.kind, "history_models_s": round(sum(history.values()), 2),
                   "history_models": history}
    slowest = sorted(results, key=lambda r: -r["execution_time"])[:8]
    build.extra["slowest"] = {r["unique_id"].split(".")[-1][:60]: round(r["execution_time"], 2) for r in slowest}
    models = Stage("dbt models+tests", other_s, None, build.peak_rss_mb, memberships, build.load1,
                   "staging, intermediate, marts and their tests (node execution time)")
    metrics = Stage("metrics", metric_s, None, build.peak_rss_mb, sum(r for _, r in metric_tables), build.load1,
                    f"{len([u for u in metrics_ids if u.startswith('model.')])} metrics models and their tests")
    return [build, overhead, models, metrics]


# -- one refresh -----------------------------------------------------------------------------------------

def refresh(paths, run_id: str, network_ids: list[str] | None, log_dir: Path, report: bool = True) -> list[Stage]:
    from scrapers.registry import load_registry
    from warehouse.gazetteer import load_gazetteer
    from warehouse.ingest import begin_run
    from warehouse.publish import publish

    db = paths.working_db
    stages = []
    with stage("registry") as s:
        registry = load_registry()
        selected = begin_run(db, run_id, registry, "replay", network_ids)
        s.rows, s.note = len(selected), f"{len(registry)} networks in the registry"
    stages.append(s)
    with stage("gazetteer") as s:
        info = load_gazetteer(db)
        s.rows = info.get("names", 0)
        s.note = f"loaded {info.get('places')} places" if info["loaded"] else "this version is loaded: skipped"
    stages.append(s)
    stages += scrape_stages(db, run_id, registry)
    stages += dbt_stages(paths, run_id, log_dir / f"dbt-{run_id}.log")
    with stage("publish") as s:
        manifest = publish(paths, run_id)
        s.rows = sum(t["rows"] for t in manifest["tables"])
        s.note = f"{len(manifest['tables'])} tables"
    stages.append(s)
    if not report:
        return stages
    try:
        from publication.reader import Publication
        from publication.report import build_report
    except ImportError as exc:  # the report is optional to the benchmark
        stages.append(Stage("report", note=f"skipped: {exc}"))
    else:
        with stage("report") as s:
            page = build_report(Publication(paths), failed_checks=[])
            s.note = f"{page.stat().st_size // 1024} KiB"
        stages.append(s)
    return stages


def _summary(name: str, stages: list[Stage]) -> dict:
    # dbt's parts are inside "dbt build": count its wall time once
    counted = [s for s in stages if s.stage not in ("dbt start-up+parse", "dbt models+tests", "metrics")]
    return {"refresh": name, "total_s": round(sum(s.wall_s for s in counted), 2),
            "total_without_gazetteer_load_s": round(sum(s.wall_s for s in counted if s.stage != "gazetteer"), 2),
            "cpu_s": round(sum(s.cpu_s or 0 for s in counted), 2),
            "peak_rss_mb": round(max(s.peak_rss_mb for s in stages), 1),
            "stages": [s.as_dict() for s in stages]}


def print_refresh(result: dict) -> None:
    print(f"\n== {result['refresh']}: {result['total_s']:.1f} s, peak {result['peak_rss_mb']:.0f} MB")
    print(f"   {'stage':<20} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'rows':>10} {'load1':>6}  note")
    for s in result["stages"]:
        rows = "" if s["rows"] is None else s["rows"]
        cpu = "" if s.get("cpu_s") is None else f"{s['cpu_s']:.2f}"
        print(f"   {s['stage']:<20} {s['wall_s']:>8.2f} {cpu:>8} {s['peak_rss_mb']:>8.0f} {rows:>10} "
              f"{s['load1']:>6.2f}  {s['note']}")
    sys.stdout.flush()


# -- scales ----------------------------------------------------------------------------------------------

def write_synthetic(scale: str, out: Path, run: int) -> dict:
    """Generate in a child process, so the generator's memory never counts in a stage's peak."""
    from benchmarks.synthetic import SCALES as SYNTHETIC

    networks, members = SYNTHETIC[scale]
    record, code = run_child(f"synthetic run {run}", [sys.executable, "-m", "benchmarks.synthetic", "--networks",
                                                      str(networks), "--members", str(members), "--out", str(out),
                                                      "--run", str(run)], cwd=REPO)
    if code != 0:
        raise SystemExit(f"generating the {scale} data failed (exit {code})")
    print(f"generated {networks} x {members} (run {run}) in {record.wall_s:.1f} s")
    return {"networks": networks, "members_per_network": members}


def bundled_extras(work: Path) -> list[dict]:
    """The real CLI: `tcn refresh` cold and again (no change), Python + Dagster start-up, `tcn resolve` 100k."""
    e2e_dir = work / "e2e"
    env = {k: v for k, v in os.environ.items() if k not in ("TCN_REGISTRY", "TCN_DATA_DIR", "TCN_DUCKDB_PATH",
                                                          "DAGSTER_HOME")}
    # `make run` first refreshes the manifest Dagster builds its dbt assets from (and dbt's saved parse)
    record, _ = run_child("dbt parse (make manifest)", [_bin("dbt"), "parse", "--quiet", "--project-dir", ".",
                                                        "--profiles-dir", "."],
                          env={**env, "TCN_DUCKDB_PATH": "warehouse.duckdb"}, cwd=DBT_PROJECT_DIR)
    record.note = "the manifest step of `make run`"
    out = [record]
    # two data dirs, each a first refresh and then the same again: a pair runs within a minute, so its ratio
    # holds even when the machine's speed drifts over the benchmark's minutes
    runs = [(data_dir, f"tcn refresh ({which}, data dir {pair})", f"{pair}-{slug}")
            for pair, data_dir in (("A", e2e_dir), ("B", work / "e2e-b"))
            for which, slug in (("first, cold", "first"), ("no change, 1", "nochange1"), ("no change, 2", "nochange2"))]
    for data_dir, name, slug in runs:
        log = work / f"refresh-{slug}.log"
        started = time.time()
        record, code = run_child(name, [_bin("tcn"), "refresh", "--data-dir", str(data_dir)], env=env, cwd=REPO,
                                 output=log)
        record.extra = dagster_split(log, started, record.wall_s)
        record.note = ("ok" if code == 0 else f"FAILED (exit {code})") + "; " + ", ".join(
            f"{k} {v:.0f} s" for k, v in record.extra.items())
        out.append(record)
    as_tcn_imports = ("from warehouse.collector import collector_paused\n"
                      "with collector_paused(freeze=True):\n    import orchestration.definitions")
    record, _ = run_child("python + dagster start-up", [sys.executable, "-c", as_tcn_imports],
                          env={**env, "TCN_DATA_DIR": str(e2e_dir)}, cwd=REPO)
    record.note = "import orchestration.definitions as tcn does (dagster, dagster-dbt, the dbt manifest)"
    out.append(record)
    out.append(resolve_100k(e2e_dir, env))
    for r in out:
        print(f"   {r.stage:<32} {r.wall_s:>8.2f} s (cpu {r.cpu_s:.1f} s) {r.peak_rss_mb:>6.0f} MB  load {r.load1:.2f}"
              f"  {r.note}")
    return [r.as_dict() for r in out]


def dagster_split(log: Path, started: float, wall_s: float) -> dict:
    """From a `tcn refresh` log: time before the first step (start-up, run creation), in steps, after dbt
    ended inside the dbt step (Dagster storing dbt's events), and the rest (between steps, exit)."""
    import re

    stamp = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \+0000 - dagster - \w+ - refresh - ")
    times: dict[str, float] = {}
    in_steps = 0.0
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        m = stamp.match(line)
        if not m:
            continue
        t = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
        if "STEP_START" in line:
            times.setdefault("first_step", t)
        elif "Finished dbt command" in line:
            times["dbt_done"] = t
        elif "STEP_SUCCESS" in line and "tcn_dbt_models" in line:
            times["dbt_step_done"] = t
        step = re.search(r'Finished execution of step "[^"]+" in (?:(\d+)m)?([\d.]+)(ms|s)', line)  # 1m34s, 3.2s
        if step:
            value = float(step.group(2)) / (1000 if step.group(3) == "ms" else 1)
            in_steps += 60 * int(step.group(1) or 0) + value
    if "first_step" not in times:
        return {}
    before = times["first_step"] - started  # log stamps have whole seconds: +-1 s
    after_dbt = times.get("dbt_step_done", 0) - times.get("dbt_done", 0)
    return {"before first step": before, "steps": in_steps, "storing dbt events": after_dbt,
            "other": wall_s - before - in_steps}


def resolve_100k(data_dir: Path, env: dict) -> Stage:
    from benchmarks.resolve_bench import make_rows
    from warehouse.paths import data_paths

    import csv

    rows = make_rows(data_paths(data_dir).working_db, 100_000, 7)
    src, dst = data_dir / "names-100k.csv", data_dir / "names-100k-resolved.csv"
    with src.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["name", "country_code", "row"])
        writer.writerows(rows)
    record, code = run_child("tcn resolve 100k names", [_bin("tcn"), "resolve", str(src), "-o", str(dst),
                                                       "--data-dir", str(data_dir)], env=env, cwd=REPO)
    record.rows = len(rows)
    record.note = "ok" if code == 0 else f"FAILED (exit {code})"
    return record


def run_scale(scale: str, work: Path, report: bool = True, no_change_runs: int = 1) -> dict:
    from orchestration.settings import configure_environment

    probe_at_start = speed_probe_s()
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    os.environ.pop("TCN_REGISTRY", None)
    info: dict = {"scale": scale}
    network_ids = None
    plan = ["first", *["no-change"] * no_change_runs]
    if scale != "bundled":
        info.update(write_synthetic(scale, work / "synthetic", 0))
        os.environ["TCN_REGISTRY"] = str(work / "synthetic" / "registry")
        from scrapers.registry import load_registry

        network_ids = sorted(n for n in load_registry().networks if n.startswith("syn-"))
        plan = ["first", "churn", *["no-change"] * no_change_runs]
    paths = configure_environment(work / "data")
    started = datetime.now(timezone.utc)
    refreshes = []
    for i, name in enumerate(plan):
        if name == "churn":  # "no-change" then reads the same files again
            write_synthetic(scale, work / "synthetic", 1)
        result = _summary(name, refresh(paths, f"bench-{scale}-{i}-{name}", network_ids, work, report))
        refreshes.append(result)
        print_refresh(result)
    with __import__("warehouse.db", fromlist=["connect"]).connect(paths.working_db, read_only=True) as con:
        info["memberships"] = con.execute("SELECT count(*) FROM marts.fct_membership").fetchone()[0]
        info["mentions_per_run"] = con.execute(
            "SELECT count(*) FROM raw.member_mentions WHERE run_id = ?", [f"bench-{scale}-0-first"]).fetchone()[0]
    info.update({
        "started_at": started.isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform(),
                    "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
                    "speed_probe_s": {"start": probe_at_start}},
        "refreshes": refreshes,
    })
    if scale == "bundled":
        print("\n== the real CLI")
        info["cli"] = bundled_extras(work)
    info["machine"]["speed_probe_s"]["end"] = speed_probe_s()
    print(f"\nspeed probe (a fixed Python loop; 2.1-2.2 s at this machine's usual speed): "
          f"{probe_at_start} s at the start, {info['machine']['speed_probe_s']['end']} s at the end")
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, required=True)
    parser.add_argument("--work-dir", help="scratch folder, emptied first (default: a temp folder per scale)")
    parser.add_argument("--no-change-runs", type=int, default=1,
                        help="no-change refreshes at the end (e.g. 8 at 1m: ten runs, to see whether history grows)")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite the tables in docs/performance.md")
    parser.add_argument("--no-report", action="store_true",
                        help="leave out the HTML report stage (its network graph grows with networks squared)")
    args = parser.parse_args(argv)
    work = Path(args.work_dir or Path(os.environ.get("TMPDIR", "/tmp")) / f"tcn-bench-{args.scale}").resolve()
    result = run_scale(args.scale, work, report=not args.no_report, no_change_runs=args.no_change_runs)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"{args.scale}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nresults: {out}")
    if not args.no_doc:
        from benchmarks.perf_doc import update_doc

        print(f"tables: {update_doc()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
