"""Short-lived DuckDB connections to the working database (its layout: warehouse/migrations/)."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

# The PyPI wheel has json and parquet built in; anything else would try to download.
_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


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


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[list], columns: str | None = None) -> None:
    """INSERT many rows in one statement, each column bound as one list: DuckDB's executemany binds row by
    row (about 2 ms a row; 1M rows would take over half an hour), this takes seconds. NULLs stay NULL."""
    if not rows:
        return
    width = len(rows[0])
    target = f"{table} ({columns})" if columns else table
    select = ", ".join(f"unnest(${i + 1})" for i in range(width))
    con.execute(f"INSERT INTO {target} SELECT {select}", [list(column) for column in zip(*rows)])
