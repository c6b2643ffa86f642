"""The auto parser and `tcn probe` on layouts they were not written for, with the real gazetteer.

Pages are generated from the bundled member lists (tests/helpers/layouts.py) with menus, a footer naming the
secretariat's city and a news list naming cities, and served over real HTTP; the expected lists are the
bundled lists they were generated from, never the parser's output.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from scrapers.collect import collect_network, parse_response
from scrapers.fetch import make_fetcher
from scrapers.model import FetchedResponse, SourceSpec
from scrapers.registry import load_registry
from tests.helpers.loopback import LoopbackServer, Reply
from tests.helpers.layouts import LAYOUTS, generate, networks_with_lists, scores, snapshot_tables
from warehouse.place_recogniser import open_places
from warehouse.probe import probe

# a spread of list sizes, regions and languages (the benchmark measures every bundled list)
NETWORKS = ("intercultural-cities", "staedte-sicherer-haefen", "welcoming-communities-nz")
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture(scope="module")
def places(gazetteer_db):
    return open_places(gazetteer_db)


def _serve(page):
    return LoopbackServer({path: Reply(200, HTML, body.encode("utf-8")) for path, body in page.pages.items()})


def _fetcher():
    return make_fetcher("live", delay=0.0, jitter=0.0, trust_env=False, retries=0, read_timeout=5)


def _response(body: str, url: str = "https://example.org/members") -> FetchedResponse:
    return FetchedResponse(url=url, final_url=None, status=200, headers=dict(HTML), body=body.encode("utf-8"),
                           error=None, fetched_at=datetime.now(timezone.utc), encoding="utf-8")


def test_the_chosen_networks_have_bundled_lists_to_generate_from():
    assert set(NETWORKS) <= set(networks_with_lists())


@pytest.mark.parametrize("layout", LAYOUTS)
def test_probe_recovers_the_list_a_page_was_generated_from(layout, gazetteer_db, places):
    registry = load_registry()
    for network_id in NETWORKS:
        page = generate(network_id, layout, seed=1)
        with _serve(page) as server, _fetcher() as fetcher:
            report = json.loads(probe(server.url(page.entry), gazetteer_db, network_id, json_output=True,
                                      fetcher=fetcher, places=places))
        best = report["candidates"][0]
        recall, precision = scores([m["name"] for m in best["members"]], page.expected)
        assert recall >= 0.9 and precision >= 0.95, (network_id, layout, recall, precision, best["structure"])
        assert registry.get(network_id).id == network_id


def test_bundled_snapshots_restyled_into_tables_are_still_found(places):
    pages = snapshot_tables(seed=2)
    assert len(pages) >= 5
    registry = load_registry()
    for page in pages:
        network = registry.get(page.network_id)
        spec = SourceSpec(page.network_id, "https://example.org/members", "html", "auto", ("example.org",),
                          {"expected_members": network.stated_member_count, "network_country": network.country_code})
        record = parse_response(spec, _response(page.pages[page.entry]), places=places)
        assert record.parse_status == "ok", record.parse_error
        recall, precision = scores([m.member_name for m in record.mentions], page.expected)
        assert recall >= 0.9 and precision >= 0.95, (page.network_id, recall, precision, record.structure)


def test_a_paginated_directory_is_followed_and_read_the_way_its_first_page_was(places):
    page = generate("unesco-gnlc", "paginated")
    assert len(page.pages) >= 3
    with _serve(page) as server, _fetcher() as fetcher:
        spec = SourceSpec("unesco-gnlc", server.url(page.entry), "html", "auto", ("127.0.0.1",), {})
        result = collect_network("unesco-gnlc", (spec,), fetcher, places=places, mode="live")
    assert [r.parse_status for r in result.records] == ["ok"] * len(page.pages)
    recall, precision = scores([m.member_name for m in result.mentions], page.expected)
    assert recall >= 0.9 and precision >= 0.95


def test_a_page_without_a_member_list_is_refused_below_the_floor(places):
    page = generate("intercultural-cities", "cards")
    body = page.pages[page.entry]
    start, end = body.index("<main"), body.index("</main>")
    spec = SourceSpec("intercultural-cities", "https://example.org/members", "html", "auto", ("example.org",), {})
    record = parse_response(spec, _response(body[:start] + "<main><p>Page not found</p>" + body[end:]),
                            places=places)
    assert record.parse_status == "contract_failed"
    assert "confidence floor" in record.parse_error or "no list of places" in record.parse_error


def test_a_pinned_structure_that_is_gone_is_reported_as_drift(places):
    page = generate("staedte-sicherer-haefen", "table")
    spec = SourceSpec("staedte-sicherer-haefen", "https://example.org/members", "html", "auto", ("example.org",),
                      {"structure": "body > main > ul.members > li"})
    record = parse_response(spec, _response(page.pages[page.entry]), places=places)
    assert record.parse_status == "ok"
    assert record.note.startswith("structure drift: 'body > main > ul.members > li' is gone")
    assert record.structure != "body > main > ul.members > li"


def test_a_failed_contract_names_the_probe_best_candidate_without_applying_it(places):
    page = generate("intercultural-cities", "bullets")
    spec = SourceSpec("intercultural-cities", "https://example.org/members", "html", "html_list", ("example.org",),
                      {"items": "ul.members > li"})
    record = parse_response(spec, _response(page.pages[page.entry]), places=places)
    assert record.parse_status == "contract_failed" and record.mentions == []
    assert "probe's best candidate, not applied: auto body > main" in record.parse_error


def test_auto_without_a_place_recogniser_is_a_contract_failure_naming_it():
    spec = SourceSpec("x", "https://example.org/members", "html", "auto", ("example.org",), {})
    record = parse_response(spec, _response("<html><body><ul><li>Berlin</li></ul></body></html>"))
    assert record.parse_status == "contract_failed" and "place recogniser" in record.parse_error


def test_tcn_probe_on_a_file_prints_json_best_first(tmp_path, gazetteer_db):
    page = generate("welcoming-communities-nz", "table", seed=3)
    path = tmp_path / "members.html"
    path.write_text(page.pages[page.entry], encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(gazetteer_db, data / "warehouse.duckdb")
    proc = subprocess.run([str(Path(sys.executable).parent / "tcn"), "probe", str(path), "--json", "--data-dir",
                           str(data)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["source"] == str(path)
    scores_seen = [c["score"] for c in report["candidates"]]
    assert scores_seen == sorted(scores_seen, reverse=True)
    best = report["candidates"][0]
    assert set(best) >= {"score", "parser", "options", "members"}
    recall, precision = scores([m["name"] for m in best["members"]], page.expected)
    assert recall >= 0.9 and precision >= 0.95
    countries = {m.name: m.country for m in page.expected}
    assert all(m["country"] == countries[m["name"]] for m in best["members"])


def test_tcn_probe_names_a_missing_file_in_one_line(tmp_path):
    proc = subprocess.run([str(Path(sys.executable).parent / "tcn"), "probe", str(tmp_path / "nope.html"),
                           "--data-dir", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"tcn probe: {tmp_path / 'nope.html'}: not an http(s) URL and not a file"


def test_the_next_run_reports_a_list_that_moved_as_structure_drift_and_still_lands_it(tmp_path, data_dir):
    import duckdb
    import yaml

    from warehouse.ingest import scrape_run
    from warehouse.summary import format_summary

    first, second = generate("staedte-sicherer-haefen", "table"), generate("staedte-sicherer-haefen", "cards")
    server = LoopbackServer({"/members": Reply(200, HTML, first.pages[first.entry].encode("utf-8"))})
    folder = tmp_path / "registry"
    folder.mkdir()
    with server:
        (folder / "moved.yaml").write_text(yaml.safe_dump({
            "id": "moved", "name": "moved", "scope": "national", "country_code": "DE",
            "sources": [{"url": server.url("/members"), "kind": "html", "parser": "auto",
                         "allowed_hosts": [server.url_host]}]}), encoding="utf-8")
        registry = load_registry(extra=[folder])
        db = data_dir / "warehouse.duckdb"
        with _fetcher() as fetcher:
            scrape_run(db, "run-1", registry, "live", ["moved"], fetcher=fetcher)
        server.routes["/members"] = Reply(200, HTML, second.pages[second.entry].encode("utf-8"))
        with _fetcher() as fetcher:
            outcomes = scrape_run(db, "run-2", registry, "live", ["moved"], fetcher=fetcher)
    assert [o.status for o in outcomes] == ["ok"]
    with duckdb.connect(str(db), read_only=True) as con:
        rows = dict(con.execute("SELECT run_id, (structure, note, n_mentions) FROM raw.fetches "
                                "JOIN raw.fetch_choices USING (fetch_id, run_id, network_id, url)").fetchall())
    (structure_1, note_1, n_1), (structure_2, note_2, n_2) = rows["run-1"], rows["run-2"]
    assert structure_1 != structure_2 and n_1 == n_2 == len(first.expected)
    assert note_1.startswith("auto chose ") and note_2.startswith(f"structure drift: {structure_1!r} is gone")
    summary = format_summary([{"network_id": "moved", "status": "ok", "mentions": n_2, "members": n_2,
                               "resolved": n_2, "errors": None, "structure_drift": note_2}])
    assert "    ~ structure drift:" in summary
