"""Tables as spreadsheets write them: the bytes of a CSV or XLSX file -> rows of text, and how they were read.

A CSV saved by Excel in a German or French locale separates fields with `;` and is Windows-1252, not UTF-8;
"Unicode text" is UTF-16 with tabs. Both are detected here unless the source's options say:
  encoding   a codec name (utf-8, cp1252, latin-1, utf-16 ...); default: a BOM's, else UTF-8 if the bytes are
             valid UTF-8, else Windows-1252 (Latin-1 for the five bytes Windows-1252 leaves undefined)
  delimiter  one of "," ";" "\\t" (or "tab"); default: the one that splits the header into the most columns
             and the first rows into as many
  sheet      XLSX: the sheet by name (default: the first sheet)
The choice is returned as `read_as` ("csv; encoding=cp1252; delimiter=';'"), which the loader records with the
fetch. Parsed tables are cached per body object: many networks read their rows from one imported file, and each
would otherwise decode and split all of it again.
"""
from __future__ import annotations

import codecs
import csv
import io
import threading
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from scrapers.parsers.common import ParseError, clean_text

ZIP_MAGIC = b"PK\x03\x04"  # an XLSX file is a zip archive
DELIMITERS = {",": ",", ";": ";", "\t": "\t", "tab": "\t"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_SNIFF_LINES = 20


@dataclass
class Table:
    """A file's rows (text cells, blank rows dropped) and how the bytes were read."""

    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line or row number in the file, cells), header excluded
    read_as: str
    _groups: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def rows_where(self, column: int, value: str) -> list[tuple[int, list[str]]]:
        """The rows whose cell in `column` equals `value` (cleaned, case-insensitive); grouped once per column."""
        with self._lock:
            groups = self._groups.get(column)
            if groups is None:
                groups = {}
                for row in self.rows:
                    cell = row[1][column] if column < len(row[1]) else ""
                    groups.setdefault(clean_text(cell).casefold(), []).append(row)
                self._groups[column] = groups
        return groups.get(clean_text(value).casefold(), [])


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


def decode_table_bytes(body: bytes, encoding: str | None, url: str) -> tuple[str, str]:
    """(text, encoding used). A named encoding is used as given; otherwise BOM, UTF-8, Windows-1252."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ParseError(f"curated table {url}: option encoding {encoding!r} is not a known encoding") from None
        try:
            return body.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise ParseError(f"curated table {url} is not {encoding} (option encoding): {exc}") from None
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace"), name
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:  # what Excel writes in Western European locales
        return body.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # 0x81 0x8d 0x8f 0x90 0x9d: undefined in Windows-1252, control codes in Latin-1
        return body.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str, option: str | None, url: str) -> str:
    if option is not None:
        if option not in DELIMITERS:
            raise ParseError(f"curated table {url}: option delimiter {option!r} is not one of , ; tab")
        return DELIMITERS[option]
    lines = [line for line in text.splitlines()[:_SNIFF_LINES * 2] if line.strip()][:_SNIFF_LINES]
    if not lines:
        return ","
    best, best_score = ",", (0, 0)
    for delimiter in (",", ";", "\t"):
        widths = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
        header_width = widths[0]
        # rows as wide as the header: a name with a comma in a ;-file does not make "," win
        score = (sum(1 for w in widths if w == header_width) if header_width > 1 else 0, header_width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _label(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else repr(delimiter)


def _csv_table(body: bytes, options: dict, url: str) -> tuple[list[list[str]], str]:
    text, encoding = decode_table_bytes(body, options.get("encoding"), url)
    delimiter = sniff_delimiter(text, options.get("delimiter"), url)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return rows, f"csv; encoding={encoding}; delimiter={_label(delimiter)}"


def _xlsx_table(body: bytes, sheet: str | None, url: str) -> tuple[list[list[str]], str]:
    from openpyxl import load_workbook  # only XLSX sources need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # data_only=False: a formula cell comes back as its formula text, never a computed value
        workbook = load_workbook(io.BytesIO(body), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ParseError(f"curated table {url} is not a readable XLSX workbook: {exc}") from exc
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise ParseError(f"curated table {url} has no sheet {sheet!r}; sheets are {workbook.sheetnames}")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        rows = [[_cell_text(v) for v in row] for row in worksheet.iter_rows(values_only=True)]
        return rows, f"xlsx; sheet={worksheet.title!r}"
    finally:
        workbook.close()


_cache_lock = threading.Lock()
_cache: list[tuple[bytes, tuple, Table]] = []  # (body object, options key, table), newest last
_CACHE_SIZE = 4


def read_table(body: bytes, options: dict, url: str) -> Table:
    """The table in `body` (XLSX when it is a zip archive, else delimited text)."""
    key = (options.get("encoding"), options.get("delimiter"), options.get("sheet"))
    with _cache_lock:
        for cached_body, cached_key, table in _cache:
            if cached_body is body and cached_key == key:
                return table
    if body.startswith(ZIP_MAGIC):
        rows, read_as = _xlsx_table(body, options.get("sheet"), url)
    else:
        rows, read_as = _csv_table(body, options, url)
    numbered = [(line, r) for line, r in enumerate(rows, start=1) if any(clean_text(c) for c in r)]
    if not numbered:
        raise ParseError(f"curated table {url} is empty (no header row)")
    table = Table(header=numbered[0][1], rows=numbered[1:], read_as=read_as)
    if len(body) > 1 << 16:  # small files are parsed again at no cost; big shared ones are kept
        with _cache_lock:
            _cache.append((body, key, table))
            del _cache[:-_CACHE_SIZE]
    return table
