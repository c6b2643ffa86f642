"""Which dbt build a run needs, decided from raw before dbt starts, and recorded after dbt succeeded.

- full_refresh: the first build, or the dbt project, the registry or the city resolution changed since the last
  build, or a run completed out of order: the run-keyed history is recomputed from raw (`--full-refresh`).
- incremental: some network's content changed (or its verdict): every model is rebuilt, the run-keyed
  incremental models add the new runs.
- run_only: every network of the run is unchanged against the last build's run (same fetch contents, good
  both times): only the models keyed by run are built (dbt selector `run_keyed`: verdicts, membership_changes,
  state as of each run, metrics_history); the marts already hold the same members and stay as they are.

The gazetteer's staging models (dbt tag `gazetteer`: places, place names, countries, country names) read only the
ref tables of the gazetteer; a full or incremental build leaves them out when the gazetteer was not loaded
again and the dbt project did not change since the last build (they are current: built then or before).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from warehouse.db import connect
from warehouse.drift import GOOD_STATUSES

FULL_REFRESH, INCREMENTAL, RUN_ONLY = "full_refresh", "incremental", "run_only"
RUN_KEYED_TAG = "run_keyed"  # what selectors.yml's run_keyed selects: the models a run-only build builds
GAZETTEER_TAG = "gazetteer"
PROJECT_PARTS = ("models", "macros", "tests", "dbt_project.yml", "selectors.yml")


@dataclass(frozen=True)
class BuildPlan:
    run_id: str
    kind: str
    reason: str
    registry_version: str
    resolver_version: str
    project_fingerprint: str
    content_run_id: str  # the last run whose build rebuilt the marts (this run unless run_only)
    skips_gazetteer: bool = False  # a full or incremental build leaves the (current) gazetteer staging out


def project_fingerprint(project_dir: Path) -> str:
    """sha256 over the dbt project's model, macro and test files and its settings (vars, selectors)."""
    digest = hashlib.sha256()
    for part in PROJECT_PARTS:
        path = Path(project_dir) / part
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path] if path.exists() else []
        for file in files:
            digest.update(str(file.relative_to(project_dir)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def _network_states(con, run_id: str) -> dict[str, tuple[str, str | None]]:
    return {n: (status, content) for n, status, content in con.execute(
        "SELECT network_id, status, content_sha256 FROM raw.network_runs WHERE run_id = ?", [run_id]).fetchall()}


def plan_build(db_path: Path, run_id: str, fingerprint: str) -> BuildPlan:
    """The build `run_id` needs, against the last recorded build."""
    from warehouse.resolution.store import resolver_version

    resolver = resolver_version(db_path)
    with connect(db_path, read_only=True) as con:
        run = con.execute("SELECT registry_version, started_at, networks FROM raw.runs WHERE run_id = ? LIMIT 1",
                          [run_id]).fetchone()
        registry = run[0] if run else ""
        last = con.execute(
            """SELECT b.run_id, b.registry_version, b.resolver_version, b.project_fingerprint, b.content_run_id,
                      r.started_at, r.networks, b.built_at
               FROM meta.dbt_builds b JOIN raw.runs r USING (run_id)
               WHERE b.run_id <> ? ORDER BY b.built_at DESC LIMIT 1""", [run_id]).fetchone()
        gazetteer_loaded = con.execute("SELECT max(loaded_at) FROM ref.gazetteer_versions").fetchone()[0]
        gazetteer_current = (last is not None and last[3] == fingerprint
                             and (gazetteer_loaded is None or gazetteer_loaded < last[7]))

        def plan(kind: str, reason: str) -> BuildPlan:
            content_run = last[4] if kind == RUN_ONLY else run_id
            return BuildPlan(run_id, kind, reason, registry, resolver, fingerprint, content_run,
                             skips_gazetteer=gazetteer_current and kind != RUN_ONLY)  # run_only never builds it

        if last is None:
            return plan(FULL_REFRESH, "first build of this data dir")
        for what, now, before in (("the dbt project", fingerprint, last[3]), ("the registry", registry, last[1]),
                                  ("the city resolution", resolver, last[2])):
            if now != before:
                return plan(FULL_REFRESH, f"{what} changed since the build of run {last[0]}")
        # every run complete at the last build was in it; one completed since but started before it was not
        late = con.execute(
            """SELECT r.run_id FROM raw.runs r JOIN raw.run_completions c USING (run_id)
               WHERE r.started_at < ? AND c.completed_at > ? AND r.run_id <> ? LIMIT 1""",
            [last[5], last[7], run_id]).fetchone()
        if late or (run and run[1] < last[5]):
            return plan(FULL_REFRESH, f"run {(late or [run_id])[0]} completed after a later run was built")
        now_states, before_states = _network_states(con, run_id), _network_states(con, last[0])
    if not run or sorted(run[2]) != sorted(last[6]):
        return plan(INCREMENTAL, "the run set out to collect other networks than the last built run")
    changed = sorted(n for n, (status, content) in now_states.items()
                     if status not in GOOD_STATUSES or before_states.get(n, ("", None))[0] not in GOOD_STATUSES
                     or content is None or content != before_states[n][1])
    if changed or not now_states:
        shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
        return plan(INCREMENTAL, f"changed since run {last[0]}: {shown or 'no network loaded'}")
    return plan(RUN_ONLY, f"no network changed since run {last[0]} (content as of run {last[4]})")


def record_build(db_path: Path, plan: BuildPlan) -> None:
    """Remember a build that succeeded: the next run is planned against it."""
    with connect(db_path) as con:
        con.execute("INSERT INTO meta.dbt_builds VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [plan.run_id, plan.kind, plan.reason, plan.registry_version, plan.resolver_version,
                     plan.project_fingerprint, plan.content_run_id, datetime.now(timezone.utc).replace(tzinfo=None)])
        con.execute("CHECKPOINT")


def last_build(db_path: Path, run_id: str | None = None) -> dict | None:
    """The build recorded for `run_id` (else the latest), as a dict; None when there is none."""
    with connect(db_path, read_only=True) as con:
        has_table = con.execute("SELECT 1 FROM information_schema.tables WHERE table_schema = 'meta' "
                                "AND table_name = 'dbt_builds'").fetchone()
        if not has_table:
            return None
        cur = con.execute("SELECT * FROM meta.dbt_builds WHERE run_id = coalesce(?, run_id) "
                          "ORDER BY built_at DESC LIMIT 1", [run_id])
        row = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], row)) if row else None
