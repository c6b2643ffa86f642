"""Publish marts and metrics for analysts and BI: Parquet per table, a DuckDB copy, and manifest.json.

Every file is written beside its target under a temporary name and checked; only when all of them are
written are they renamed over the old ones, and the manifest last. A reader sees either the previous complete
file or the new complete file, never a partial one, and a publish that fails part-way (a write error, a failed
check) removes its temporary files and leaves the previous publication as it was. A table whose content is
the same as in the previous publication (rows, columns and a hash of every row, in the manifest's `content`)
keeps its Parquet file: a run in which nothing changed rewrites only the run-keyed tables. Readers holding the
published DuckDB open keep reading the old file; they never block the pipeline, which writes only its own
working database.

The renames themselves are journalled: the new manifest is written as manifest.json.next before the first
rename and renamed to manifest.json after the last. A process killed between two renames leaves the
.next manifest and the checked temporary files of the renames not yet done; the next publish finishes them
(roll forward) before anything else, so the manifest and the files agree again. Published files are made
readable by the group (and never writable by others), whatever the umask.
"""
from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from warehouse.build_plan import last_build
from warehouse.db import connect
from warehouse.paths import DataPaths

PUBLISHED_SCHEMAS = ("marts", "metrics")
MANIFEST_SCHEMA_VERSION = 1
TMP_SUFFIX = ".tmp-publish"
NEXT_MANIFEST = "manifest.json.next"  # the journal of a publish that has started renaming


class PublishError(RuntimeError):
    pass


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _clean_leftovers(folder: Path) -> None:
    for leftover in folder.glob(f"*{TMP_SUFFIX}*"):
        leftover.unlink()


def published_tables(con) -> list[tuple[str, str]]:
    return con.execute(
        """SELECT table_schema, table_name FROM information_schema.tables
           WHERE table_schema IN (SELECT unnest(?::VARCHAR[])) AND table_type = 'BASE TABLE'
           ORDER BY table_schema, table_name""", [list(PUBLISHED_SCHEMAS)]).fetchall()


def _quote(identifier: str) -> str:
    # Identifiers come from information_schema of our own schemas; quoting keeps any name literal.
    return '"' + identifier.replace('"', '""') + '"'


def _content_fingerprint(con, relation: str, columns: list) -> str:
    """Rows, columns and an order-free hash of every row: equal for equal contents (a run-only build leaves
    the marts as they were), different after any change of a value, a row or a column."""
    rows, row_hash = con.execute(f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {relation} AS t").fetchone()
    return hashlib.sha256(json.dumps([rows, str(row_hash), [c[:2] for c in columns]]).encode()).hexdigest()


def _unchanged_entry(previous: dict | None, schema: str, content: str, target: Path) -> dict | None:
    """The previous publication's entry when the table's content and its file are as they were then."""
    if not previous or (previous.get("schema"), previous.get("content")) != (schema, content) or not target.is_file():
        return None
    return previous if _sha256_file(target) == previous.get("sha256") else None


def _stage_parquet(con, schema: str, table: str, target: Path, staged: list[tuple[Path, Path]], run_id: str,
                   previous: dict | None = None) -> dict:
    """Write the table beside `target` under a temporary name and check it; the rename comes later. A table
    whose content equals that of the previous publication keeps its file (and entry), unwritten."""
    relation = f"{_quote(schema)}.{_quote(table)}"
    columns = con.execute(f"DESCRIBE {relation}").fetchall()
    content = _content_fingerprint(con, relation, columns)
    unchanged = _unchanged_entry(previous, schema, content, target)
    if unchanged is not None:
        return unchanged
    tmp = target.with_name(target.name + TMP_SUFFIX)
    staged.append((tmp, target))  # registered first, so a failure below still cleans it up
    expected_rows = con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0]
    try:
        con.execute(f"COPY {relation} TO '{_sql_path(tmp)}' (FORMAT parquet, COMPRESSION zstd)")
    except Exception as exc:
        raise PublishError(f"writing Parquet for {schema}.{table} to {tmp} failed: {exc}") from exc
    written_rows = con.execute("SELECT count(*) FROM read_parquet(?)", [str(tmp)]).fetchone()[0]
    written_cols = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(tmp)]).fetchall()]
    if written_rows != expected_rows or written_cols != [c[0] for c in columns]:
        raise PublishError(f"Parquet check failed for {schema}.{table}: "
                           f"{written_rows} rows / {written_cols} written, expected {expected_rows} rows")
    return {"table": table, "schema": schema, "rows": expected_rows,
            "columns": [{"name": c[0], "type": c[1]} for c in columns],
            "path": f"parquet/{target.name}", "sha256": _sha256_file(tmp), "content": content,
            "written_in_run": run_id}


def _previous_entries(paths: DataPaths) -> dict[str, dict]:
    """The tables of the current publication by name ({} when there is none or it cannot be read)."""
    try:
        manifest = json.loads(paths.published_manifest.read_text(encoding="utf-8"))
        return {t["table"]: t for t in manifest["tables"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _stage_duckdb_copy(con, tables: list[tuple[str, str]], target: Path, staged: list[tuple[Path, Path]]) -> None:
    tmp = target.with_name(target.name + TMP_SUFFIX)
    tmp.unlink(missing_ok=True)
    staged.append((tmp, target))
    try:
        con.execute(f"ATTACH '{_sql_path(tmp)}' AS pub")
    except duckdb.Error as exc:
        raise PublishError(f"writing the DuckDB copy to {tmp} failed: {exc}") from exc
    try:
        for schema in sorted({s for s, _ in tables}):
            con.execute(f"CREATE SCHEMA pub.{_quote(schema)}")
        for schema, table in tables:
            con.execute(f"CREATE TABLE pub.{_quote(schema)}.{_quote(table)} AS "
                        f"SELECT * FROM {_quote(schema)}.{_quote(table)}")
    except duckdb.Error as exc:
        raise PublishError(f"writing the DuckDB copy to {tmp} failed: {exc}") from exc
    finally:
        con.execute("DETACH pub")


def _sql_path(path: Path) -> str:
    # COPY and ATTACH take the path as a string literal
    return str(path).replace("'", "''")


def _share_with_group(path: Path, extra: int = 0o040) -> None:
    """Group may read (and enter, for folders); others may never write."""
    mode = path.stat().st_mode & 0o777
    os.chmod(path, (mode | 0o600 | extra) & ~0o002)


def _finish_renames(paths: DataPaths) -> None:
    """Roll an interrupted publish forward: its temporary files were all written and checked before the
    journal (manifest.json.next) was, so each one left is renamed over its target, then the manifest."""
    journal = paths.published / NEXT_MANIFEST
    manifest = json.loads(journal.read_text(encoding="utf-8"))
    for folder in (paths.parquet, paths.published):
        for tmp in sorted(folder.glob(f"*{TMP_SUFFIX}")):
            os.replace(tmp, tmp.with_name(tmp.name[:-len(TMP_SUFFIX)]))
    _remove_unpublished_parquet(paths.parquet, {Path(t["path"]).name for t in manifest["tables"]})
    _share_with_group(journal)
    os.replace(journal, paths.published_manifest)


def recover_interrupted_publish(paths: DataPaths) -> bool:
    """Finish a publish that was killed while renaming (True), or do nothing (False)."""
    if not (paths.published / NEXT_MANIFEST).exists():
        return False
    _finish_renames(paths)
    return True


def _remove_unpublished_parquet(folder: Path, published: set[str]) -> None:
    """Parquet files of tables that are no longer published would mislead a BI tool: remove them."""
    for path in folder.glob("*.parquet"):
        if path.name not in published:
            path.unlink()


def _write_json_atomically(payload: dict, target: Path) -> None:
    tmp = target.with_name(target.name + TMP_SUFFIX)
    tmp.write_text(json.dumps(payload, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, target)


def _build_entry(db: Path, run_id: str) -> dict | None:
    """How dbt built this run (warehouse/build_plan.py): a run-only build says which run the marts are from."""
    build = last_build(db, run_id)
    if build is None or build["run_id"] != run_id:
        return None
    return {"kind": build["kind"], "reason": build["reason"], "content_as_of_run": build["content_run_id"]}


def publish(paths: DataPaths, run_id: str) -> dict:
    """Publish every marts/metrics table; returns the manifest written."""
    for folder in (paths.published, paths.parquet):
        if folder.exists() and not folder.is_dir():
            raise PublishError(f"cannot write the publication: {folder} is a file, not a folder; "
                               f"the previous publication is left as it was")
    try:
        paths.parquet.mkdir(parents=True, exist_ok=True)
        recover_interrupted_publish(paths)
    except OSError as exc:
        raise PublishError(f"cannot write the publication under {paths.published}: {exc}; "
                           f"the previous publication is left as it was") from exc
    _clean_leftovers(paths.parquet)
    _clean_leftovers(paths.published)
    staged: list[tuple[Path, Path]] = []  # (temporary file, target) written and checked, not yet renamed
    try:
        with connect(paths.working_db) as con:  # the pipeline's own file; it also attaches the new copy
            tables = published_tables(con)
            if not tables:
                raise PublishError(
                    f"nothing to publish: no tables in schemas {PUBLISHED_SCHEMAS} of {paths.working_db}")
            names = [t for _, t in tables]
            if len(set(names)) != len(names):
                raise PublishError(f"two published tables share a name (one Parquet file each): {sorted(names)}")
            previous = _previous_entries(paths)
            entries = [_stage_parquet(con, s, t, paths.parquet / f"{t}.parquet", staged, run_id, previous.get(t))
                       for s, t in tables]
            _stage_duckdb_copy(con, tables, paths.published_db, staged)
        manifest = {"schema_version": MANIFEST_SCHEMA_VERSION, "run_id": run_id,
                    "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "duckdb": paths.published_db.name, "build": _build_entry(paths.working_db, run_id),
                    "tables": entries}
        for tmp, _ in staged:
            _share_with_group(tmp)
        _write_json_atomically(manifest, paths.published / NEXT_MANIFEST)  # the journal: renames start now
    except BaseException as exc:
        for tmp, _ in staged:  # nothing was renamed yet: the previous publication is untouched
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):  # disk full, read-only or unwritable folder
            raise PublishError(f"writing the publication under {paths.published} failed: {exc}; "
                               f"the previous publication is left as it was") from exc
        raise
    _finish_renames(paths)
    for folder in (paths.published, paths.parquet):
        _share_with_group(folder, extra=0o050)
    return manifest
