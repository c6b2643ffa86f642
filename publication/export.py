"""`tcn export`: the publication's tables for spreadsheets, in a folder of the user's choosing.

It reads the published DuckDB copy (read-only, so it never blocks a refresh; a refresh renames a new copy over
it and this export keeps reading the one it opened) and writes with the same code the publish step uses
for data/published/warehouse.xlsx (warehouse/spreadsheet.py).
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb

from publication.reader import Publication
from warehouse.spreadsheet import (COLUMNS_SHEET, SpreadsheetError, catalog_tables, write_csv,
                                   write_descriptions_csv, write_workbook)

FORMATS = ("csv", "xlsx")


def export_publication(publication: Publication, fmt: str, out_dir: Path, schemas: tuple[str, ...]) -> list[Path]:
    """The published DuckDB as warehouse.xlsx, or as one CSV per table plus column_descriptions.csv, in
    `out_dir`; returns the files written. Each file is written under a temporary name and renamed, so an
    export that fails leaves no half file."""
    if fmt not in FORMATS:
        raise SpreadsheetError(f"unknown export format {fmt!r}: csv or xlsx")
    published_db = publication.duckdb
    if not published_db.is_file():
        raise SpreadsheetError(f"no publication at {published_db}: run `tcn refresh` first")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise SpreadsheetError(f"--out {out_dir} is a file, not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{str(published_db).replace(chr(39), chr(39) * 2)}' AS publication (READ_ONLY)")
        tables = catalog_tables(con, "publication", schemas)
        if not tables:
            raise SpreadsheetError(f"{published_db} holds no tables in {', '.join(schemas)}")
        planned = []  # (target, how to write it to a given path)
        if fmt == "xlsx":
            planned.append((out_dir / "warehouse.xlsx", lambda tmp: write_workbook(con, "publication", tables, tmp)))
        else:
            planned.append((out_dir / f"{COLUMNS_SHEET}.csv",
                            lambda tmp: write_descriptions_csv(con, "publication", tables, tmp)))
            for schema, table, _ in tables:
                planned.append((out_dir / f"{table}.csv",
                                lambda tmp, s=schema, t=table: write_csv(con, "publication", s, t, tmp)))
        written = []
        for target, write in planned:
            tmp = target.with_name(target.name + ".tmp-export")
            try:
                write(tmp)
                os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
            written.append(target)
    return written
