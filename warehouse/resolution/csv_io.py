"""`tcn resolve`: resolve a CSV of names (name, country_code, any other columns) with the pipeline's resolver.

Every input row comes out, in order, with its columns kept and the resolution appended; unresolved rows
have a blank geonameid (never dropped), and their member_kind and method say why.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import TextIO

from warehouse.cells import safe_cell
from warehouse.resolution.resolver import Resolver

OUTPUT_COLUMNS = ["geonameid", "matched_name", "matched_country", "population", "member_kind", "method", "score",
                  "admin_geonameid", "denotes", "reason"]


def resolve_csv(input_path: Path, output: TextIO, resolver: Resolver) -> dict:
    """Write `input_path`'s rows with the resolution columns to `output`; returns counts."""
    input_path = Path(input_path)
    if not input_path.is_file():
        raise ValueError(f"{input_path}: no such file")
    counts = {"rows": 0, "resolved": 0}
    with input_path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        columns = reader.fieldnames or []
        if "name" not in columns:
            raise ValueError(f"{input_path}: needs a 'name' column (and optionally 'country_code', 'place'); "
                             f"found {', '.join(columns) or 'no header'}")
        clash = [c for c in OUTPUT_COLUMNS if c in columns]
        if clash:
            raise ValueError(f"{input_path}: already has output column(s) {', '.join(clash)}; rename them")
        # CRLF rows (RFC 4180): a field holding a bare CR is then quoted too, instead of breaking its row
        writer = csv.writer(output, lineterminator="\r\n")
        writer.writerow([safe_cell(c) for c in (*columns, *OUTPUT_COLUMNS)])
        for line, row in enumerate(reader, start=2):
            if None in row:
                raise ValueError(f"{input_path}:{line}: more fields than the header has")
            d = resolver.resolve(row["name"] or "", (row.get("country_code") or "").strip() or None,
                                 place=row.get("place"))
            counts["rows"] += 1
            counts["resolved"] += d.geonameid is not None
            writer.writerow([safe_cell(cell) for cell in (
                *(row[c] for c in columns),
                d.geonameid, d.matched_name, d.matched_country, d.population, d.member_kind, d.method,
                f"{d.score:.3f}", d.admin_geonameid, d.denotes, d.reason)])
    return counts


def resolve_file(input_path: Path, output_path: Path | None, resolver: Resolver) -> dict:
    """Resolve into `output_path` (written whole or not at all), or to stdout when None."""
    if output_path is None:
        return resolve_csv(input_path, sys.stdout, resolver)
    output_path = Path(output_path)
    tmp = output_path.with_name(output_path.name + ".partial")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as out:
            counts = resolve_csv(input_path, out, resolver)
        tmp.replace(output_path)
    finally:
        tmp.unlink(missing_ok=True)
    return counts
