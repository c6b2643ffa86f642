"""A streaming writer of plain .xlsx workbooks (Office Open XML SpreadsheetML): sheets of typed cells, a bold
frozen header row, and nothing else.

Why not openpyxl's write-only mode: it builds a cell object per value and wrote ~55,000 cells a second here
(a 100,000-row table of 20 columns took 36 s; `python -m benchmarks.spreadsheets`), and a publish writes the
workbook every run. This writes each row as one XML string, straight into the zip.

Cells: int/float/Decimal as numbers, bool as booleans, str as inline strings, date/datetime/time as Excel
serial numbers with a date format, None as no cell. NaN and infinities, which a sheet cannot hold, are
written as the text "NaN", "inf", "-inf". The caller makes text safe (formula prefixes, control characters).
"""
from __future__ import annotations

import math
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 0; exact for dates from 1900-03-01 (Excel's 1900 leap-year bug)
FIRST_EXACT_DATE = date(1900, 3, 1)
# cellXfs indices in STYLES
STYLE_DATE, STYLE_DATETIME, STYLE_TIME, STYLE_HEADER = 1, 2, 3, 4
STYLES = (XML_HEAD + f'<styleSheet xmlns="{MAIN_NS}">'
          '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
          '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
          '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
          '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
          '<fills count="2"><fill><patternFill patternType="none"/></fill>'
          '<fill><patternFill patternType="gray125"/></fill></fills>'
          '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="21" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
          '</styleSheet>')


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(ref: str, value: str, style: str = "") -> str:
    return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def _cell(ref: str, value) -> str:
    """One <c> element, or "" for a null."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _text(ref, value)
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, Decimal)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, float):
        return f'<c r="{ref}"><v>{value!r}</v></c>' if math.isfinite(value) else _text(ref, str(value))
    if isinstance(value, datetime):
        if value.tzinfo is not None or value.date() < FIRST_EXACT_DATE:
            return _text(ref, value.isoformat())
        serial = (value - EXCEL_EPOCH) / timedelta(days=1)
        return f'<c r="{ref}" s="{STYLE_DATETIME}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        if value < FIRST_EXACT_DATE:
            return _text(ref, value.isoformat())
        return f'<c r="{ref}" s="{STYLE_DATE}"><v>{(value - EXCEL_EPOCH.date()).days}</v></c>'
    if isinstance(value, time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return f'<c r="{ref}" s="{STYLE_TIME}"><v>{seconds / 86400!r}</v></c>'
    if isinstance(value, timedelta):
        return f'<c r="{ref}"><v>{value / timedelta(days=1)!r}</v></c>'
    return _text(ref, str(value))


class Workbook:
    """Sheets are written one after the other, each in one call; `close()` (or the `with` block) writes the
    workbook's parts. A sheet's row count must be known up front (its dimension comes first in the XML)."""

    def __init__(self, path: Path):
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self._sheets: list[str] = []

    def __enter__(self) -> "Workbook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def add_sheet(self, name: str, header: Sequence[str], rows: Iterable[Sequence], n_rows: int) -> None:
        self._check_name(name)
        self._sheets.append(name)
        letters = [column_letters(i) for i in range(max(len(header), 1))]
        last = f"{letters[-1]}{n_rows + 1}"
        with self._zip.open(f"xl/worksheets/sheet{len(self._sheets)}.xml", "w", force_zip64=True) as raw:
            out = _BufferedText(raw)
            out.write(f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}"><dimension ref="A1:{last}"/>'
                      '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                      'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>')
            out.write('<row r="1">' + "".join(_text(f"{letters[i]}1", str(h), f' s="{STYLE_HEADER}"')
                                              for i, h in enumerate(header)) + "</row>")
            written = 0
            for number, row in enumerate(rows, start=2):
                out.write(f'<row r="{number}">'
                          + "".join(_cell(f"{letters[i]}{number}", v) for i, v in enumerate(row)) + "</row>")
                written += 1
            if written != n_rows:
                raise ValueError(f"sheet {name!r}: {written} rows written, {n_rows} announced")
            out.write("</sheetData></worksheet>")
            out.flush()

    def add_sheet_xml(self, name: str, xml: bytes) -> None:
        """A sheet as this writer wrote it before (its worksheet part, unchanged)."""
        self._check_name(name)
        self._sheets.append(name)
        self._zip.writestr(f"xl/worksheets/sheet{len(self._sheets)}.xml", xml)

    def _check_name(self, name: str) -> None:
        if len(name) > 31 or any(c in name for c in "[]:*?/\\") or name in self._sheets:
            raise ValueError(f"{name!r} cannot name a sheet (at most 31 characters, none of []:*?/\\, unique)")

    def close(self) -> None:
        if self._zip.fp is None:
            return
        sheets = range(1, len(self._sheets) + 1)
        self._zip.writestr("[Content_Types].xml", XML_HEAD + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                      f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in sheets)
            + "</Types>"))
        self._zip.writestr("_rels/.rels", XML_HEAD + (
            f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{REL_NS}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'))
        self._zip.writestr("xl/workbook.xml", XML_HEAD + (
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
            + "".join(f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
                      for i, name in enumerate(self._sheets, start=1))
            + "</sheets></workbook>"))
        self._zip.writestr("xl/_rels/workbook.xml.rels", XML_HEAD + (
            f'<Relationships xmlns="{PKG_REL_NS}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in sheets)
            + f'<Relationship Id="rId{len(self._sheets) + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
            "</Relationships>"))
        self._zip.writestr("xl/styles.xml", STYLES)
        self._zip.close()


class _BufferedText:
    """UTF-8 text into a binary stream in ~1 MB writes (one zip write per row is slow)."""

    def __init__(self, raw):
        self._raw, self._parts, self._size = raw, [], 0

    def write(self, text: str) -> None:
        self._parts.append(text)
        self._size += len(text)
        if self._size > 1 << 20:
            self.flush()

    def flush(self) -> None:
        self._raw.write("".join(self._parts).encode("utf-8"))
        self._parts, self._size = [], 0
