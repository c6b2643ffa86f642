"""Text a spreadsheet would run: a cell starting with = + - @ (or a tab or carriage return) is a formula to
Excel and LibreOffice ("=HYPERLINK(...)" in a scraped name). Every CSV and workbook the warehouse writes
gives such text a leading apostrophe, which spreadsheets show as text (OWASP CSV injection)."""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# the same test in SQL (RE2), for text neutralised inside DuckDB
FORMULA_START_SQL = "^[=+\\-@\\t\\r]"


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
