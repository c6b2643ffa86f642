"""Publish marts and metrics for analysts and BI: Parquet per table, a DuckDB copy, an Excel workbook (or
CSVs, when a table is over Excel's row limit) and manifest.json.

The DuckDB copy is written in DuckDB 1.x's storage format (any 1.x client opens it), with dbt's descriptions
as table and column comments and the contract's NOT NULLs; the workbook is written from that copy
(warehouse/spreadsheet.py), so it shows the same tables and descriptions.

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
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from warehouse.build_plan import last_build
from warehouse.db import connect
from warehouse.paths import DataPaths
from warehouse.spreadsheet import (COLUMNS_SHEET, WORKBOOK_FORMAT, SpreadsheetError, catalog_tables,
                                   over_row_limit, sheet_names, write_csv, write_descriptions_csv,
                                   write_workbook)
from warehouse.table_docs import TableDoc

PUBLISHED_SCHEMAS = ("marts", "metrics")
MANIFEST_SCHEMA_VERSION = 1
# The oldest storage format of DuckDB 1.x: DuckDB 1.0 and every later client (the CLI from the package
# registry, the drivers BI tools bundle) opens the copy; DuckDB 2.0's own format would lock all of them out.
PUBLISHED_STORAGE_VERSION = "v1.0.0"
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


def _stage_duckdb_copy(con, tables: list[tuple[str, str]], target: Path, staged: list[tuple[Path, Path]],
                       docs: dict[tuple[str, str], TableDoc]) -> None:
    """The DuckDB copy, in a storage format DuckDB 1.x reads, with every table and column commented from dbt
    and NOT NULL wherever the working table or the dbt contract has it (CREATE TABLE AS keeps neither)."""
    tmp = target.with_name(target.name + TMP_SUFFIX)
    tmp.unlink(missing_ok=True)
    staged.append((tmp, target))
    try:
        con.execute(f"ATTACH '{_sql_path(tmp)}' AS pub (STORAGE_VERSION '{PUBLISHED_STORAGE_VERSION}')")
    except duckdb.Error as exc:
        raise PublishError(f"writing the DuckDB copy to {tmp} failed: {exc}") from exc
    try:
        con.execute("BEGIN")  # one commit for the whole copy: a commit per COMMENT ON cost ~2 s
        for schema in sorted({s for s, _ in tables}):
            con.execute(f"CREATE SCHEMA pub.{_quote(schema)}")
        for schema, table in tables:
            con.execute(f"CREATE TABLE pub.{_quote(schema)}.{_quote(table)} AS "
                        f"SELECT * FROM {_quote(schema)}.{_quote(table)}")
            _document_copy(con, schema, table, docs.get((schema, table), TableDoc()))
        con.execute("COMMIT")
    except BaseException as exc:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:  # the failure was the COMMIT itself: nothing left to roll back
            pass
        if isinstance(exc, duckdb.Error):
            raise PublishError(f"writing the DuckDB copy to {tmp} failed: {exc}") from exc
        raise
    finally:
        con.execute("DETACH pub")


def _document_copy(con, schema: str, table: str, doc: TableDoc) -> None:
    """COMMENT ON the copied table and its columns (dbt's description, else the working table's own comment),
    and NOT NULL on the columns the working table or the dbt contract declares so."""
    relation = f"pub.{_quote(schema)}.{_quote(table)}"
    table_comment = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ? "
        "AND table_name = ?", [schema, table]).fetchone()
    description = doc.description or (table_comment[0] if table_comment else None) or ""
    if description:
        con.execute(f"COMMENT ON TABLE {relation} IS {_sql_literal(description)}")
    columns = con.execute(
        "SELECT column_name, comment, is_nullable FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ? ORDER BY column_index", [schema, table]).fetchall()
    for column, comment, nullable in columns:
        text = doc.columns.get(column) or comment or ""
        if text:
            con.execute(f"COMMENT ON COLUMN {relation}.{_quote(column)} IS {_sql_literal(text)}")
        if not nullable or column in doc.not_null:
            try:
                con.execute(f"ALTER TABLE {relation} ALTER COLUMN {_quote(column)} SET NOT NULL")
            except duckdb.Error as exc:
                raise PublishError(f"{schema}.{table}.{column} is NOT NULL in the dbt contract but holds a "
                                   f"NULL: {exc}") from exc


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _kept_sheets(paths: DataPaths, entries: list[dict], run_id: str) -> dict[str, bytes]:
    """The sheets of the current workbook whose tables this publish keeps as they were (table -> sheet XML):
    a run in which only the run-keyed tables changed rebuilds only their sheets. Nothing when the workbook
    is not the one the manifest describes, or was written in another format."""
    try:
        previous = json.loads(paths.published_manifest.read_text(encoding="utf-8")).get("workbook") or {}
        if previous.get("format") != WORKBOOK_FORMAT or _sha256_file(paths.workbook) != previous.get("sha256"):
            return {}
        sheets = sheet_names([(e["schema"], e["table"], "") for e in entries])
        unchanged = {sheets[e["table"]] for e in entries if e["written_in_run"] != run_id}
        with zipfile.ZipFile(paths.workbook) as old:
            return {sheet: old.read(f"xl/worksheets/sheet{number}.xml")
                    for number, sheet in enumerate(previous["sheets"], start=1) if sheet in unchanged}
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile):
        return {}


def _stage_spreadsheets(con, paths: DataPaths, staged: list[tuple[Path, Path]],
                        kept: dict[str, bytes]) -> dict:
    """The workbook of the DuckDB copy just staged (so it shows exactly the copy, comments as descriptions), or,
    when a table is over Excel's row limit, one CSV per table and the reason; the manifest's entries. The
    sheets in `kept` (_kept_sheets) are copied from the current workbook."""
    copy = paths.published_db.with_name(paths.published_db.name + TMP_SUFFIX)
    con.execute(f"ATTACH '{_sql_path(copy)}' AS pub_copy (READ_ONLY)")
    try:
        tables = catalog_tables(con, "pub_copy", PUBLISHED_SCHEMAS)
        too_many = over_row_limit(con, "pub_copy", tables)
        if too_many is None:
            tmp = paths.workbook.with_name(paths.workbook.name + TMP_SUFFIX)
            staged.append((tmp, paths.workbook))
            sheets = write_workbook(con, "pub_copy", tables, tmp, kept)
            return {"workbook": {"path": paths.workbook.name, "sheets": sheets, "sha256": _sha256_file(tmp),
                                 "format": WORKBOOK_FORMAT, "sheets_kept": sorted(kept)}, "csv": []}
        paths.published_csv.mkdir(exist_ok=True)
        files = []
        for schema, table, _ in tables:
            target = paths.published_csv / f"{table}.csv"
            tmp = target.with_name(target.name + TMP_SUFFIX)
            staged.append((tmp, target))
            write_csv(con, "pub_copy", schema, table, tmp)
            files.append({"table": table, "path": f"{paths.published_csv.name}/{target.name}",
                          "sha256": _sha256_file(tmp)})
        target = paths.published_csv / f"{COLUMNS_SHEET}.csv"
        tmp = target.with_name(target.name + TMP_SUFFIX)
        staged.append((tmp, target))
        write_descriptions_csv(con, "pub_copy", tables, tmp)
        return {"workbook": None, "workbook_skipped": too_many, "csv": files}
    except (duckdb.Error, SpreadsheetError) as exc:
        raise PublishError(f"writing the spreadsheet files failed: {exc}") from exc
    finally:
        con.execute("DETACH pub_copy")


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
    for folder in (paths.parquet, paths.published, paths.published_csv):
        for tmp in sorted(folder.glob(f"*{TMP_SUFFIX}")):
            os.replace(tmp, tmp.with_name(tmp.name[:-len(TMP_SUFFIX)]))
    _remove_unpublished_parquet(paths.parquet, {Path(t["path"]).name for t in manifest["tables"]})
    _remove_stale_spreadsheets(paths, manifest)
    _share_with_group(journal)
    if paths.published_csv.is_dir():
        _share_with_group(paths.published_csv, extra=0o050)
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


def _remove_stale_spreadsheets(paths: DataPaths, manifest: dict) -> None:
    """A workbook or CSVs of an earlier run would disagree with this one: only the manifest's stay."""
    if not manifest.get("workbook"):
        paths.workbook.unlink(missing_ok=True)
    if paths.published_csv.is_dir():
        keep = {Path(f["path"]).name for f in manifest.get("csv") or []}
        for path in paths.published_csv.glob("*.csv"):
            if path.name not in keep and not (keep and path.name == f"{COLUMNS_SHEET}.csv"):
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


def publish(paths: DataPaths, run_id: str, docs: dict[tuple[str, str], TableDoc] | None = None) -> dict:
    """Publish every marts/metrics table; returns the manifest written. `docs` (warehouse/table_docs.py) are
    dbt's descriptions and contract NOT NULLs, carried into the DuckDB copy."""
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
    for folder in (paths.parquet, paths.published, paths.published_csv):
        _clean_leftovers(folder)
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
            _stage_duckdb_copy(con, tables, paths.published_db, staged, docs or {})
            spreadsheets = _stage_spreadsheets(con, paths, staged, _kept_sheets(paths, entries, run_id))
        manifest = {"schema_version": MANIFEST_SCHEMA_VERSION, "run_id": run_id,
                    "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "duckdb": paths.published_db.name, "duckdb_storage_version": PUBLISHED_STORAGE_VERSION,
                    "build": _build_entry(paths.working_db, run_id),
                    "tables": entries, **spreadsheets}
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
