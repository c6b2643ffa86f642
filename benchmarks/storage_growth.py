"""What a data directory holds after each of several refreshes: rows per table and bytes on disk.

    .venv/bin/python -m benchmarks.storage_growth --runs 3            # bundled snapshots, a new temp data dir
    .venv/bin/python -m benchmarks.storage_growth --data-dir DIR      # only measure DIR as it is

Each refresh is the real `tcn refresh` (replay). After each one the working database is opened read-only (no
refresh is running then) and every table of every schema is counted, so tables that the code adds or renames
show up without a change here. docs/scaling.md quotes its output.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from warehouse.paths import data_paths


def folder_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def table_rows(db: Path) -> dict[str, int]:
    """Rows of every base table, keyed schema.table (counted through the relation API: no SQL text is built)."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = con.execute("""SELECT table_schema, table_name FROM information_schema.tables
                               WHERE table_type = 'BASE TABLE' ORDER BY 1, 2""").fetchall()
        return {f"{s}.{t}": con.table(f"{s}.{t}").aggregate("count(*)").fetchall()[0][0] for s, t in names}


def footprint(root: Path) -> dict[str, int]:
    paths = data_paths(root)
    return {"working database": folder_bytes(paths.working_db),
            "published DuckDB copy": folder_bytes(paths.published_db),
            "published Parquet": folder_bytes(paths.parquet),
            "Dagster history": folder_bytes(paths.dagster_home),
            "whole data dir": folder_bytes(root)}


def refresh(root: Path) -> None:
    tcn = Path(sys.executable).with_name("tcn")
    env = {**os.environ, "TCN_DATA_DIR": str(root)}
    done = subprocess.run([str(tcn), "refresh"], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"tcn refresh into {root} failed (exit {done.returncode}):\n{done.stdout[-2000:]}"
                         f"{done.stderr[-2000:]}")


def print_table(snapshots: list[tuple[dict, dict]]) -> None:
    runs = len(snapshots)
    header = "| | " + " | ".join(f"after run {i + 1}" for i in range(runs))
    header += " | per extra run |" if runs > 1 else " |"
    print(header)
    print("|---|" + "---:|" * (runs + (1 if runs > 1 else 0)))
    for part in ("sizes", "rows"):
        keys = sorted({k for snap in snapshots for k in snap[0 if part == "sizes" else 1]})
        for key in keys:
            values = [snap[0 if part == "sizes" else 1].get(key, 0) for snap in snapshots]
            shown = [f"{v / 1e6:.1f} MB" if part == "sizes" else f"{v:,}" for v in values]
            line = f"| {key} | " + " | ".join(shown)
            if runs > 1:
                step = (values[-1] - values[1]) / (runs - 2) if runs > 2 else values[1] - values[0]
                line += f" | {step / 1e6:+.2f} MB" if part == "sizes" else f" | {step:+,.0f}"
            print(line + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="refreshes of the bundled snapshots (default 3)")
    parser.add_argument("--data-dir", help="measure this data dir as it is, without refreshing")
    args = parser.parse_args(argv)
    if args.data_dir:
        root = Path(args.data_dir)
        if not data_paths(root).working_db.exists():
            raise SystemExit(f"{root}: no working database (warehouse.duckdb) to measure")
        print_table([(footprint(root), table_rows(data_paths(root).working_db))])
        return 0
    if args.runs < 1:
        raise SystemExit(f"--runs {args.runs}: needs at least one refresh")
    with tempfile.TemporaryDirectory(prefix="tcn-storage-") as tmp:
        root = Path(tmp)
        snapshots = []
        for i in range(args.runs):
            refresh(root)
            snapshots.append((footprint(root), table_rows(data_paths(root).working_db)))
            print(f"run {i + 1} measured", file=sys.stderr)
        # the last column is the mean growth of the no-change runs after the second (the first loads the
        # gazetteer, the second is the first run with a previous one to compare with)
        print_table(snapshots)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
