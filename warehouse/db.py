"""Short-lived DuckDB connections to the working database, with the raw and ref DDL applied."""
from __future__ import annotations

from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Iterator

import duckdb

# The PyPI wheel has json and parquet built in; anything else would try to download.
_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def schema_sql() -> str:
    return resources.files("warehouse").joinpath("raw_schema.sql").read_text(encoding="utf-8")


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open, yield, and always close: a connection left open blocks every other process."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only, config=_CONFIG)
    try:
        yield con
    finally:
        con.close()


def ensure_schema(path: Path) -> None:
    """Create the raw and ref tables if missing (DDL outside any load transaction)."""
    with connect(path) as con:
        _rename_old_mention_table(con)
        con.execute(schema_sql())
        con.execute("CHECKPOINT")


def _rename_old_mention_table(con: duckdb.DuckDBPyConnection) -> None:
    """Data dirs made before content-addressed mentions hold raw.member_mentions as a table: it becomes
    raw.mention_rows (its rows kept), and raw.member_mentions the view over both stores."""
    old = con.execute("""SELECT 1 FROM information_schema.tables WHERE table_schema = 'raw'
                         AND table_name = 'member_mentions' AND table_type = 'BASE TABLE'""").fetchone()
    if old:
        con.execute("ALTER TABLE raw.member_mentions RENAME TO mention_rows")


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[list], columns: str | None = None) -> None:
    """INSERT many rows in one statement, each column bound as one list: DuckDB's executemany binds row by
    row (about 2 ms a row; 1M rows would take over half an hour), this takes seconds. NULLs stay NULL."""
    if not rows:
        return
    width = len(rows[0])
    target = f"{table} ({columns})" if columns else table
    select = ", ".join(f"unnest(${i + 1})" for i in range(width))
    con.execute(f"INSERT INTO {target} SELECT {select}", [list(column) for column in zip(*rows)])
