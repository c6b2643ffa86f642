"""Parsers: bundled snapshots against hand-written golden files, plus the edge cases every page can hit
(missing elements, invisible characters and markup in names, charsets).

The golden files (tests/golden/parsers/<network>.csv) were written from the reference member lists, not
from parser output. Single pages are parsed straight from the registry YAML; every network also runs end to
end through collect_network with the replay fetcher (pagination, member pages, curated files). Pagination
and member-link edge cases use snapshot folders written by each test.
"""
from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from helpers import REPO
from scrapers.collect import collect_network
from scrapers.fetch import make_fetcher
from scrapers.model import FetchedResponse, MemberMention, SourceSpec
from scrapers.parsers import PARSERS, ParseError
from scrapers.parsers.common import clean_name, map_role, normalize_joined
from scrapers.registry import load_registry

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

def registry_specs(network_id: str) -> list[dict]:
    return yaml.safe_load((REGISTRY / f"{network_id}.yaml").read_text(encoding="utf-8")).get("sources") or []


def is_single_page(spec: dict) -> bool:
    """One URL, one parse: no curated file, no pagination, no member pages."""
    options = spec.get("options") or {}
    return "path" not in spec and "next" not in options and "member_links" not in options


SINGLE_PAGE_NETWORKS = [n for n in GOLDEN_NETWORKS if all(is_single_page(s) for s in registry_specs(n))]


def test_at_least_25_networks_have_golden_files_and_a_snapshot_or_curated_file():
    assert len(GOLDEN_NETWORKS) >= 25
    for network_id in GOLDEN_NETWORKS:
        fetched = [s for s in registry_specs(network_id) if "path" not in s]
        assert not fetched or network_id in SNAPSHOT_NETWORKS, f"{network_id}: no snapshot folder"


def test_every_parser_is_used_by_some_snapshot():
    used = set()
    for network_id in GOLDEN_NETWORKS:
        for spec in registry_specs(network_id):
            used.add(spec["parser"])
            used.add((spec.get("options") or {}).get("member_page"))
    assert used - {None} == set(PARSERS)


@pytest.mark.parametrize("network_id", SINGLE_PAGE_NETWORKS)
def test_snapshot_parses_to_golden(network_id):
    registry_file = REGISTRY / f"{network_id}.yaml"
    specs = registry_specs(network_id)
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


@pytest.fixture(scope="module")
def builtin_registry():
    return load_registry()


@pytest.fixture(scope="module")
def replay():
    return make_fetcher("replay", snapshot_dir=SNAPSHOTS)


@pytest.mark.parametrize("network_id", GOLDEN_NETWORKS)
def test_network_collects_to_golden(network_id, builtin_registry, replay):
    """End to end through collect_network and the replay fetcher: pages, member pages, curated files."""
    network = builtin_registry.get(network_id)
    result = collect_network(network_id, network.sources, replay)
    assert result.status == "ok", result.errors
    for record in result.records:
        if record.spec.path is None:  # a page: its members come from its own URL
            assert all(m.source_url == record.spec.url for m in record.mentions)
        else:  # a curated row names its own source
            assert all(m.source_url.startswith(("https://", "http://")) for m in record.mentions)
    got = [as_row(m) for m in result.mentions]
    expected = read_golden(network_id)
    missing, extra = Counter(expected) - Counter(got), Counter(got) - Counter(expected)
    assert not missing and not extra, f"{network_id}: missing {sorted(missing)}; unexpected {sorted(extra)}"


def test_paginated_listing_records_every_page(builtin_registry, replay):
    result = collect_network("mercociudades", builtin_registry.get("mercociudades").sources, replay)
    pages = [r for r in result.records if r.spec.path is None]  # the curated supplement aside
    assert [r.spec.url for r in pages] == [
        "https://mercociudades.org/ciudades-miembro/",
        "https://mercociudades.org/ciudades-miembro/page/2/",
        "https://mercociudades.org/ciudades-miembro/page/3/"]
    assert [len(r.mentions) for r in pages] == [5, 5, 2]
    assert result.notes == []  # the last page has no next link: a normal end


def test_member_pages_are_fetched_from_the_index(builtin_registry, replay):
    result = collect_network("integrating-cities", builtin_registry.get("integrating-cities").sources, replay)
    index, *members = [r for r in result.records if r.spec.path is None]  # the curated supplement aside
    assert (index.spec.url, index.spec.parser, index.parse_status, index.mentions) == (
        "https://integratingcities.eu/signatories/", "link_index", "ok", [])
    assert len(members) == 25 and len({r.spec.url for r in members}) == 25
    assert all(r.spec.parser == "html_cards" and len(r.mentions) == 1 for r in members)
    antwerp = next(r for r in members if r.mentions[0].member_name == "Antwerp")
    assert antwerp.spec.url == "https://integratingcities.eu/signatories/antwerp/"
    assert antwerp.mentions[0].source_url == antwerp.spec.url


def test_curated_rows_keep_their_own_source(builtin_registry, replay):
    result = collect_network("communes-hospitalieres", builtin_registry.get("communes-hospitalieres").sources,
                             replay)
    curated = next(r for r in result.records if r.spec.path is not None)
    assert curated.spec.url == "file-curated://communes-hospitalieres/communes-hospitalieres.csv"
    assert curated.response.status == 200 and curated.response.final_url == curated.spec.url
    sources = {m.member_name: m.source_url for m in curated.mentions}
    assert sources["Bastogne"].startswith("https://www.bastogne.be/")
    assert sources["Vielsalm"].startswith("https://www.levif.be/")


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
    assert set(PARSERS) == {"html_table", "html_list", "html_cards", "prose_list", "json_api", "sichere_haefen_api",
                            "script_json", "curated_table", "link_index"}
    for key, parser in PARSERS.items():
        assert parser.name == key and isinstance(parser.version, str) and parser.version


# ------------------------------------------------------------------------------------------ script_json

MAP_PAGE = """<html><head><script>var settings = {"zoom": 6};</script></head><body><div id="map"></div>
<script>
  // the markers
  var markers = [{"title": "Sheffield", "since": "18.06.2007", "nation": "England"},
                 {"title": "<b>Swansea</b>", "since": null}, {"title": ""}];
  markers.forEach(function (m) { draw(m); });
</script></body></html>"""


def test_script_json_reads_a_variable_assignment():
    options = {"variable": "markers", "name": "title", "joined": "since", "country": "nation"}
    rows = [as_row(m) for m in PARSERS["script_json"].parse(make_response(MAP_PAGE), options)]
    assert rows == [("Sheffield", "England", "member", "2007-06-18", ""), ("Swansea", "", "member", "", "")]


def test_script_json_reads_an_application_json_script_with_a_records_path():
    body = """<script>var x = 1;</script><script type="application/json" id="map-data">
      {"data": {"councils": [{"council": "Playford", "member_since": 2020}]}}</script>"""
    options = {"script": "script#map-data", "records": "data.councils", "name": "council", "joined": "member_since"}
    rows = [as_row(m) for m in PARSERS["script_json"].parse(make_response(body), options)]
    assert rows == [("Playford", "", "member", "2020", "")]


@pytest.mark.parametrize("body,options,message", [
    (MAP_PAGE, {"variable": "groups"}, "no script assigns variable 'groups'"),
    ("<script>var markers = [{title: 'Leeds'}];</script>", {"variable": "markers"}, "not strict JSON"),
    ("<p>no scripts</p>", {"variable": "markers"}, "no element matches 'script'"),
    ('<script id="d" type="application/json">{"a": [}</script>', {"script": "#d"}, "not valid JSON"),
    ('<script id="d" type="application/json">{"a": {}}</script>', {"script": "#d", "records": "a"}, "not a list"),
    ('<script id="d" type="application/json">{"a": []}</script>', {"script": "#d", "records": "b"},
     "no records at path 'b'"),
])
def test_script_json_errors_name_the_url(body, options, message):
    with pytest.raises(ParseError) as excinfo:
        PARSERS["script_json"].parse(make_response(body), options)
    assert message in str(excinfo.value) and URL in str(excinfo.value)


def test_script_json_does_not_match_a_longer_name_or_a_comparison():
    body = """<script>var allmarkers = [{"name": "Wrong"}]; if (markers == null) {}
      window.markers = [{"name": "Right"}];</script>"""
    names = [m.member_name for m in PARSERS["script_json"].parse(make_response(body), {"variable": "markers"})]
    assert names == ["Right"]


# ---------------------------------------------------------------------------------------- curated_table

CURATED_URL = "file-curated://test-network/members.csv"
COLUMNS = {"name": "member", "country": "country", "role": "role", "joined": "joined", "source_url": "source_url"}


def curated_response(body: bytes | str) -> FetchedResponse:
    return make_response(body, headers={"Content-Type": "text/csv; charset=utf-8"}, url=CURATED_URL)


def test_curated_csv_rows_keep_their_source_and_formula_looking_names_verbatim():
    body = ('\ufeffmember,country,role,joined,source_url,notes\n'
            'Pesaro,Italy,founding,2019-12,https://press.example/a,\n'
            '"=HYPERLINK(""http://evil.example"",""x"")",,,,https://press.example/b,\n'
            '+SUM(1;2),,member,,https://press.example/c,\n'
            '@cmd,,,,https://press.example/d,\n'
            '-Minus,,,,https://press.example/e,\n'
            ',,,,,blank name is skipped\n'
            '\n')
    mentions = PARSERS["curated_table"].parse(curated_response(body), {"columns": COLUMNS})
    assert [as_row(m) for m in mentions] == [
        ("Pesaro", "Italy", "founding", "2019-12", ""),
        ('=HYPERLINK("http://evil.example","x")', "", "member", "", ""),
        ("+SUM(1;2)", "", "member", "", ""), ("@cmd", "", "member", "", ""), ("-Minus", "", "member", "", "")]
    assert [m.source_url for m in mentions] == [f"https://press.example/{c}" for c in "abcde"]


def test_curated_csv_left_column_marks_past_members():
    body = ("member,joined,left,source_url\n"
            "Pesaro,2019,,https://press.example/a\n"
            "Marsa,2019-12,31.03.2021,https://press.example/b\n")
    mentions = PARSERS["curated_table"].parse(
        curated_response(body), {"columns": {"name": "member", "joined": "joined", "left": "left",
                                             "source_url": "source_url"}})
    assert [(m.member_name, m.joined, m.left_on) for m in mentions] == [
        ("Pesaro", "2019", None), ("Marsa", "2019-12", "2021-03-31")]


def test_curated_csv_missing_mapped_column_names_file_and_column():
    body = "member,nation,source_url\nPesaro,Italy,https://press.example/a\n"
    with pytest.raises(ParseError) as excinfo:
        PARSERS["curated_table"].parse(curated_response(body), {"columns": {"name": "member", "country": "country"}})
    message = str(excinfo.value)
    assert CURATED_URL in message and "'country'" in message and "nation" in message


def test_curated_csv_row_without_its_source_is_refused():
    body = "member,source_url\nPesaro,https://press.example/a\nMarsa,\n"
    with pytest.raises(ParseError, match=r"row 3 \('Marsa'\) has no source"):
        PARSERS["curated_table"].parse(curated_response(body), {"columns": {"name": "member", "source_url": "source_url"}})


def test_curated_csv_without_a_source_column_uses_the_file_url():
    body = "Member\nKiel\n"
    mentions = PARSERS["curated_table"].parse(curated_response(body), {"columns": {"name": "member"}})
    assert [(m.member_name, m.source_url) for m in mentions] == [("Kiel", CURATED_URL)]


def test_curated_xlsx_is_read_as_text_and_formulas_stay_verbatim(tmp_path):
    from datetime import datetime as dt

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Notes"
    sheet = workbook.create_sheet("Members")
    sheet.append(["Member", "Joined", "Kind", "Source"])
    sheet.append(["Landkreis Cuxhaven", dt(2019, 7, 4), "district", "https://press.example/a"])
    sheet.append(['=HYPERLINK("http://evil.example","x")', 2019, None, "https://press.example/b"])
    path = tmp_path / "members.xlsx"
    workbook.save(path)
    response = make_response(path.read_bytes(), url="file-curated://x/members.xlsx",
                             headers={"Content-Type": "application/octet-stream"})
    options = {"sheet": "Members",
               "columns": {"name": "member", "joined": "joined", "member_kind": "kind", "source_url": "source"}}
    rows = [as_row(m) for m in PARSERS["curated_table"].parse(response, options)]
    assert rows == [("Landkreis Cuxhaven", "", "member", "2019-07-04", "district"),
                    ('=HYPERLINK("http://evil.example","x")', "", "member", "2019", "")]
    with pytest.raises(ParseError, match="no sheet 'Mitglieder'.*members.xlsx|members.xlsx.*no sheet 'Mitglieder'"):
        PARSERS["curated_table"].parse(response, {**options, "sheet": "Mitglieder"})


def test_curated_table_refuses_a_broken_workbook_and_a_bad_mapping():
    broken = make_response(b"PK\x03\x04not really a zip", url=CURATED_URL)
    with pytest.raises(ParseError, match="not a readable XLSX workbook"):
        PARSERS["curated_table"].parse(broken, {"columns": {"name": "member"}})
    with pytest.raises(ParseError, match="needs option columns"):
        PARSERS["curated_table"].parse(curated_response("member\nKiel\n"), {})
    with pytest.raises(ParseError, match="not fields"):
        PARSERS["curated_table"].parse(curated_response("member\nKiel\n"), {"columns": {"name": "member", "town": "x"}})


# ------------------------------------------------------------------- collect: pages, member pages, files

HTML = {"Content-Type": "text/html; charset=utf-8"}


def write_snapshots(root: Path, pages: dict[str, str], network_id: str = "test-net") -> Path:
    """A snapshot folder answering each URL with its body (bodies written by the test)."""
    folder = root / network_id
    folder.mkdir(parents=True)
    responses = []
    for i, (url, body) in enumerate(pages.items()):
        (folder / f"{i}.html").write_text(body, encoding="utf-8")
        responses.append({"url": url, "status": 200, "headers": HTML, "body_file": f"{i}.html",
                          "recorded_at": "2026-01-01T00:00:00Z"})
    manifest = {"network_id": network_id, "provenance": "written by a test", "sources": [], "responses": responses}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


def listing(names: list[str], next_href: str | None = None) -> str:
    items = "".join(f"<li>{n}</li>" for n in names)
    link = f'<a class="next" href="{next_href}">next</a>' if next_href else ""
    return f"<html><body><ul class='m'>{items}</ul><nav>{link}</nav></body></html>"


def paginated_spec(**options) -> SourceSpec:
    return SourceSpec("test-net", "https://site.example/members/", "html", "html_list", ("site.example",),
                      {"items": "ul.m li", "next": "a.next", **options})


def collect(tmp_path, pages: dict[str, str], spec: SourceSpec):
    fetcher = make_fetcher("replay", snapshot_dir=write_snapshots(tmp_path, pages))
    return collect_network(spec.network_id, (spec,), fetcher)


def test_pagination_follows_relative_and_absolute_next_links_to_the_last_page(tmp_path):
    pages = {"https://site.example/members/": listing(["Kiel"], "?page=2#list"),
             "https://site.example/members/?page=2": listing(["Bonn"], "https://site.example/members/?page=3"),
             "https://site.example/members/?page=3": listing(["Jena"])}
    result = collect(tmp_path, pages, paginated_spec())
    assert [r.spec.url for r in result.records] == list(pages)
    assert [[m.member_name for m in r.mentions] for r in result.records] == [["Kiel"], ["Bonn"], ["Jena"]]
    assert [m.source_url for m in result.mentions] == list(pages)
    assert result.status == "ok" and result.notes == []


def test_pagination_stops_on_a_repeated_url(tmp_path):
    pages = {"https://site.example/members/": listing(["Kiel"], "?page=2"),
             "https://site.example/members/?page=2": listing(["Bonn"], "/members/")}  # back to page 1
    result = collect(tmp_path, pages, paginated_spec())
    assert [r.spec.url for r in result.records] == list(pages)
    assert [m.member_name for m in result.mentions] == ["Kiel", "Bonn"]
    assert result.status == "ok"
    assert "points back to https://site.example/members/" in result.records[-1].note


def test_pagination_stops_on_repeated_content(tmp_path):
    # a site that answers any page number with the same page, whose next link always moves on
    same = listing(["Bonn"], "?page=next")
    pages = {"https://site.example/members/": listing(["Kiel"], "?page=2"),
             "https://site.example/members/?page=2": same,
             "https://site.example/members/?page=next": same}
    result = collect(tmp_path, pages, paginated_spec())
    assert [r.spec.url for r in result.records] == list(pages)  # the repeat is recorded ...
    assert [m.member_name for m in result.mentions] == ["Kiel", "Bonn"]  # ... but yields nothing twice
    last = result.records[-1]
    assert last.parse_status == "ok" and last.mentions == []
    assert "repeats the content of https://site.example/members/?page=2" in last.note


def test_pagination_stops_at_max_pages(tmp_path):
    pages = {f"https://site.example/members/?page={i}": listing([f"Town {i}"], f"?page={i + 1}") for i in range(1, 6)}
    spec = replace(paginated_spec(max_pages=2), url="https://site.example/members/?page=1")
    result = collect(tmp_path, pages, spec)
    assert [m.member_name for m in result.mentions] == ["Town 1", "Town 2"]
    assert "max_pages=2" in result.records[-1].note and "?page=3 was not fetched" in result.records[-1].note


def test_pagination_next_link_off_the_allow_list_is_refused_and_recorded(tmp_path):
    pages = {"https://site.example/members/": listing(["Kiel"], "https://ads.example/next")}
    result = collect(tmp_path, pages, paginated_spec())
    refused = result.records[-1]
    assert (refused.spec.url, refused.parse_status, refused.response.error) == (
        "https://ads.example/next", "fetch_failed", "host_not_allowed")
    assert result.status == "fetch_failed" and "https://ads.example/next" in refused.parse_error


def member_page(name: str, since: str) -> str:
    return f"<html><body><main><h1>{name}</h1><p class='since'><time datetime='{since}'>{since}</time></p></main></body></html>"


def index_spec(**options) -> SourceSpec:
    return SourceSpec("test-net", "https://site.example/cities/", "html", "link_index", ("site.example",),
                      {"member_links": "ul.cities a", "member_page": "html_cards",
                       "member_options": {"card": "main", "name": "h1", "joined": ".since"}, **options})


def test_member_links_leaving_the_allow_list_are_refused_and_recorded(tmp_path):
    index = """<ul class="cities"><li><a href="/cities/kiel/">Kiel</a></li><li><a href="kiel/#top">Kiel again</a></li>
      <li><a href="https://tracker.example/bonn">Bonn</a></li><li><a href="mailto:x@site.example">mail</a></li>
      <li><a href="/cities/">all cities</a></li></ul>"""
    pages = {"https://site.example/cities/": index,
             "https://site.example/cities/kiel/": member_page("Kiel", "2019-07-04")}
    result = collect(tmp_path, pages, index_spec())
    assert [(r.spec.url, r.spec.parser, r.parse_status) for r in result.records] == [
        ("https://site.example/cities/", "link_index", "ok"),
        ("https://site.example/cities/kiel/", "html_cards", "ok"),
        ("https://tracker.example/bonn", "html_cards", "fetch_failed")]
    assert [as_row(m) for m in result.mentions] == [("Kiel", "", "member", "2019-07-04", "")]
    assert result.records[-1].response.error == "host_not_allowed"
    assert result.status == "fetch_failed"


def test_member_pages_are_bounded_by_max_pages(tmp_path):
    names = ["Kiel", "Bonn", "Jena"]
    index = "<ul class='cities'>" + "".join(f"<li><a href='/c/{n}'>{n}</a></li>" for n in names) + "</ul>"
    pages = {"https://site.example/cities/": index,
             **{f"https://site.example/c/{n}": member_page(n, "2020") for n in names}}
    result = collect(tmp_path, pages, index_spec(max_pages=2))
    assert [m.member_name for m in result.mentions] == ["Kiel", "Bonn"]
    assert "3 member links" in result.records[0].note and "max_pages=2" in result.records[0].note


def test_index_without_member_links_fails_naming_the_url(tmp_path):
    pages = {"https://site.example/cities/": "<p>The list moved.</p>"}
    result = collect(tmp_path, pages, index_spec())
    (index,) = result.records
    assert index.parse_status == "contract_failed"
    assert "no element matches 'ul.cities a'" in index.parse_error and "https://site.example/cities/" in index.parse_error


def test_missing_curated_file_is_a_fetch_failure_naming_the_path(tmp_path):
    missing = tmp_path / "gone.csv"
    spec = SourceSpec("test-net", "file-curated://test-net/gone.csv", "csv", "curated_table", (),
                      {"columns": {"name": "member"}}, path=str(missing))
    result = collect_network("test-net", (spec,), make_fetcher("replay", snapshot_dir=write_snapshots(tmp_path, {})))
    (record,) = result.records
    assert record.parse_status == "fetch_failed" and str(missing) in record.parse_error
    assert record.response.error == "file_not_found"


def test_curated_file_with_a_missing_column_fails_naming_the_file_and_column(tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("member,nation\nKiel,Germany\n", encoding="utf-8")
    spec = SourceSpec("test-net", "file-curated://test-net/members.csv", "csv", "curated_table", (),
                      {"columns": {"name": "member", "country": "country"}}, path=str(path))
    result = collect_network("test-net", (spec,), make_fetcher("replay", snapshot_dir=write_snapshots(tmp_path, {})))
    (record,) = result.records
    assert record.parse_status == "contract_failed"
    assert "file-curated://test-net/members.csv" in record.parse_error and "'country'" in record.parse_error
