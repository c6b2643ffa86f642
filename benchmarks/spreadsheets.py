"""What the spreadsheet files cost a publish: the workbook (warehouse/xlsx_writer.py) and the CSVs (DuckDB COPY) of
a synthetic table shaped like fct_membership (20 columns: ids, nullable ids, text, dates, a list).

    python -m benchmarks.spreadsheets [--rows 10000 100000]

Prints rows, seconds and MB for each format.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

from warehouse.spreadsheet import catalog_tables, write_csv, write_workbook


def _table(con, rows: int) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute("""CREATE OR REPLACE TABLE marts.fct_membership AS SELECT
        'network-' || (i % 1000) AS network_id, 'Member name ' || i AS member_name, i AS member_id,
        CASE WHEN i % 3 = 0 THEN NULL ELSE 1000000 + i END AS city_id, 'DE' AS country_code, 'FR' AS country_hint,
        'city' AS member_kind, 'exact' AS method, 0.97 AS score, DATE '2020-01-01' + (i % 2000)::INT AS joined_on,
        'day' AS joined_precision, '2020-01-01' AS joined, 'https://example.org/members/' || i AS source_url,
        ['a', 'b'] AS tags, now() AS first_seen_at, 'run-' || (i % 50) AS run_id, i % 2 = 0 AS is_current,
        'note ' || i AS note, NULL::VARCHAR AS left_text, i * 1.5 AS weight
        FROM range(?) t(i)""", [rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    print(f"{'rows':>9} {'xlsx s':>7} {'xlsx MB':>8} {'csv s':>6} {'csv MB':>7}")
    for rows in args.rows:
        with tempfile.TemporaryDirectory() as folder, duckdb.connect(str(Path(folder) / "w.duckdb")) as con:
            _table(con, rows)
            tables = catalog_tables(con, "w", ("marts",))
            started = time.perf_counter()
            write_workbook(con, "w", tables, Path(folder) / "w.xlsx")
            xlsx_s = time.perf_counter() - started
            started = time.perf_counter()
            write_csv(con, "w", "marts", "fct_membership", Path(folder) / "w.csv")
            csv_s = time.perf_counter() - started
            print(f"{rows:>9,} {xlsx_s:>7.1f} {(Path(folder) / 'w.xlsx').stat().st_size / 1e6:>8.1f} "
                  f"{csv_s:>6.2f} {(Path(folder) / 'w.csv').stat().st_size / 1e6:>7.1f}")


if __name__ == "__main__":
    main()
