"""Members from a curated table (CSV or XLSX) kept with the project or published by a network.

For networks that publish no list, a person builds the table from cited sources, one row per member with
the row's own source URL, so provenance stays per member.

Options:
  columns        {field: column header}; fields: name (required), country, role, joined, left (the date a
                 source gives for a departure: the row is a past member), member_kind, source_url, place (a
                 locality or seat: kept as the mention's attribute `place`, a hint for city resolution). A
                 mapped header missing from the file is a ParseError naming file and column.
                 With source_url mapped, every row must name its source (MemberMention.source_url);
                 otherwise the file's own URL is the source.
  filter         {column header: value}: only the rows whose cell equals the value (case-insensitive) are this
                 source's rows (one file, many networks: `tcn import`); the other rows are not read for it
  encoding, delimiter, sheet   how the bytes are read (scrapers/parsers/table_input.py; detected by default)
  role_map, default_role   see common.map_role
  kind_map       {value: member_kind}; without it the member_kind cell is taken as written
Every row read is accounted for: a mention (with its row number), or refused with the reason (a blank name).
Columns that map to no field (and are not the filter's) are kept as the mention's attributes.
Cells are read as text and kept verbatim (after the usual whitespace/markup cleaning): a name that looks
like a formula ("=HYPERLINK(...)") is a name, never evaluated. XLSX is read with openpyxl, read-only.
"""
from __future__ import annotations

from scrapers.model import FetchedResponse, MemberMention, ParsedMentions, RefusedRow
from scrapers.parsers.common import (
    ParseError,
    clean_name,
    clean_text,
    map_kind,
    map_role,
    normalize_joined,
    optional_text,
    source_url,
)
from scrapers.parsers.table_input import Table, read_table

FIELDS = ("name", "country", "role", "joined", "left", "member_kind", "source_url", "place")


def _column_indexes(header: list[str], columns: dict, url: str, option: str = "columns") -> dict[str, int]:
    folded = [clean_text(h).casefold() for h in header]
    indexes = {}
    for field, wanted in columns.items():
        try:
            indexes[field] = folded.index(clean_text(wanted).casefold())
        except ValueError:
            what = f"mapped to {field}" if option == "columns" else f"named in option {option}"
            raise ParseError(f"curated table {url} has no column {wanted!r} ({what}); "
                             f"columns are {header}") from None
    return indexes


def _filtered_rows(table: Table, options: dict, url: str) -> tuple[list[tuple[int, list[str]]], set[int]]:
    """The rows of this source (all, or those matching option filter), and the filter's column indexes."""
    wanted = options.get("filter") or {}
    if not isinstance(wanted, dict):
        raise ParseError(f"curated_table option filter must map a column header to a value (parsing {url})")
    indexes = _column_indexes(table.header, {str(k): k for k in wanted}, url, option="filter")
    rows = table.rows
    for column, value in wanted.items():
        index = indexes[str(column)]
        if rows is table.rows:
            rows = table.rows_where(index, str(value))
        else:
            rows = [r for r in rows if index < len(r[1]) and clean_text(r[1][index]).casefold()
                    == clean_text(str(value)).casefold()]
    return rows, set(indexes.values())


class CuratedTableParser:
    name = "curated_table"
    version = "2"

    def parse(self, response: FetchedResponse, options: dict) -> ParsedMentions:
        url = source_url(response)
        columns = options.get("columns")
        if not isinstance(columns, dict) or not columns.get("name"):
            raise ParseError(f"parser curated_table needs option columns with a 'name' column (parsing {url})")
        unknown = sorted(set(columns) - set(FIELDS))
        if unknown:
            raise ParseError(f"curated_table columns {unknown} are not fields {list(FIELDS)} (parsing {url})")
        table = read_table(response.body, options, url)
        indexes = _column_indexes(table.header, columns, url)
        rows, filter_indexes = _filtered_rows(table, options, url)
        # unmapped columns are the mention's attributes (header as written, first of equal headers)
        mapped = set(indexes.values()) | filter_indexes
        extra = [(i, clean_text(h)) for i, h in enumerate(table.header) if i not in mapped and clean_text(h)]
        kind_map = options.get("kind_map")
        mentions: list[MemberMention] = []
        refused: list[RefusedRow] = []
        for line, row in rows:
            def cell(field):
                index = indexes.get(field)
                return row[index] if index is not None and index < len(row) else ""

            attributes = {header: text for i, header in extra if i < len(row) and (text := clean_text(row[i]))}
            place = optional_text(cell("place"))
            if place:
                attributes["place"] = place
            name = clean_name(cell("name"))
            if not name:
                cells = {clean_text(h) or f"column {i + 1}": clean_text(c)
                         for i, (h, c) in enumerate(zip(table.header, row)) if clean_text(c)}
                refused.append(RefusedRow(line, f"blank name (column {columns['name']!r})", cells))
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
                row=line,
                attributes=attributes or None,
            ))
        return ParsedMentions(mentions, rows_read=len(rows), refused=refused, read_as=table.read_as)
