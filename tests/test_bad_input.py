"""Hostile and broken inputs, each through the real path: a loopback HTTP server answers, the live fetcher
fetches, the registry's parser parses, collect.py judges. Every case must end in a clear outcome whose message
names the network and the input (URL or file), and a bad network must cost nothing to the others.

Inputs already covered elsewhere are listed (with their tests) in docs/reliability.md; the cases here are the
ones that were missing, or that the other tests check only below collect (without the network's name).
"""
from __future__ import annotations

import contextlib
import gzip
import json
import os
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
import pytest
import yaml

from helpers.dbt import run_dbt
from helpers.loopback import LoopbackServer, Reply, closed_port
from scrapers.collect import collect_network
from scrapers.fetch import make_fetcher
from scrapers.model import SourceSpec
from scrapers.registry import RegistryError, load_registry

LOCAL = ("127.0.0.1",)
HTML = {"Content-Type": "text/html; charset=utf-8"}
JSON = {"Content-Type": "application/json"}
LIST = {"items": "ul.members > li"}


def page(*names: str, extra: str = "") -> bytes:
    items = "".join(f"<li>{n}</li>" for n in names)
    return f"<html><body><ul class='members'>{items}</ul>{extra}</body></html>".encode("utf-8")


@dataclass
class Case:
    """One hostile input. `routes` maps paths to replies; a callable gets the server (for absolute URLs)."""

    routes: dict | Callable[[LoopbackServer], dict]
    expect_status: str  # the network's status after collect: ok | fetch_failed | contract_failed | parse_failed
    expect_text: str = ""  # must appear in the error (or, for ok cases, in the note)
    expect_members: list[str] | None = None  # exact member names, for ok cases
    parser: str = "html_list"
    options: dict = field(default_factory=lambda: dict(LIST))
    fetcher_options: dict = field(default_factory=dict)
    url: str = "/members"
    # the input the message must name, when it is not the source URL (e.g. a member page the index links)
    names_input: Callable[[LoopbackServer], str] | None = None


def _endless(seen) -> Reply:
    """Every page links a next one with new content (a calendar, a broken counter)."""
    n = int(seen.path.partition("?p=")[2] or 1)
    return Reply(200, HTML, page(f"Town {n}", extra=f"<a class='next' href='/members?p={n + 1}'>next</a>"))


CASES: dict[str, Case] = {
    # --- what arrives: sizes, transfer, encodings --------------------------------------------------
    "empty body": Case({"/members": Reply(200, HTML, b"")}, "contract_failed", "no element matches"),
    "truncated transfer (Content-Length longer than the body)": Case(
        {"/members": Reply(200, {**HTML, "Content-Length": "5000"}, page("Kiel")[:60], send_length=False)},
        "fetch_failed", "connection_error"),
    "truncated HTML (cut in the middle of a name)": Case(
        {"/members": Reply(200, HTML, page("Kiel", "Frankfurt am Main")[:-40])}, "contract_failed",
        "cut short"),
    "6 MiB page (over the 5 MiB cap)": Case(
        {"/members": Reply(200, HTML, page("Kiel", extra="<!--" + "x" * (6 << 20) + "-->"))},
        "fetch_failed", "too_large"),
    "gzip bomb (6 KiB on the wire, 6 MiB unpacked)": Case(
        {"/members": Reply(200, {**HTML, "Content-Encoding": "gzip"},
                           gzip.compress(page("Kiel", extra=" " * (6 << 20))))},
        "fetch_failed", "too_large"),
    "wrong charset (says UTF-8, sends windows-1252)": Case(
        {"/members": Reply(200, HTML, page("Malmö", "Göttingen").decode("utf-8").encode("cp1252"))},
        "contract_failed", "charset is wrong or missing"),
    "missing charset with Latin-1 bytes": Case(
        {"/members": Reply(200, {"Content-Type": "text/html"}, page("Liège").decode().encode("latin-1"))},
        "contract_failed", "charset is wrong or missing"),
    "mojibake published by the site (UTF-8 read as cp1252)": Case(
        {"/members": Reply(200, HTML, page("MÃ¼nchen", "MalmÃ¶", "Ã…lesund"))}, "ok",
        expect_members=["München", "Malmö", "Ålesund"]),
    "binary body (an image) where HTML was promised": Case(
        {"/members": Reply(200, HTML, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)}, "contract_failed",
        "no element matches"),
    # --- what the site says --------------------------------------------------------------------------
    "HTTP 200 not-found page (soft 404)": Case(
        {"/members": Reply(200, HTML, b"<html><body><h1>Page not found</h1></body></html>")},
        "contract_failed", "no element matches 'ul.members > li'"),
    "redirect to a login host": Case(
        lambda s: {"/members": Reply(302, {"Location": f"http://localhost:{s.port}/login"}),
                   "/login": Reply(200, HTML, page("Kiel"))},
        "fetch_failed", "redirect_not_allowed"),
    "redirect loop": Case(
        {"/members": Reply(302, {"Location": "/members-b"}), "/members-b": Reply(302, {"Location": "/members"})},
        "fetch_failed", "too_many_redirects"),
    "connection refused (site down)": Case({}, "fetch_failed", "connection_error",
                                           url=f"http://127.0.0.1:{closed_port()}/members"),
    "HTTP 503 on every try": Case({"/members": Reply(503, HTML, b"maintenance")}, "fetch_failed",
                                  "retries_exhausted", fetcher_options={"retries": 1}),
    "no answer within the read timeout": Case(
        {"/members": Reply(200, HTML, page("Kiel"), delay=3.0)}, "fetch_failed", "timeout",
        fetcher_options={"read_timeout": 0.3}),
    # --- pagination ----------------------------------------------------------------------------------
    "looping pagination (page 2 links back to page 1)": Case(
        {"/members": Reply(200, HTML, page("Kiel", extra="<a class='next' href='/members-2'>next</a>")),
         "/members-2": Reply(200, HTML, page("Bonn", extra="<a class='next' href='/members'>next</a>"))},
        "ok", "points back to", expect_members=["Kiel", "Bonn"], options={**LIST, "next": "a.next"}),
    "endless pagination answering every page with the same content": Case(
        {"/members": Reply(200, HTML, page("Kiel", extra="<a class='next' href='?page=2'>next</a>"))},
        "ok", "repeats the content", expect_members=["Kiel"], options={**LIST, "next": "a.next"}),
    "endless pagination with new content on every page": Case(
        {"/members": _endless}, "ok", "max_pages=3", options={**LIST, "next": "a.next", "max_pages": 3}),
    "a next link that is javascript:": Case(
        {"/members": Reply(200, HTML, page("Kiel", extra="<a class='next' href='javascript:load(2)'>next</a>"))},
        "ok", expect_members=["Kiel"], options={**LIST, "next": "a.next"}),
    # --- names ----------------------------------------------------------------------------------------
    "duplicate members in different Unicode forms (NFC, NFD)": Case(
        {"/members": Reply(200, HTML, page(unicodedata.normalize("NFC", "Malmö"),
                                           unicodedata.normalize("NFD", "Malmö"), "Bonn"))},
        "ok", expect_members=["Malmö", "Malmö", "Bonn"]),  # two mentions, one member (checked below)
    "zero-width characters in names": Case(
        {"/members": Reply(200, HTML, page("Ber\u200blin", "\u2060Kiel\ufeff", "Bo\u200dnn"))}, "ok",
        expect_members=["Berlin", "Kiel", "Bonn"]),
    "RTL overrides and bidi isolates in names": Case(
        {"/members": Reply(200, HTML, page("Kiel\u202e", "\u2067Bonn\u2069", "\u202dJena\u202c"))}, "ok",
        expect_members=["Kiel", "Bonn", "Jena"]),
    "10,000-character name": Case(
        {"/members": Reply(200, HTML, page("Kiel", "Bonn" + "n" * 9996))}, "contract_failed",
        "10000 characters"),
    "HTML and script inside a name (HTML page)": Case(
        {"/members": Reply(200, HTML, page("Kiel<script>document.write('Evil')</script><noscript>Enable JS</noscript>",
                                           "<img src=x onerror=alert(1)>Bonn", "<style>li{}</style>Jena"))},
        "ok", expect_members=["Kiel", "Bonn", "Jena"]),
    "HTML and script inside a name (JSON API)": Case(
        {"/api": Reply(200, JSON, json.dumps({"data": [
            {"name": "<script>alert('x')</script>Kiel<noscript>Enable JS</noscript>"},
            {"name": "&lt;b&gt;Bonn&lt;/b&gt;"}]}).encode())},
        "ok", expect_members=["Kiel", "Bonn"], parser="json_api", options={"records": "data"}, url="/api"),
    "=HYPERLINK(...) and other formula names": Case(
        {"/members": Reply(200, HTML, page('=HYPERLINK("http://evil.example","Kiel")', "+Bonn", "@SUM(1)"))},
        "ok", expect_members=['=HYPERLINK("http://evil.example","Kiel")', "+Bonn", "@SUM(1)"]),
    "SQL-looking names": Case(
        {"/members": Reply(200, HTML, page("Kiel'; DROP TABLE raw.fetches; --", "Bonn\" OR 1=1 --"))}, "ok",
        expect_members=["Kiel'; DROP TABLE raw.fetches; --", 'Bonn" OR 1=1 --']),
    "control characters and NUL in names": Case(
        {"/api": Reply(200, JSON, json.dumps({"data": [{"name": "Ki\u0000el\u0007"}, {"name": "Bo\u001bnn"}]}).encode())},
        "ok", expect_members=["Kiel", "Bonn"], parser="json_api", options={"records": "data"}, url="/api"),
    "lone surrogates in a JSON name": Case(
        {"/api": Reply(200, JSON, b'{"data": [{"name": "\\ud800Kiel"}, {"name": "Bonn\\udfff"}]}')},
        "ok", expect_members=["Kiel", "Bonn"], parser="json_api", options={"records": "data"}, url="/api"),
    # --- JSON APIs ------------------------------------------------------------------------------------
    "malformed JSON answer": Case(
        {"/api": Reply(200, JSON, b'{"data": [{"name": "Kiel"},')}, "contract_failed", "invalid JSON",
        parser="json_api", options={"records": "data"}, url="/api"),
    "JSON answer of a different schema": Case(
        {"/api": Reply(200, JSON, b'{"results": {"cities": [{"title": "Kiel"}]}}')}, "contract_failed",
        "no records at path 'data'", parser="json_api", options={"records": "data"}, url="/api"),
    "JSON records whose names are objects": Case(
        {"/api": Reply(200, JSON, b'{"data": [{"name": {"en": "Kiel"}}, {"name": ["Bonn"]}]}')},
        "parse_failed", "no members found", parser="json_api", options={"records": "data"}, url="/api"),
    "JSON nested 100,000 levels deep": Case(
        {"/api": Reply(200, JSON, b"[" * 100_000 + b"]" * 100_000)}, "contract_failed", "nested too deeply",
        parser="json_api", options={"records": ""}, url="/api"),
    # --- member pages ---------------------------------------------------------------------------------
    "member links to file: and to another host": Case(
        lambda s: {"/members": Reply(200, HTML, (
            "<html><body><a class='m' href='file:///etc/passwd'>x</a>"
            f"<a class='m' href='http://localhost:{s.port}/kiel'>Kiel</a></body></html>").encode())},
        "fetch_failed", "host_not_allowed", parser="link_index",
        options={"member_links": "a.m", "member_page": "html_cards",
                 "member_options": {"card": "main", "name": "h1"}},
        names_input=lambda s: f"http://localhost:{s.port}/kiel"),
}


def _collect(case: Case, server: LoopbackServer, network_id: str):
    url = case.url if case.url.startswith("http") else server.url(case.url)
    spec = SourceSpec(network_id, url, "json" if case.parser == "json_api" else "html", case.parser, LOCAL,
                      dict(case.options))
    fetcher = make_fetcher("live", **{"delay": 0.0, "jitter": 0.0, "connect_timeout": 2.0, "read_timeout": 2.0,
                                      "retries": 0, "backoff_factor": 0.01, "trust_env": False,
                                      **case.fetcher_options})
    try:
        return collect_network(network_id, (spec,), fetcher), url
    finally:
        fetcher.close()


def _network_id(name: str) -> str:
    return "bad-" + "".join(ch if ch.isalnum() else "-" for ch in name.lower())[:40].strip("-")


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_ends_in_a_clear_outcome_naming_network_and_input(name):
    case = CASES[name]
    network_id = _network_id(name)
    with LoopbackServer() as server:
        server.routes.update(case.routes(server) if callable(case.routes) else case.routes)
        result, url = _collect(case, server, network_id)
        if case.names_input is not None:
            url = case.names_input(server)
    assert result.status == case.expect_status, (result.status, result.errors)
    if case.expect_status == "ok":
        assert not result.errors
        if case.expect_members is not None:
            assert [m.member_name for m in result.mentions] == case.expect_members
        if case.expect_text:
            assert any(case.expect_text in n for n in result.notes), result.notes
    else:
        assert result.errors, "a failure must say why"
        message = "; ".join(result.errors)
        assert network_id in message and url in message, message
        assert case.expect_text in message, message
        assert not result.mentions  # nothing of a broken source is kept


def test_slow_drip_is_cut_off_by_the_total_time_cap():
    """A server that sends one byte every 0.1 s never trips the read timeout; the whole-response cap must."""
    import socket
    import threading
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    port, stop = listener.getsockname()[1], threading.Event()

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
                for _ in range(200):  # at most 20 s, far past the cap
                    if stop.is_set():
                        break
                    try:
                        conn.sendall(b"x")
                    except OSError:
                        break
                    time.sleep(0.1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}/members"
    fetcher = make_fetcher("live", delay=0.0, jitter=0.0, read_timeout=2.0, max_seconds=0.5, retries=0,
                           obey_robots=False, trust_env=False)
    try:
        started = time.monotonic()
        result = collect_network("bad-drip", (SourceSpec("bad-drip", url, "html", "html_list", LOCAL, LIST),), fetcher)
        took = time.monotonic() - started
    finally:
        fetcher.close()
        stop.set()
        listener.close()
        thread.join(5)
    assert result.status == "fetch_failed"
    assert result.errors == [f"bad-drip: fetching {url} failed: timeout"]
    assert took < 5  # cut at ~0.5 s, not after the 20 s the drip would last


def test_duplicates_in_other_unicode_forms_are_one_member():
    case = CASES["duplicate members in different Unicode forms (NFC, NFD)"]
    with LoopbackServer(case.routes) as server:
        result, _ = _collect(case, server, "bad-unicode")
    assert len(result.mentions) == 3 and [m[0] for m in result.members] == ["Bonn", "Malmö"]
    assert all(unicodedata.is_normalized("NFC", m.member_name) for m in result.mentions)


def test_hostile_cases_number_at_least_thirty():
    assert len(CASES) >= 30  # plus the slow drip, registry, curated-file and settings cases below


# ------------------------------------------------------------------ a whole scrape run with every bad input

def test_bad_networks_cost_the_good_one_nothing_in_a_real_scrape_run(tmp_path, gazetteer_db):
    """Every hostile case above as its own network in one live run (plus one good network): the run
    completes, each bad network is recorded with its reason, every hostile name that was kept lands in
    raw verbatim, and the good network's members all land."""
    from warehouse.ingest import scrape_run

    db = tmp_path / "w.duckdb"
    shutil.copy(gazetteer_db, db)
    folder = tmp_path / "registry"
    folder.mkdir()
    cases = {name: case for name, case in CASES.items() if not name.startswith("connection refused")}
    ids = {}
    with contextlib.ExitStack() as stack:
        for index, (name, case) in enumerate(sorted(cases.items())):
            network_id = f"bad-{index:02d}"
            ids[network_id] = (name, case)
            server = stack.enter_context(LoopbackServer())  # one server (port) per network
            server.routes.update(case.routes(server) if callable(case.routes) else case.routes)
            _write_network(folder, network_id, server.url(case.url), case)
        good = stack.enter_context(LoopbackServer({"/members": Reply(200, HTML, page("Kiel", "Bonn", "Jena"))}))
        _write_network(folder, "good-net", good.url("/members"), Case({}, "ok"))
        registry = load_registry(extra=[folder])
        fetcher = stack.enter_context(make_fetcher("live", delay=0.0, jitter=0.0, read_timeout=1.0, retries=0,
                                                   trust_env=False))
        outcomes = scrape_run(db, "run-bad", registry, "live", sorted([*ids, "good-net"]), fetcher=fetcher)
    by_id = {o.network_id: o for o in outcomes}
    assert by_id["good-net"].status == "ok" and by_id["good-net"].mentions == 3
    for network_id, (name, case) in ids.items():
        outcome = by_id[network_id]
        if case.expect_status == "ok":
            assert outcome.status in ("ok", "unchanged"), (name, outcome)
        else:
            assert outcome.status == case.expect_status, (name, outcome)
            assert outcome.errors and all(network_id in e for e in outcome.errors), (name, outcome)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.run_completions WHERE run_id = 'run-bad'").fetchone()[0] == 1
        stored = {r[0] for r in con.execute("SELECT member_name FROM raw.member_mentions").fetchall()}
        failed_mentions = con.execute(
            """SELECT count(*) FROM raw.member_mentions m JOIN raw.network_runs n USING (run_id, network_id)
               WHERE n.status NOT IN ('ok', 'unchanged')""").fetchone()[0]
    assert {"Kiel'; DROP TABLE raw.fetches; --", '=HYPERLINK("http://evil.example","Kiel")', "München"} <= stored
    assert {"Kiel", "Bonn", "Jena"} <= stored
    assert failed_mentions == 0  # nothing of a failed network is loaded


def _write_network(folder: Path, network_id: str, url: str, case: Case) -> None:
    (folder / f"{network_id}.yaml").write_text(yaml.safe_dump({
        "id": network_id, "name": network_id, "scope": "national", "country_code": "DE",
        "sources": [{"url": url, "kind": "json" if case.parser == "json_api" else "html", "parser": case.parser,
                     "allowed_hosts": ["127.0.0.1"], "options": case.options}]}), encoding="utf-8")


# ------------------------------------------------------------------ registry, curated files, settings

def _registry_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_registry_yaml_alias_bomb_is_refused_naming_the_file(tmp_path):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    text = "id: bomb\nname: Bomb\nscope: global\ncited_sources:\n" + "\n".join("  " + line for line in levels) + "\n"
    path = _registry_file(tmp_path, text)
    with pytest.raises(RegistryError, match="aliases") as info:
        load_registry(builtin_dir=tmp_path)
    assert str(path) in str(info.value)


def test_registry_yaml_that_is_not_a_mapping_is_refused(tmp_path):
    path = _registry_file(tmp_path, "- id: x\n- name: X\n")
    with pytest.raises(RegistryError, match="expected a mapping") as info:
        load_registry(builtin_dir=tmp_path)
    assert str(path) in str(info.value)


def test_registry_yaml_source_with_a_file_url_is_refused(tmp_path):
    path = _registry_file(tmp_path, yaml.safe_dump({"id": "x", "name": "X", "scope": "global", "sources": [
        {"url": "file:///etc/passwd", "kind": "html", "parser": "html_list", "allowed_hosts": ["localhost"]}]}))
    with pytest.raises(RegistryError, match=r"'sources\[0\]\.url'.*not an http\(s\) URL") as info:
        load_registry(builtin_dir=tmp_path)
    assert str(path) in str(info.value)


def test_curated_csv_that_is_really_an_html_page_fails_naming_file_and_column(tmp_path):
    from scrapers.collect import collect_source

    csv_path = tmp_path / "members.csv"
    csv_path.write_text("<html><body>Please log in</body></html>\n", encoding="utf-8")
    registry_dir = tmp_path / "registry"
    registry_dir.mkdir()
    (registry_dir / "cur.yaml").write_text(yaml.safe_dump({
        "id": "cur", "name": "Cur", "scope": "global",
        "sources": [{"path": str(csv_path), "kind": "csv", "parser": "curated_table",
                     "options": {"columns": {"name": "member"}}}]}), encoding="utf-8")
    (spec,) = load_registry(builtin_dir=registry_dir).get("cur").sources
    (record,) = collect_source(spec, fetcher=None)
    assert record.parse_status == "contract_failed"
    assert "cur:" in record.parse_error and "members.csv" in record.parse_error and "'member'" in record.parse_error


def test_curated_csv_with_ragged_rows_keeps_the_rows_it_can_read(tmp_path):
    from scrapers.collect import collect_source

    csv_path = tmp_path / "members.csv"
    csv_path.write_text("member,country,extra\nKiel,DE\nBonn\nJena,DE,x,y,z\n", encoding="utf-8")
    spec = SourceSpec("cur", "file-curated://cur/members.csv", "csv", "curated_table", (),
                      {"columns": {"name": "member", "country": "country"}}, path=str(csv_path))
    (record,) = collect_source(spec, fetcher=None)
    assert record.parse_status == "ok"
    assert [(m.member_name, m.country) for m in record.mentions] == [("Kiel", "DE"), ("Bonn", None), ("Jena", "DE")]


def test_max_drop_out_of_range_is_refused_by_the_cli(capsys):
    from orchestration.cli import main

    with pytest.raises(SystemExit) as info:
        main(["refresh", "--max-drop", "1.5"])
    assert info.value.code == 2
    assert "1.5 is not a share between 0 and 1" in capsys.readouterr().err


BAD_VARS = {  # var value -> what the refusal must say (one dbt invocation reports them all)
    "border_km: -5": "border_km=-5 is outside [0, 1000]",
    "most_connected_min: 0": "most_connected_min=0 is outside [1, no limit]",
    "small_town_max_population: true": "small_town_max_population=True is not a number",
    "size_bands: []": "size_bands must be a non-empty list",
    "timeline_periods: [{label: x, min_year: abc}]": "timeline_periods[0]",
}


def test_dbt_vars_out_of_range_stop_the_build_naming_each_var(tmp_path):
    from warehouse.migrations import migrate

    db = tmp_path / "w.duckdb"
    migrate(db)
    proc = run_dbt(["run", "--select", "stg_runs", "--vars", "{" + ", ".join(BAD_VARS) + "}"], db, tmp_path)
    assert proc.returncode != 0
    assert "dbt vars out of range" in proc.stdout, proc.stdout[-2000:]
    for message in BAD_VARS.values():
        assert message in proc.stdout, (message, proc.stdout[-2000:])
    with duckdb.connect(str(db), read_only=True) as con:  # refused before building anything
        assert not con.execute("SELECT * FROM information_schema.tables WHERE table_schema = 'staging'").fetchall()


def test_an_unknown_network_id_is_one_line_before_any_run(tmp_path):
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "TCN_DATA_DIR", "TCN_REGISTRY")}
    proc = subprocess.run([str(Path(sys.executable).parent / "tcn"), "refresh", "--data-dir", str(data),
                           "--network", "icorn", "--network", "no-such-network"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stderr.strip().splitlines() == ["tcn refresh: unknown network id(s): no-such-network "
                                                "(see scrapers/registry/networks/)"]
    assert not (data / "warehouse.duckdb").exists() and not (data / "dagster_home" / "history").exists()


def test_an_invalid_registry_file_stops_tcn_refresh_before_anything_runs(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\nname: Broken\n", encoding="utf-8")  # no scope
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "TCN_DATA_DIR")}
    env["TCN_REGISTRY"] = str(broken)
    proc = subprocess.run([str(Path(sys.executable).parent / "tcn"), "refresh", "--data-dir", str(data)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "registry is invalid" in proc.stderr and str(broken) in proc.stderr and "'scope'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (data / "published").exists()


def test_a_failed_run_says_whether_it_had_already_published(tmp_path):
    """A run that fails after publishing (in the report step) must not claim the publication is untouched."""
    from publication.reader import Publication
    from warehouse.paths import data_paths

    paths = data_paths(tmp_path)
    publication = Publication(paths)
    assert not publication.published_by("run-a")  # nothing published yet
    paths.published.mkdir(parents=True)
    publication.manifest_path.write_text(json.dumps({"run_id": "run-a"}), encoding="utf-8")
    assert publication.published_by("run-a")
    assert not publication.published_by("run-b")
    publication.manifest_path.write_text("{truncated", encoding="utf-8")
    assert not publication.published_by("run-a")
