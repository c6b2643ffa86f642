"""Parsers: bundled snapshots against hand-written golden files, plus the edge cases every page can hit
(missing elements, invisible characters and markup in names, charsets).

The golden files (tests/golden/parsers/<network>.csv) were written from the reference member lists, not
from parser output. Registry YAML is read directly so these tests do not depend on the loader's API.
"""
from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from scrapers.model import FetchedResponse, MemberMention
from scrapers.parsers import PARSERS, ParseError
from scrapers.parsers.common import clean_name, map_role, normalize_joined

REPO = Path(__file__).resolve().parent.parent
SNAPSHOTS = REPO / "scrapers" / "snapshots"
REGISTRY = REPO / "scrapers" / "registry" / "networks"
GOLDEN = REPO / "tests" / "golden" / "parsers"
GOLDEN_NETWORKS = sorted(p.stem for p in GOLDEN.glob("*.csv"))
SNAPSHOT_NETWORKS = sorted(p.parent.name for p in SNAPSHOTS.glob("*/manifest.json"))
URL = "https://example.org/members"


def make_response(body: bytes | str, headers: dict | None = None, url: str = URL,
                  encoding: str | None = None, final_url: str | None = None) -> FetchedResponse:
    if isinstance(body, str):
        body = body.encode("utf-8")
    return FetchedResponse(url=url, final_url=final_url, status=200,
                           headers=headers if headers is not None else {"Content-Type": "text/html; charset=utf-8"},
                           body=body, error=None, fetched_at=datetime.now(timezone.utc), encoding=encoding)


def as_row(m: MemberMention) -> tuple[str, str, str, str, str]:
    return (m.member_name, m.country or "", m.role, m.joined or "", m.member_kind or "")


def read_golden(network_id: str) -> list[tuple[str, ...]]:
    with open(GOLDEN / f"{network_id}.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["member_name", "country", "role", "joined", "member_kind"], network_id
        return [(r["member_name"], r["country"], r["role"], r["joined"], r["member_kind"]) for r in reader]


# ---------------------------------------------------------------------------------------------- golden

def test_at_least_twelve_networks_have_golden_snapshots():
    assert len(GOLDEN_NETWORKS) >= 12
    assert set(GOLDEN_NETWORKS) <= set(SNAPSHOT_NETWORKS)


def test_every_parser_is_used_by_some_snapshot():
    used = set()
    for network_id in GOLDEN_NETWORKS:
        doc = yaml.safe_load((REGISTRY / f"{network_id}.yaml").read_text(encoding="utf-8"))
        used |= {spec["parser"] for spec in doc.get("sources") or []}
    assert used == set(PARSERS)


@pytest.mark.parametrize("network_id", GOLDEN_NETWORKS)
def test_snapshot_parses_to_golden(network_id):
    registry_file = REGISTRY / f"{network_id}.yaml"
    doc = yaml.safe_load(registry_file.read_text(encoding="utf-8"))
    specs = doc.get("sources") or []
    assert specs, f"{registry_file} has no sources"
    manifest = json.loads((SNAPSHOTS / network_id / "manifest.json").read_text(encoding="utf-8"))
    recorded = {entry["url"]: entry for entry in manifest["responses"]}
    got = []
    for spec in specs:
        entry = recorded.get(spec["url"])
        assert entry is not None, f"{network_id}: no snapshot recorded for {spec['url']}"
        body = (SNAPSHOTS / network_id / entry["body_file"]).read_bytes()
        # encoding=None: the parser must pick the charset from the recorded headers itself
        response = make_response(body, headers=entry["headers"], url=spec["url"])
        mentions = PARSERS[spec["parser"]].parse(response, spec.get("options") or {})
        assert all(m.source_url == spec["url"] for m in mentions)
        got.extend(as_row(m) for m in mentions)
    expected = read_golden(network_id)
    missing, extra = Counter(expected) - Counter(got), Counter(got) - Counter(expected)
    assert not missing and not extra, f"{network_id}: missing {sorted(missing)}; unexpected {sorted(extra)}"


@pytest.mark.parametrize("network_id", SNAPSHOT_NETWORKS)
def test_manifest_is_complete_and_honest(network_id):
    manifest = json.loads((SNAPSHOTS / network_id / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["network_id"] == network_id
    assert manifest["provenance"] in ("reconstructed from cited sources; not a live capture", "captured live")
    assert manifest["sources"] and all(s.startswith("http") for s in manifest["sources"])
    for entry in manifest["responses"]:
        assert (SNAPSHOTS / network_id / entry["body_file"]).is_file()
        assert entry["status"] == 200 and entry["url"].startswith("https://")
        assert "charset=" in entry["headers"]["Content-Type"]


def test_snapshot_urls_are_unique_across_manifests():
    urls = [e["url"] for n in SNAPSHOT_NETWORKS
            for e in json.loads((SNAPSHOTS / n / "manifest.json").read_text(encoding="utf-8"))["responses"]]
    assert len(urls) == len(set(urls))


# ---------------------------------------------------------------------------------------- missing parts

NO_MEMBERS_HTML = "<html><body><h1>Members</h1><p>Page moved.</p></body></html>"

MISSING_ELEMENT_CASES = [
    ("html_table", {"table": "table.members"}, NO_MEMBERS_HTML, "no element matches 'table.members'"),
    ("html_list", {"items": "ul.members > li"}, NO_MEMBERS_HTML, "no element matches 'ul.members > li'"),
    ("html_cards", {"card": "article.city", "name": "h3"}, NO_MEMBERS_HTML, "no element matches 'article.city'"),
    ("prose_list", {"container": "p.founders", "pattern": "founded by (?P<names>.+)"}, NO_MEMBERS_HTML,
     "no element matches 'p.founders'"),
    ("prose_list", {"container": "p", "pattern": "founded by (?P<names>.+)"}, NO_MEMBERS_HTML,
     "matches no text in 'p'"),
    ("json_api", {"records": "data.members"}, '{"data": {"items": []}}', "no records at path 'data.members'"),
    ("json_api", {"records": "data"}, '{"data": {"items": []}}', "not a list"),
    ("json_api", {"records": "data.members"}, "<html>maintenance</html>", "invalid JSON"),
    ("sichere_haefen_api", {}, '{"errors": [{"message": "rate limited"}]}', "no countries at path 'data.countries'"),
    ("html_table", {"table": "table", "name_column": "City"},
     "<table><tr><th>Town</th><th>Since</th></tr><tr><td>Kiel</td><td>2019</td></tr></table>",
     "no column headed 'City'"),
    ("html_cards", {"card": "article"}, "<article><h3>Kiel</h3></article>", "needs option 'name'"),
]


@pytest.mark.parametrize("parser,options,body,message", MISSING_ELEMENT_CASES)
def test_missing_required_element_raises_parse_error_naming_url(parser, options, body, message):
    with pytest.raises(ParseError) as excinfo:
        PARSERS[parser].parse(make_response(body), options)
    assert message in str(excinfo.value)
    assert URL in str(excinfo.value)


def test_parse_error_names_the_final_url_after_a_redirect():
    response = make_response(NO_MEMBERS_HTML, final_url="https://example.org/login")
    with pytest.raises(ParseError, match="https://example.org/login"):
        PARSERS["html_list"].parse(response, {"items": "li.city"})


def test_parse_error_is_a_value_error():
    assert issubclass(ParseError, ValueError)


# ---------------------------------------------------------------------------------------- name cleaning

@pytest.mark.parametrize("raw,clean", [
    ("\u200bBerlin\u200b", "Berlin"),                    # zero-width space
    ("Pots\u202edam", "Potsdam"),                        # right-to-left override
    ("\ufeffMalm\u00f6", "Malmö"),                       # BOM
    ("Gro\u00adningen", "Groningen"),                    # soft hyphen
    ("<b>Bonn</b>", "Bonn"),                             # markup inside a text field
    ("&lt;i&gt;Kiel&lt;/i&gt;", "Kiel"),                 # escaped markup
    ("Montr&eacute;al", "Montréal"),                     # entity
    ("  Frankfurt \n am\u00a0 Main ", "Frankfurt am Main"),
    ("• Leipzig,", "Leipzig"),
    ("'s-Hertogenbosch", "'s-Hertogenbosch"),            # kept as published
    ("Washington, D.C.", "Washington, D.C."),
    ("Nea Filadelfeia–Nea Chalkidona", "Nea Filadelfeia–Nea Chalkidona"),
    ("Robert'); DROP TABLE x;--", "Robert'); DROP TABLE x;--"),
    ("Lewisham (London Borough)", "Lewisham (London Borough)"),
    ("Malm<span>ö</span>", "Malmö"),                     # inline markup adds no space
    ("Kiel<br>Germany", "Kiel Germany"),                 # a line break does
])
def test_clean_name(raw, clean):
    assert clean_name(raw) == clean


def test_html_list_cleans_names_on_a_real_page():
    body = """<ul class="m">
      <li>Malm&#8203;ö</li><li>&lt;b&gt;Bonn&lt;/b&gt;</li><li><span>Kiel</span>\u202e</li>
      <li>  </li><li>\u200b</li><li>Den&nbsp;Haag</li></ul>"""
    mentions = PARSERS["html_list"].parse(make_response(body), {"items": "ul.m > li"})
    assert [m.member_name for m in mentions] == ["Malmö", "Bonn", "Kiel", "Den Haag"]


def test_json_api_cleans_names_and_skips_records_without_one():
    body = json.dumps({"items": [{"name": "<strong>Oslo</strong>\u200b"}, {"name": ""}, {"name": {"x": 1}},
                                 "not a record", {"name": "Tromsø"}]})
    mentions = PARSERS["json_api"].parse(make_response(body, {"Content-Type": "application/json"}),
                                         {"records": "items"})
    assert [m.member_name for m in mentions] == ["Oslo", "Tromsø"]


# -------------------------------------------------------------------------------------------- charsets

LATIN1_PAGE = "<html><body><ul class='m'><li>Göttingen</li><li>Zürich</li><li>Liège</li></ul></body></html>"


def test_iso_8859_1_page_is_decoded_from_the_charset_header():
    response = make_response(LATIN1_PAGE.encode("iso-8859-1"), {"Content-Type": "text/html; charset=ISO-8859-1"})
    names = [m.member_name for m in PARSERS["html_list"].parse(response, {"items": "ul.m li"})]
    assert names == ["Göttingen", "Zürich", "Liège"]


def test_header_name_is_case_insensitive():
    response = make_response(LATIN1_PAGE.encode("iso-8859-1"), {"content-type": "text/html;charset=iso-8859-1"})
    names = [m.member_name for m in PARSERS["html_list"].parse(response, {"items": "ul.m li"})]
    assert names == ["Göttingen", "Zürich", "Liège"]


def test_without_charset_latin1_bytes_are_not_guessed():
    # Control for the test above: UTF-8 fallback cannot read Latin-1, so the header is what fixes it.
    response = make_response(LATIN1_PAGE.encode("iso-8859-1"), {"Content-Type": "text/html"})
    names = [m.member_name for m in PARSERS["html_list"].parse(response, {"items": "ul.m li"})]
    assert names[0] != "Göttingen" and "\ufffd" in names[0]


def test_response_encoding_wins_over_header():
    response = make_response(LATIN1_PAGE.encode("iso-8859-1"), {"Content-Type": "text/html; charset=utf-8"},
                             encoding="iso-8859-1")
    names = [m.member_name for m in PARSERS["html_list"].parse(response, {"items": "ul.m li"})]
    assert names == ["Göttingen", "Zürich", "Liège"]


def test_no_header_falls_back_to_utf8():
    response = make_response(LATIN1_PAGE.encode("utf-8"), {})
    names = [m.member_name for m in PARSERS["html_list"].parse(response, {"items": "ul.m li"})]
    assert names == ["Göttingen", "Zürich", "Liège"]


# ------------------------------------------------------------------------------------ parser behaviour

def test_html_list_splits_and_lead_partner_prefix():
    body = """<div class="p"><p class="lead">LEAD PARTNER: Amadora - Portugal</p>
      <ul><li>Val-de-Marne – France</li><li>Dalarna (region)</li><li>Ithaca, NY</li></ul></div>"""
    options = {"items": ".p p.lead, .p li", "split": "dash", "role_prefixes": {"LEAD PARTNER:": "lead"}}
    rows = [as_row(m) for m in PARSERS["html_list"].parse(make_response(body), options)]
    assert rows == [("Amadora", "Portugal", "lead", "", ""), ("Val-de-Marne", "France", "member", "", ""),
                    ("Dalarna (region)", "", "member", "", ""), ("Ithaca, NY", "", "member", "", "")]


def test_html_list_parens_split_takes_the_last_parenthesis():
    body = "<ul><li>Lewisham (London Borough) (United Kingdom)</li><li>Kiel</li></ul>"
    rows = [as_row(m) for m in PARSERS["html_list"].parse(make_response(body), {"items": "li", "split": "parens"})]
    assert rows == [("Lewisham (London Borough)", "United Kingdom", "member", "", ""), ("Kiel", "", "member", "", "")]


def test_html_list_rejects_unknown_split():
    with pytest.raises(ParseError, match="split='comma'"):
        PARSERS["html_list"].parse(make_response("<ul><li>Kiel</li></ul>"), {"items": "li", "split": "comma"})


def test_html_table_section_rows_columns_by_index_and_dates():
    body = """<table class="t">
      <tr><th colspan="3">Städte</th></tr>
      <tr><td>1</td><td>Aurich</td><td>04.07.2019</td></tr>
      <tr><th colspan="3">Landkreise</th></tr>
      <tr><td>2</td><td>Landkreis Cuxhaven</td><td>2020</td></tr>
      <tr><td>3</td><td></td><td></td></tr>
    </table>"""
    options = {"table": "table.t", "name_column": 1, "joined_column": 2,
               "section_kinds": {"Städte": None, "Landkreise": "district"}}
    rows = [as_row(m) for m in PARSERS["html_table"].parse(make_response(body), options)]
    assert rows == [("Aurich", "", "member", "2019-07-04", ""), ("Landkreis Cuxhaven", "", "member", "2020", "district")]


def test_html_table_section_from_heading_before_each_table():
    body = """<h2>Counties</h2><table><thead><tr><th>Jurisdiction</th></tr></thead>
      <tbody><tr><td>Cook County, IL</td></tr></tbody></table>
      <h2>Cities</h2><table><thead><tr><th>Jurisdiction</th></tr></thead>
      <tbody><tr><td>Chicago, IL</td></tr></tbody></table>"""
    options = {"table": "table", "name_column": "Jurisdiction", "section_kinds": {"counties": "county", "Cities": None}}
    rows = [as_row(m) for m in PARSERS["html_table"].parse(make_response(body), options)]
    assert rows == [("Cook County, IL", "", "member", "", "county"), ("Chicago, IL", "", "member", "", "")]


def test_html_cards_optional_fields():
    body = """<article class="c"><h3>Lyon</h3><span class="r">Founding member</span>
        <p class="s">Member since <time datetime="1986">1986</time></p><p class="k">Metropole</p></article>
      <article class="c"><h3>Espoo</h3><p class="n">Finland</p></article>
      <article class="c"><p>advert</p></article>"""
    options = {"card": "article.c", "name": "h3", "country": ".n", "role": ".r", "joined": ".s", "kind": ".k",
               "role_map": {"Founding member": "founding"}, "kind_map": {"Metropole": "metropolitan area"}}
    rows = [as_row(m) for m in PARSERS["html_cards"].parse(make_response(body), options)]
    assert rows == [("Lyon", "", "founding", "1986", "metropolitan area"), ("Espoo", "Finland", "member", "", "")]


def test_prose_list_serial_comma_conjunctions_and_date():
    body = """<div class="news"><p>On <time datetime="2021-02-10">10 February</time> the founding members
      were Athens, Piraeus, and Nea Filadelfeia–Nea Chalkidona.</p></div>"""
    options = {"container": ".news p", "pattern": r"founding members were (?P<names>.+?)\.$",
               "role": "founding", "joined": "time"}
    rows = [as_row(m) for m in PARSERS["prose_list"].parse(make_response(body), options)]
    assert rows == [("Athens", "", "founding", "2021-02-10", ""), ("Piraeus", "", "founding", "2021-02-10", ""),
                    ("Nea Filadelfeia–Nea Chalkidona", "", "founding", "2021-02-10", "")]


def test_prose_list_conjunctions_are_per_language():
    body = "<p>Membres : Tours, Bourges et La Seyne-sur-Mer.</p>"
    options = {"container": "p", "pattern": r"Membres\s*:\s*(?P<names>.+?)\.$"}
    names = [m.member_name for m in PARSERS["prose_list"].parse(make_response(body), options)]
    assert names == ["Tours", "Bourges et La Seyne-sur-Mer"]  # default conjunctions: English only
    names = [m.member_name for m in PARSERS["prose_list"].parse(make_response(body), {**options, "conjunctions": ["et"]})]
    assert names == ["Tours", "Bourges", "La Seyne-sur-Mer"]


def test_json_api_nested_fields_roles_and_root_list():
    body = json.dumps([{"title": {"rendered": "Medell&iacute;n"}, "country": "Colombia",
                        "membership": "International Steering Committee", "since": 2015, "type": "Municipio"}])
    options = {"records": "", "name": "title.rendered", "country": "country", "role": "membership",
               "joined": "since", "kind": "type",
               "role_map": {"International Steering Committee": "steering"}, "kind_map": {"Municipio": "municipality"}}
    rows = [as_row(m) for m in PARSERS["json_api"].parse(make_response(body, {"Content-Type": "application/json"}), options)]
    assert rows == [("Medellín", "Colombia", "steering", "2015", "municipality")]


def test_sichere_haefen_api_dates_and_types():
    body = json.dumps({"data": {"countries": [
        {"name": "Germany", "states": [
            {"name": "Niedersachsen", "cities": [
                {"name": "Landkreis Cuxhaven", "type": "Landkreis", "joinedAt": "2019-07-04T10:00:00.000Z"},
                {"name": "Oldenburg", "type": "Stadt", "joinedAt": "2018-11-01"},
                {"name": "Weyhe", "type": "Kommune", "joinedAt": None}]},
            {"name": "Bayern"}]},
        {"name": "Austria", "states": []}]}})
    rows = [as_row(m) for m in PARSERS["sichere_haefen_api"].parse(make_response(body, {"Content-Type": "application/json"}), {})]
    assert rows == [("Landkreis Cuxhaven", "Germany", "member", "2019-07-04", "district"),
                    ("Oldenburg", "Germany", "member", "2018-11-01", ""),
                    ("Weyhe", "Germany", "member", "", "")]
    custom = PARSERS["sichere_haefen_api"].parse(make_response(body), {"kind_map": {"Kommune": "municipality"}})
    assert [m.member_kind for m in custom] == [None, None, "municipality"]


def test_sichere_haefen_api_rejects_a_non_list_level():
    body = json.dumps({"data": {"countries": [{"name": "Germany", "states": {"Bayern": []}}]}})
    with pytest.raises(ParseError, match="expected a list at 'states'"):
        PARSERS["sichere_haefen_api"].parse(make_response(body), {})


@pytest.mark.parametrize("raw,iso", [
    ("1986", "1986"), ("2019-07", "2019-07"), ("2021-06-25", "2021-06-25"), ("25.06.2021", "2021-06-25"),
    ("4.7.2019", "2019-07-04"), ("07/2019", "2019-07"), ("2019-07-04T10:00:00Z", "2019-07-04"),
    ("spring 2019", "spring 2019"), ("", None), (None, None),
])
def test_normalize_joined(raw, iso):
    assert normalize_joined(raw) == iso


def test_map_role():
    options = {"role_map": {"Leadership Board": "steering"}}
    assert map_role("leadership  board", options) == "steering"
    assert map_role("Signatory", options) == "signatory"
    assert map_role("Friend of the network", options) == "member"
    assert map_role("", {"default_role": "partner"}) == "partner"


def test_parsers_are_registered_under_their_names():
    assert set(PARSERS) == {"html_table", "html_list", "html_cards", "prose_list", "json_api", "sichere_haefen_api"}
    for key, parser in PARSERS.items():
        assert parser.name == key and isinstance(parser.version, str) and parser.version
