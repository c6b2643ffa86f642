"""Members from HTML tables: one row per member, columns picked by header text or 0-based index.

Options:
  table          CSS selector for the member table(s) (required; every match is read)
  name_column    header text or index of the member name (default 0)
  country_column, role_column, joined_column, kind_column   optional, same forms
  section_kinds  {section heading: member_kind or null}. A section is either a row with one spanning cell
                 inside the table, or the table's <caption>, or the nearest heading (h1-h6) before it;
                 e.g. {"Städte": null, "Landkreise": district} for a council page split by type.
  kind_map       {value of kind_column: member_kind}
  role_map, default_role   see common.map_role
"""
from __future__ import annotations

from scrapers.model import FetchedResponse, MemberMention
from scrapers.parsers.common import (
    ParseError,
    clean_name,
    clean_text,
    date_of,
    element_text,
    map_kind,
    map_role,
    optional_text,
    select_required,
    soup_of,
    source_url,
)

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _cells(row) -> list:
    return row.find_all(["td", "th"], recursive=False)


def _is_header(row) -> bool:
    cells = _cells(row)
    return len(cells) > 1 and all(c.name == "th" for c in cells)


def _section_label(row) -> str | None:
    """Text of a row that only labels the rows below it (one cell spanning the table, or one lone <th>)."""
    cells = _cells(row)
    if len(cells) != 1:
        return None
    cell = cells[0]
    if cell.name == "th" or int(cell.get("colspan", 1) or 1) > 1:
        return element_text(cell)
    return None


def _heading_before(table) -> str | None:
    caption = table.find("caption")
    if caption is not None:
        return element_text(caption)
    heading = table.find_previous(HEADINGS)
    return element_text(heading) if heading is not None else None


def _column_index(spec, header: list[str], option: str, response: FetchedResponse) -> int | None:
    if spec is None:
        return None
    if isinstance(spec, int):
        return spec
    wanted = clean_text(spec).casefold()
    for index, text in enumerate(header):
        if text.casefold() == wanted:
            return index
    raise ParseError(f"no column headed {spec!r} ({option}) in the member table on {source_url(response)}; "
                     f"headers are {header}")


class HtmlTableParser:
    name = "html_table"
    version = "1"

    def parse(self, response: FetchedResponse, options: dict) -> list[MemberMention]:
        url = source_url(response)
        tables = select_required(soup_of(response), options.get("table") or "table", response)
        section_kinds = {clean_text(k).casefold(): v for k, v in (options.get("section_kinds") or {}).items()}
        mentions: list[MemberMention] = []
        for table in tables:
            rows = table.find_all("tr")
            header_rows = [r for r in rows if r.find_parent("thead") is not None] or [r for r in rows[:1] if _is_header(r)]
            header = [element_text(c) for c in _cells(header_rows[0])] if header_rows else []
            columns = {}
            for field in ("name", "country", "role", "joined", "kind"):
                option = f"{field}_column"
                spec = options.get(option, 0 if field == "name" else None)
                if isinstance(spec, str) and not header:
                    raise ParseError(f"member table on {url} has no header row to find column {spec!r}")
                columns[field] = _column_index(spec, header, option, response)
            section = _heading_before(table)
            header_ids = {id(r) for r in header_rows}  # bs4 tags compare by content, so use identity
            for row in rows:
                if id(row) in header_ids:
                    continue
                label = _section_label(row)
                if label is not None:
                    section = label
                    continue
                cells = _cells(row)

                def cell(field):
                    index = columns[field]
                    return cells[index] if index is not None and index < len(cells) else None

                name = clean_name(element_text(cell("name")))
                if not name:
                    continue
                kind = None
                if columns["kind"] is not None:
                    kind = map_kind(element_text(cell("kind")), options.get("kind_map"))
                elif section is not None:
                    kind = section_kinds.get(clean_text(section).casefold())
                joined_cell = cell("joined")
                mentions.append(MemberMention(
                    member_name=name,
                    country=optional_text(element_text(cell("country"))),
                    role=map_role(element_text(cell("role")), options),
                    joined=date_of(joined_cell.find("time") or joined_cell) if joined_cell is not None else None,
                    member_kind=kind,
                    source_url=url,
                ))
        return mentions
