"""What the dbt project's tests share: dbt run as a subprocess on a fixture DuckDB, a module's build of its
fixture, and a test's own database swapped in at the build's path (dbt reuses the build's saved parse only for
the same DuckDB path and target folder: a new one parses the whole project again, ~4.5 s)."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import duckdb

from helpers import REPO

DBT_PROJECT = REPO / "dbt_project"
# Fixtures write their raw rows by hand in the layout of 2026-12 (warehouse/migrations/002_baseline.sql: mentions
# one row per fetch, no verdicts needed), and the later migrations bring them up as they bring an old data dir.
HAND_WRITTEN_LAYOUT = 2


def sha(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def utc(moment: datetime) -> datetime:
    """A fixture time (written to raw in UTC without a zone) as the published TIMESTAMPTZ reads back."""
    return moment.replace(tzinfo=timezone.utc)


def dbt_executable() -> str:
    """The refresh's own dbt (`tcn-dbt`, dbt's CLI started faster; given its folders as flags, it stays where it
    is started, as `dbt`), else this venv's `dbt`."""
    for name in ("tcn-dbt", "dbt"):
        beside = Path(sys.executable).parent / name
        if beside.exists():
            return str(beside)
    return shutil.which("dbt") or "dbt"


def run_dbt(command: list[str], db_path: Path, work: Path,
            extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "TCN_DUCKDB_PATH": str(db_path), "DO_NOT_TRACK": "1", **(extra_env or {})}
    return subprocess.run(
        [dbt_executable(), *command, "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
         "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        env=env, capture_output=True, text=True, timeout=600,
    )


@dataclass(frozen=True)
class Built:
    db_path: Path
    work: Path
    results: list[dict]  # run_results.json of the build


def build(work: Path, build_fixture: Callable[[Path], None], build_vars: str) -> Built:
    """`build_fixture` writes the raw and ref rows into work/warehouse.duckdb; then one `dbt build`."""
    db_path = work / "warehouse.duckdb"
    build_fixture(db_path)
    result = run_dbt(["build", "--vars", build_vars], db_path, work)
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    return Built(db_path, work, results)


def rows(db_path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@contextmanager
def in_place_of_the_build(built: Built, start_from_the_build: bool) -> Iterator[Path]:
    """The built database's path for a test's own database (a copy of the build, or nothing yet), the build put
    back afterwards."""
    kept = built.work / "built.duckdb.kept"
    shutil.move(built.db_path, kept)
    try:
        if start_from_the_build:
            shutil.copy(kept, built.db_path)
        yield built.db_path
    finally:
        built.db_path.unlink(missing_ok=True)
        shutil.move(kept, built.db_path)
