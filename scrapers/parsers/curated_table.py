"""Members from a curated table (CSV or XLSX) kept with the project or published by a network.

For networks that publish no list, a person builds the table from cited sources, one row per member with
the row's own source URL, so provenance stays per member.

Options:
  columns        {field: column header}; fields: name (required), country, role, joined, left (the date a
                 source gives for a departure: the row is a past member), member_kind, source_url. A mapped
                 header missing from the file is a ParseError naming file and column.
                 With source_url mapped, every row must name its source (MemberMention.source_url);
                 otherwise the file's own URL is the source.
  sheet          XLSX only: sheet name (default: the first sheet)
  role_map, default_role   see common.map_role
  kind_map       {value: member_kind}; without it the member_kind cell is taken as written
Cells are read as text and kept verbatim (after the usual whitespace/markup cleaning): a name that looks
like a formula ("=HYPERLINK(...)") is a name, never evaluated. XLSX is read with openpyxl, read-only.
"""
from __future__ import annotations

import codecs
import csv
import io
import zipfile
from datetime import date, datetime

from scrapers.model import FetchedResponse, MemberMention
from scrapers.parsers.common import (
    ParseError,
    clean_name,
    clean_text,
    decode_body,
    map_kind,
    map_role,
    normalize_joined,
    optional_text,
    source_url,
)

FIELDS = ("name", "country", "role", "joined", "left", "member_kind", "source_url")
_ZIP_MAGIC = b"PK\x03\x04"  # an XLSX file is a zip archive


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a year typed into a spreadsheet comes back as 2019.0
    return str(value)


def _csv_rows(response: FetchedResponse) -> list[list[str]]:
    if response.body.startswith(codecs.BOM_UTF8):  # spreadsheet exports often start with a BOM
        text = response.body.decode("utf-8-sig", errors="replace")
    else:
        text = decode_body(response)
    return list(csv.reader(io.StringIO(text, newline="")))


def _xlsx_rows(response: FetchedResponse, sheet: str | None, url: str) -> list[list[str]]:
    from openpyxl import load_workbook  # only XLSX sources need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # data_only=False: a formula cell comes back as its formula text, never a computed value
        workbook = load_workbook(io.BytesIO(response.body), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ParseError(f"curated table {url} is not a readable XLSX workbook: {exc}") from exc
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise ParseError(f"curated table {url} has no sheet {sheet!r}; sheets are {workbook.sheetnames}")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        return [[_cell_text(v) for v in row] for row in worksheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _column_indexes(header: list[str], columns: dict, url: str) -> dict[str, int]:
    folded = [clean_text(h).casefold() for h in header]
    indexes = {}
    for field, wanted in columns.items():
        try:
            indexes[field] = folded.index(clean_text(wanted).casefold())
        except ValueError:
            raise ParseError(f"curated table {url} has no column {wanted!r} (mapped to {field}); "
                             f"columns are {header}") from None
    return indexes


class CuratedTableParser:
    name = "curated_table"
    version = "1"

    def parse(self, response: FetchedResponse, options: dict) -> list[MemberMention]:
        url = source_url(response)
        columns = options.get("columns")
        if not isinstance(columns, dict) or not columns.get("name"):
            raise ParseError(f"parser curated_table needs option columns with a 'name' column (parsing {url})")
        unknown = sorted(set(columns) - set(FIELDS))
        if unknown:
            raise ParseError(f"curated_table columns {unknown} are not fields {list(FIELDS)} (parsing {url})")
        if response.body.startswith(_ZIP_MAGIC):
            rows = _xlsx_rows(response, options.get("sheet"), url)
        else:
            rows = _csv_rows(response)
        rows = [r for r in rows if any(clean_text(c) for c in r)]  # blank lines and trailing empty rows
        if not rows:
            raise ParseError(f"curated table {url} is empty (no header row)")
        indexes = _column_indexes(rows[0], columns, url)
        kind_map = options.get("kind_map")
        mentions: list[MemberMention] = []
        for line, row in enumerate(rows[1:], start=2):
            def cell(field):
                index = indexes.get(field)
                return row[index] if index is not None and index < len(row) else ""

            name = clean_name(cell("name"))
            if not name:
                continue
            row_source = url
            if "source_url" in indexes:
                row_source = clean_text(cell("source_url"))
                if not row_source:
                    raise ParseError(f"curated table {url} row {line} ({name!r}) has no source in column "
                                     f"{columns['source_url']!r}")
            kind = cell("member_kind")
            mentions.append(MemberMention(
                member_name=name,
                country=optional_text(cell("country")),
                role=map_role(cell("role"), options),
                joined=normalize_joined(cell("joined")),
                left_on=normalize_joined(cell("left")),
                member_kind=map_kind(kind, kind_map) if kind_map else optional_text(kind),
                source_url=row_source,
            ))
        return mentions
