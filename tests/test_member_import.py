"""Bring your own membership data: tables as spreadsheets write them, every row accounted for, `tcn import`,
registry ids claimed once. Real files, the real parser and registry loader; no refresh (test_byo_refresh.py)."""
import codecs
import csv
import io
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from benchmarks.byo_members import generate
from scrapers.collect import parse_response
from scrapers.model import FetchedResponse, SourceSpec
from scrapers.parsers import PARSERS, ParseError
from scrapers.registry import RegistryError, load_registry
from warehouse.member_import import MemberImportError, import_members, parse_mapping

GERMAN = [["Mitglied", "Land", "Beitritt", "Ort"], ["München", "Deutschland", "2019", "München"],
          ["Düsseldorf", "Deutschland", "01.03.2020", ""], ["Besançon; Ville de", "France", "2018", "Besançon"]]


def _csv(rows, delimiter=";") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _response(body: bytes, url="file-curated://t/members.csv") -> FetchedResponse:
    return FetchedResponse(url, url, 200, {"Content-Type": "text/csv; charset=utf-8"}, body, None,
                           datetime.now(timezone.utc))


COLUMNS = {"name": "Mitglied", "country": "Land", "joined": "Beitritt"}


@pytest.mark.parametrize("encoding,bom,delimiter,expected", [
    ("cp1252", b"", ";", "csv; encoding=cp1252; delimiter=';'"),
    ("utf-8", b"", ";", "csv; encoding=utf-8; delimiter=';'"),
    ("utf-8", codecs.BOM_UTF8, "\t", "csv; encoding=utf-8-sig; delimiter=tab"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "\t", "csv; encoding=utf-16; delimiter=tab"),  # Excel's "Unicode text"
    ("utf-8", b"", ",", "csv; encoding=utf-8; delimiter=','"),
])
def test_a_spreadsheet_csv_lands_without_options(encoding, bom, delimiter, expected):
    body = bom + _csv(GERMAN, delimiter).encode(encoding)
    mentions = PARSERS["curated_table"].parse(_response(body), {"columns": COLUMNS})
    assert [m.member_name for m in mentions] == ["München", "Düsseldorf", "Besançon; Ville de"]
    assert [m.joined for m in mentions] == ["2019", "2020-03-01", "2018"]
    assert mentions.read_as == expected


def test_the_choice_is_recorded_with_the_fetch_and_options_override_detection():
    body = _csv(GERMAN).encode("cp1252")
    spec = SourceSpec("t", "file-curated://t/members.csv", "csv", "curated_table", (), {"columns": COLUMNS})
    record = parse_response(spec, _response(body))
    assert record.parse_status == "ok" and record.read_as == "csv; encoding=cp1252; delimiter=';'"
    # said in the options: Latin-1 reads these bytes alike; a wrong delimiter finds no column Mitglied
    latin = PARSERS["curated_table"].parse(_response(body), {"columns": COLUMNS, "encoding": "latin-1"})
    assert latin.read_as.startswith("csv; encoding=latin-1") and latin[0].member_name == "München"
    with pytest.raises(ParseError, match="no column 'Mitglied'"):
        PARSERS["curated_table"].parse(_response(body), {"columns": COLUMNS, "delimiter": ","})
    with pytest.raises(ParseError, match="is not utf-8"):  # a wrong encoding said outright is an error, not mojibake
        PARSERS["curated_table"].parse(_response(body), {"columns": COLUMNS, "encoding": "utf-8"})


def test_an_xlsx_sheet_is_read_by_name():
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["nothing here"])
    sheet = book.create_sheet("Mitglieder")
    for row in GERMAN:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    mentions = PARSERS["curated_table"].parse(_response(out.getvalue()), {"columns": COLUMNS, "sheet": "Mitglieder"})
    assert [m.member_name for m in mentions][:2] == ["München", "Düsseldorf"]
    assert mentions.read_as == "xlsx; sheet='Mitglieder'"


def test_rows_are_refused_with_a_reason_and_unmapped_columns_are_kept_as_attributes():
    rows = [["Network", "Member", "Locality", "Phase"], ["A", "Kiel", "Kiel", "I"], ["A", "", "Lübeck", "I"],
            ["B", "Bonn", "", "II"], ["a", "Jena", "Jena", ""]]
    options = {"columns": {"name": "Member", "place": "Locality"}, "filter": {"Network": "A"}}
    mentions = PARSERS["curated_table"].parse(_response(_csv(rows, ",").encode()), options)
    assert mentions.rows_read == 3  # the rows of network A (case-insensitive), not B's
    assert [(m.member_name, m.row, m.attributes) for m in mentions] == [
        ("Kiel", 2, {"Phase": "I", "place": "Kiel"}), ("Jena", 5, {"place": "Jena"})]
    [refused] = mentions.refused
    assert refused.row == 3 and "blank name" in refused.reason and refused.cells["Locality"] == "Lübeck"


def test_import_accounts_for_every_row_of_a_generated_file(tmp_path):
    planted = generate(tmp_path / "members.csv", rows=1500, networks=7)
    report = import_members(tmp_path / "members.csv", tmp_path / "registry", "byo-")
    totals = report.totals
    assert totals["rows_read"] == planted["rows"]
    assert totals["rows_merged"] == planted["repeats"]
    assert totals["rows_refused"] == planted["blank_names"] + planted["no_network"]
    assert totals["rows_landed"] == planted["rows"] - planted["repeats"] - planted["blank_names"] - planted["no_network"]
    assert len(report.networks) == planted["networks"]
    # the entries load like every registry file, each reading its own rows from the one file
    registry = load_registry(extra=[tmp_path / "registry"])
    entries = [registry.get(n.network_id) for n in report.networks]
    assert all(e.sources[0].path == str((tmp_path / "members.csv").resolve()) for e in entries)
    assert {e.sources[0].options["filter"]["Network"] for e in entries} == {n.name for n in report.networks}
    assert all(e.tags == {"imported_from": "members.csv"} for e in entries)

    # the file edited: one network gone; its entry goes too, other files in the folder stay
    (tmp_path / "registry" / "notes.yaml").write_text("id: notes\nname: Notes\nscope: regional\n", encoding="utf-8")
    gone = report.networks[0]
    with (tmp_path / "members.csv").open(encoding="cp1252", newline="") as handle:
        rows = [r for r in csv.reader(handle, delimiter=";") if r[0] != gone.name]
    (tmp_path / "members.csv").write_text(_csv(rows), encoding="cp1252", newline="")
    again = import_members(tmp_path / "members.csv", tmp_path / "registry", "byo-")
    assert again.removed == [gone.network_id] and not gone.path.exists()
    assert (tmp_path / "registry" / "notes.yaml").exists() and len(again.networks) == planted["networks"] - 1


def test_import_maps_columns_and_refuses_what_it_cannot_use(tmp_path):
    rows = [["Netz", "Wer", "Staat"], ["ECCAR", "Graz", "AT"], ["ECCAR", "Wien", "AT"]]
    (tmp_path / "m.csv").write_text(_csv(rows), encoding="utf-8")
    with pytest.raises(MemberImportError, match=r"--map name=COLUMN"):
        import_members(tmp_path / "m.csv", tmp_path / "out", mapping=parse_mapping("network=Netz"))
    with pytest.raises(MemberImportError, match=r"eccar are bundled networks' ids.*--id-prefix"):
        import_members(tmp_path / "m.csv", tmp_path / "out", mapping=parse_mapping("name=Wer,network=Netz"))
    assert not (tmp_path / "out").exists()  # nothing written
    report = import_members(tmp_path / "m.csv", tmp_path / "out", "mine-",
                            parse_mapping("name=Wer,network=Netz,country=Staat"))
    assert [n.network_id for n in report.networks] == ["mine-eccar"]
    doc = yaml.safe_load((tmp_path / "out" / "mine-eccar.yaml").read_text(encoding="utf-8"))
    assert doc["sources"][0]["options"]["columns"] == {"name": "Wer", "country": "Staat"}
    with pytest.raises(MemberImportError, match="unknown key 'town'"):
        parse_mapping("town=Ort")


def _entry(folder: Path, network_id: str, **fields) -> Path:
    path = folder / f"{network_id}.yaml"
    path.write_text(yaml.safe_dump({"id": network_id, "name": network_id, "scope": "regional", **fields}))
    return path


def test_an_outside_entry_takes_a_bundled_id_only_when_it_says_it_replaces_it(tmp_path, monkeypatch):
    monkeypatch.delenv("TCN_REGISTRY", raising=False)
    _entry(tmp_path, "eccar", founded_year=2004)
    with pytest.raises(RegistryError, match=re.escape("'eccar' is a bundled network's id") + ".*replaces: eccar"):
        load_registry(extra=[tmp_path])
    _entry(tmp_path, "eccar", founded_year=2004, replaces="eccar")
    assert load_registry(extra=[tmp_path]).get("eccar").founded_year == 2004
    _entry(tmp_path, "eccar", replaces="clip")
    with pytest.raises(RegistryError, match="must be this entry's own id"):
        load_registry(extra=[tmp_path])
    (tmp_path / "eccar.yaml").unlink()
    _entry(tmp_path, "my-net", replaces="my-net")
    with pytest.raises(RegistryError, match="'my-net' is not a bundled network"):
        load_registry(extra=[tmp_path])


def test_import_reads_an_xlsx_sheet_by_name(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Readme"
    sheet = book.create_sheet("Members")
    for row in [["Network", "Member", "Country", "Joined"], ["Red A", "Sevilla", "ES", 2019.0],
                ["Red A", "Sevilla", "Spain", 2021.0], ["Red B", "Porto", "PT", None], ["Red B", None, "PT", 2020]]:
        sheet.append(row)
    book.save(tmp_path / "m.xlsx")
    report = import_members(tmp_path / "m.xlsx", tmp_path / "out", "t-", read_options={"sheet": "Members"})
    assert report.read_as == "xlsx; sheet='Members'"
    counts = {n.network_id: (n.account.rows_read, n.account.rows_landed, n.account.rows_merged,
                             n.account.rows_refused) for n in report.networks}
    # "ES" and "Spain" name one country: the second Sevilla row is the same member, merged (its 2021 kept)
    assert counts == {"t-red-a": (2, 1, 1, 0), "t-red-b": (2, 1, 0, 1)}
    doc = yaml.safe_load((tmp_path / "out" / "t-red-a.yaml").read_text(encoding="utf-8"))
    assert doc["sources"][0]["kind"] == "xlsx" and doc["sources"][0]["options"]["sheet"] == "Members"
    with pytest.raises(MemberImportError, match="has no sheet 'Mitglieder'"):
        import_members(tmp_path / "m.xlsx", tmp_path / "out2", "t-", read_options={"sheet": "Mitglieder"})
