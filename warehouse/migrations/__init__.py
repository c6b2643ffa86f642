"""The working database's layout, as numbered migrations applied once each and recorded in meta.schema_migrations.

`NNN_name.sql` runs as it is; `NNN_name.py` defines `upgrade(con)`. Each migration runs in its own transaction
with its record, so a crash leaves the database before or after it, never half-way. A new data dir gets every
migration in order; a data dir made by an earlier layout gets only those it lacks. A change to the layout is a
new file here, never an edit of an applied one.
"""
from __future__ import annotations

import importlib.util
import re
from datetime import datetime, timezone
from pathlib import Path

from warehouse.db import connect

FOLDER = Path(__file__).resolve().parent
_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.(sql|py)$")


def migrations() -> list[tuple[int, str, Path]]:
    """(version, name, file) of every migration, in order."""
    found = []
    for path in FOLDER.iterdir():
        match = _NAME.match(path.name)
        if match:
            found.append((int(match[1]), match[2], path))
    versions = [v for v, _, _ in found]
    if len(versions) != len(set(versions)):
        raise RuntimeError(f"two migrations share a number in {FOLDER}")
    return sorted(found)


def _apply(con, path: Path) -> None:
    if path.suffix == ".sql":
        con.execute(path.read_text(encoding="utf-8"))
        return
    spec = importlib.util.spec_from_file_location(f"warehouse.migrations.m{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.upgrade(con)


def _pending(db_path: Path, through: int | None) -> bool:
    """Whether any migration is due, asked read-only: an up-to-date database is not opened for writing (which
    would wait for, or block, readers in other processes)."""
    if not Path(db_path).exists():
        return True
    with connect(db_path, read_only=True) as con:
        recorded = con.execute("SELECT 1 FROM information_schema.tables WHERE table_schema = 'meta' "
                               "AND table_name = 'schema_migrations'").fetchone()
        done = {r[0] for r in con.execute("SELECT version FROM meta.schema_migrations").fetchall()} if recorded \
            else set()
    return any(v not in done and (through is None or v <= through) for v, _, _ in migrations())


def applied_versions(con) -> set[int]:
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute("""CREATE TABLE IF NOT EXISTS meta.schema_migrations (
                       version INTEGER NOT NULL, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)""")
    return {r[0] for r in con.execute("SELECT version FROM meta.schema_migrations").fetchall()}


def migrate(db_path: Path, through: int | None = None) -> list[str]:
    """Bring the database at `db_path` (created when missing) up to the current layout (or to migration
    `through`, for a test that needs an earlier one); the names applied."""
    applied: list[str] = []
    if not _pending(db_path, through):
        return applied
    with connect(db_path) as con:
        done = applied_versions(con)
        for version, name, path in migrations():
            if version in done or (through is not None and version > through):
                continue
            con.execute("BEGIN")
            _apply(con, path)
            con.execute("INSERT INTO meta.schema_migrations VALUES (?, ?, ?)",
                        [version, name, datetime.now(timezone.utc).replace(tzinfo=None)])
            con.execute("COMMIT")
            applied.append(f"{version:03d}_{name}")
        if applied:
            con.execute("CHECKPOINT")
    return applied
