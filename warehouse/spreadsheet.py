"""The published tables for spreadsheet users: one Excel workbook (a sheet per table and a sheet of column
descriptions), or one CSV per table when a table is over Excel's row limit.

Both read a DuckDB catalog (the published copy, attached) so they show exactly what the copy holds, with its
comments as the column descriptions. Values keep their types: integers (nullable ones too) stay integers,
dates stay dates; lists become "a; b; c" text; TIMESTAMPTZ values are written in UTC. A text cell starting
with = + - @ (or a tab / carriage return) gets a leading apostrophe: a spreadsheet would otherwise run it as a
formula ("=HYPERLINK(...)" in a scraped name; OWASP CSV injection).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from warehouse.cells import FORMULA_START_SQL, safe_cell
from warehouse.xlsx_writer import Workbook

WORKBOOK_FORMAT = 1  # of the sheets write_workbook writes: a sheet of another format is never kept
EXCEL_MAX_ROWS = 1_048_576  # rows per sheet, the header included
EXCEL_MAX_CELL_CHARS = 32_767
COLUMNS_SHEET = "column_descriptions"
LIST_SEPARATOR = "; "
UTF8_BOM = b"\xef\xbb\xbf"  # Excel reads a CSV as UTF-8 only when it starts with one
# characters an XML 1.0 document (so an .xlsx cell) cannot hold: dropped from workbook cells
ILLEGAL_CHARACTERS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ILLEGAL_CHARACTERS_SQL = "[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x{FFFE}\\x{FFFF}]"  # the same, in RE2
# Types written as they are; every other type (text, JSON, UUID, lists, structs, ...) is written as text.
_KEPT_TYPES = ("BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER",
               "UBIGINT", "FLOAT", "DOUBLE", "DATE", "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS",
               "TIME")


class SpreadsheetError(RuntimeError):
    pass


class TooManyRows(SpreadsheetError):
    pass


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _neutralised(text_sql: str) -> str:
    return (f"CASE WHEN regexp_matches({text_sql}, '{FORMULA_START_SQL}') THEN chr(39) || {text_sql} "
            f"ELSE {text_sql} END")


def _cell_sql(column: str, data_type: str, fmt: str) -> str:
    """A select expression for one column: its value as a spreadsheet should get it."""
    ref = _quote(column)
    if data_type in _KEPT_TYPES or data_type.startswith("DECIMAL"):
        return ref
    if data_type == "TIMESTAMP WITH TIME ZONE":
        utc = f"timezone('UTC', {ref})"  # a plain timestamp, in UTC: Excel has no time zones
        return f"{utc} AS {ref}" if fmt == "xlsx" else f"strftime({utc}, '%Y-%m-%dT%H:%M:%S.%fZ') AS {ref}"
    if data_type.endswith("]"):  # a LIST (T[]) or ARRAY (T[n])
        text = f"array_to_string({ref}::{data_type.rsplit('[', 1)[0]}[], '{LIST_SEPARATOR}')"
    elif data_type.startswith(("STRUCT", "MAP", "UNION")):
        text = f"to_json({ref})::VARCHAR"
    else:
        text = f"{ref}::VARCHAR"
    if fmt == "xlsx":  # what a cell cannot hold, dropped here rather than value by value in Python
        text = f"regexp_replace({text}, '{ILLEGAL_CHARACTERS_SQL}', '', 'g')"
        text = (f"CASE WHEN length({text}) > {EXCEL_MAX_CELL_CHARS} "
                f"THEN left({text}, {EXCEL_MAX_CELL_CHARS - 1}) || '…' ELSE {text} END")
    return f"{_neutralised(text)} AS {ref}"


def catalog_tables(con, catalog: str, schemas: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(schema, table, comment) of the catalog's tables in `schemas`, in schema and name order."""
    return con.execute(
        "SELECT schema_name, table_name, coalesce(comment, '') FROM duckdb_tables() WHERE database_name = ? "
        "AND list_contains(?, schema_name) ORDER BY schema_name, table_name", [catalog, list(schemas)]).fetchall()


def _columns(con, catalog: str, schema: str, table: str) -> list[tuple[str, str, bool, str]]:
    return con.execute(
        "SELECT column_name, data_type, is_nullable, coalesce(comment, '') FROM duckdb_columns() "
        "WHERE database_name = ? AND schema_name = ? AND table_name = ? ORDER BY column_index",
        [catalog, schema, table]).fetchall()


def _select(con, catalog: str, schema: str, table: str, fmt: str) -> str:
    cells = ", ".join(_cell_sql(name, data_type, fmt) for name, data_type, _, _ in _columns(con, catalog, schema, table))
    return f"SELECT {cells} FROM {_quote(catalog)}.{_quote(schema)}.{_quote(table)}"


def _row_counts(con, catalog: str, tables) -> dict[tuple[str, str], int]:
    return {(schema, table): con.execute(
        f"SELECT count(*) FROM {_quote(catalog)}.{_quote(schema)}.{_quote(table)}").fetchone()[0]
        for schema, table, _ in tables}


def over_row_limit(con, catalog: str, tables: list[tuple[str, str, str]]) -> str | None:
    """Why these tables do not fit a workbook (the tables over Excel's limit with their rows), or None."""
    over = [f"{schema}.{table} has {rows:,} rows" for (schema, table), rows in _row_counts(con, catalog, tables).items()
            if rows + 1 > EXCEL_MAX_ROWS]  # + the header row
    if not over:
        return None
    return (f"{'; '.join(over)}: over Excel's limit of {EXCEL_MAX_ROWS:,} rows per sheet (header included), "
            f"so no workbook; use the CSV files")


def _excel_text(value):
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value))  # control characters that the xlsx format cannot hold
        return value if len(value) <= EXCEL_MAX_CELL_CHARS else value[:EXCEL_MAX_CELL_CHARS - 1] + "…"
    return value


def sheet_names(tables) -> dict[str, str]:
    """table -> its sheet's name: the table's own, unless Excel cannot take it (over 31 characters, one of
    []:*?/\\, or the descriptions sheet's name); then a shortened one, unique, listed in that sheet."""
    names: dict[str, str] = {}
    taken = {COLUMNS_SHEET}
    for _, table, _ in tables:
        name = table
        if len(name) > 31 or name in taken or re.search(r"[\[\]:*?/\\]", name):
            base, number = re.sub(r"[\[\]:*?/\\]", "_", table)[:27], 1
            while (name := f"{base}~{number}") in taken:
                number += 1
        names[table] = name
        taken.add(name)
    return names


def _description_rows(con, catalog: str, tables) -> list[list]:
    sheets = sheet_names(tables)
    rows = [["schema", "table", "column", "type", "not_null", "description", "sheet"]]
    for schema, table, comment in tables:
        rows.append([schema, table, None, "TABLE", None, comment, sheets[table]])  # the table itself
        for name, data_type, nullable, description in _columns(con, catalog, schema, table):
            note = " (written in UTC)" if data_type == "TIMESTAMP WITH TIME ZONE" else ""
            if data_type.endswith("]"):
                note = f" (written as text, items separated by '{LIST_SEPARATOR}')"
            rows.append([schema, table, name, data_type + note, not nullable, description, sheets[table]])
    return [[_excel_text(c) for c in row] for row in rows]


def write_workbook(con, catalog: str, tables: list[tuple[str, str, str]], target: Path,
                   kept: dict[str, bytes] | None = None) -> list[str]:
    """One sheet per table (named as the table, see sheet_names) and the column descriptions sheet; returns the
    sheet names.
    `kept`: table -> its sheet's XML from an earlier workbook, used as it is (the table did not change).
    Raises TooManyRows, writing nothing, when a table is over Excel's row limit."""
    reason = over_row_limit(con, catalog, tables)
    if reason:
        raise TooManyRows(reason)
    names = sheet_names(tables)
    counts = _row_counts(con, catalog, tables)
    with Workbook(target) as workbook:
        header, *described = _description_rows(con, catalog, tables)
        workbook.add_sheet(COLUMNS_SHEET, header, described, len(described))
        for schema, table, _ in tables:
            if kept and names[table] in kept:
                workbook.add_sheet_xml(names[table], kept[names[table]])
                continue
            result = con.execute(_select(con, catalog, schema, table, "xlsx"))
            workbook.add_sheet(names[table], [d[0] for d in result.description], _fetched(result),
                               counts[(schema, table)])
    return [COLUMNS_SHEET, *names.values()]


def _fetched(result):
    while batch := result.fetchmany(10_000):
        yield from batch


def write_csv(con, catalog: str, schema: str, table: str, target: Path) -> None:
    """One table as UTF-8 CSV (with a byte-order mark, so Excel reads it as UTF-8); nulls are empty fields."""
    raw = target.with_name(target.name + ".body")
    try:
        path = str(raw).replace("'", "''")
        con.execute(f"COPY ({_select(con, catalog, schema, table, 'csv')}) TO '{path}' (FORMAT csv, HEADER)")
        with target.open("wb") as out, raw.open("rb") as body:
            out.write(UTF8_BOM)
            shutil.copyfileobj(body, out, 1 << 20)
    finally:
        raw.unlink(missing_ok=True)


def write_descriptions_csv(con, catalog: str, tables, target: Path) -> None:
    import csv

    with target.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(_description_rows(con, catalog, tables))
