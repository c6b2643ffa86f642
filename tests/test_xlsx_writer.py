"""The streaming .xlsx writer, read back with openpyxl (an independent reader): types, dates, text that looks
like markup, nulls, the header, and refused sheet names."""
from datetime import date, datetime, time
from decimal import Decimal

import openpyxl
import pytest

from warehouse.xlsx_writer import Workbook, column_letters

ROW = [7, -2.5, Decimal("0.125"), True, 'a <b> & "c"', date(2024, 2, 29), datetime(2026, 1, 2, 3, 4, 5),
       time(12, 30), None, float("nan"), date(1850, 6, 1), "  spaced  "]


def test_cells_come_back_with_their_types(tmp_path):
    path = tmp_path / "w.xlsx"
    header = [f"c{i}" for i in range(len(ROW))]
    with Workbook(path) as workbook:
        workbook.add_sheet("first", header, [ROW, [None] * len(ROW)], 2)
        workbook.add_sheet("second & more", ["x"], ([i] for i in range(30)), 30)
    book = openpyxl.load_workbook(path)  # not read-only: styles and views are parsed too
    assert book.sheetnames == ["first", "second & more"]
    sheet = book["first"]
    assert [c.value for c in sheet[1]] == header and sheet["A1"].font.b and sheet.freeze_panes == "A2"
    values = [c.value for c in sheet[2]]
    assert values[:5] == [7, -2.5, 0.125, True, 'a <b> & "c"']
    assert values[5] == datetime(2024, 2, 29) and sheet["F2"].is_date and sheet["F2"].number_format == "yyyy-mm-dd"
    assert values[6] == datetime(2026, 1, 2, 3, 4, 5) and values[7] == time(12, 30)
    assert values[8] is None and values[9] == "nan"  # a sheet holds no NaN
    assert values[10] == "1850-06-01"  # before 1900-03-01 Excel's serial numbers are off: kept as text
    assert values[11] == "  spaced  "
    assert type(values[0]) is int
    assert [c.value for c in sheet[3]] == [None] * len(ROW)
    assert sheet.max_row == 3 and [r[0] for r in book["second & more"].iter_rows(min_row=2, values_only=True)] \
        == list(range(30))


def test_bad_sheet_names_and_wrong_row_counts_are_refused(tmp_path):
    with Workbook(tmp_path / "w.xlsx") as workbook:
        for name in ("a" * 32, "a/b", "x[1]"):
            with pytest.raises(ValueError, match="cannot name a sheet"):
                workbook.add_sheet(name, ["x"], [], 0)
        workbook.add_sheet("ok", ["x"], [[1]], 1)
        with pytest.raises(ValueError, match="cannot name a sheet"):
            workbook.add_sheet("ok", ["x"], [], 0)
        with pytest.raises(ValueError, match="2 rows written, 1 announced"):
            workbook.add_sheet("more", ["x"], [[1], [2]], 1)


def test_column_letters():
    assert [column_letters(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]
