"""The run report: built by the refresh job from a real pipeline run, self-contained, and drawn by a real
headless Chromium with every route off the machine closed."""
from __future__ import annotations

import json
import os
import re
import socket
import stat
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from plotly.offline import get_plotlyjs

from helpers import TCN, copy_data_dir
from publication.reader import Publication
from publication.report import build_report
from publication.report.cluster import average_linkage_order
from publication.report.figures import NO_DATA, short_label
from publication.report.layout import force_layout
from warehouse.paths import data_paths

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed "
                                    "(apt-get install chromium): the report cannot be drawn in a browser here")


def _tcn(*args: str, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "TCN_REGISTRY", "TCN_DATA_DIR")}
    env.update(extra_env or {})
    return subprocess.run([str(TCN), *args], env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, refreshed_data_dir) -> Path:
    """A data dir after two replayed refreshes (so history and changes have two runs); the report is built by
    the refresh job itself."""
    data = copy_data_dir(refreshed_data_dir[0], tmp_path_factory.mktemp("report") / "data")  # run 1
    proc = _tcn("refresh", "--data-dir", str(data))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return data


def _page(data: Path) -> str:
    return (data / "published" / "report" / "index.html").read_text(encoding="utf-8")


def _query(data: Path, sql: str):
    with duckdb.connect(str(data / "published" / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def _figures(page: str) -> dict[str, dict]:
    """The plotly figure JSON of every chart, by chart id, as embedded in the page."""
    return {m.group(1): json.loads(m.group(2)) for m in re.finditer(
        r'<script type="application/json" data-chart="([^"]+)">(.*?)</script>', page, re.S)}


class _Links(HTMLParser):
    """Every src/href attribute and every <script> tag of a page (text inside scripts is not markup)."""

    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        for name in ("src", "href", "xlink:href", "action", "poster"):
            if attrs.get(name):
                self.urls.append((tag, name, attrs[name]))


# --- the page the refresh job publishes ---------------------------------------------------------------------

def test_refresh_publishes_the_report_of_its_own_run(two_runs):
    manifest = json.loads((two_runs / "published" / "manifest.json").read_text(encoding="utf-8"))
    page = _page(two_runs)
    assert manifest["run_id"] in page  # built from the second run's publication, not left over from the first
    # the headline says this is a second run: its lists are compared with the first run's (replaying the same
    # snapshots twice changes nothing), not counted as first listings
    compared = _query(two_runs, """SELECT count(*) FROM metrics.membership_changes WHERE is_good
        AND NOT is_first_good_run AND run_seq = (SELECT max(run_seq) FROM metrics.membership_changes)""")[0][0]
    assert compared >= 25 and "+0 / −0" in page and f"in 0 of {compared} networks compared" in page
    # the asset read the run's checks from Dagster: the panel knows them (none failed in a replay)
    assert "none: every check passed" in page


def test_page_is_self_contained(two_runs):
    page = _page(two_runs)
    links = _Links()
    links.feed(page)
    assert not [s for s in links.scripts if "src" in s], "a <script src=...> would need a file or a network"
    # only in-page anchors (the navigation); nothing fetched from a file, a host or a CDN
    assert links.urls and all(tag == "a" and url.startswith("#") for tag, _, url in links.urls), links.urls
    assert not re.search(r"<link\b", page)
    assert page.count(get_plotlyjs()) == 1  # plotly.js inlined exactly once for all charts


def test_every_chart_has_a_title_axis_titles_and_a_caption(two_runs):
    page = _page(two_runs)
    figures = _figures(page)
    assert len(figures) == 12
    for chart_id, fig in figures.items():
        layout = fig["layout"]
        assert layout["title"]["text"], chart_id
        assert layout["xaxis"]["title"]["text"] and layout["yaxis"]["title"]["text"], chart_id
        caption = re.search(rf'<div id="{chart_id}"[^>]*></div><figcaption>([^<]+)</figcaption>', page)
        assert caption and len(caption.group(1)) > 60, chart_id
        assert fig["data"], f"{chart_id} has no traces although the run has data"
    assert NO_DATA not in page


def test_headline_matches_the_published_warehouse(two_runs):
    members, resolved, cities = _query(
        two_runs, "SELECT count(*), count(city_id), count(DISTINCT city_id) FROM marts.fct_membership")[0]
    networks = _query(two_runs, "SELECT count(*) FROM marts.dim_network")[0][0]
    page = _page(two_runs)
    headline = page[page.index('<section id="headline">'):page.index("</section>", page.index('id="headline"'))]
    assert f'<div class="value">{networks}</div>' in headline
    assert f'<div class="value">{members:,}</div>' in headline and f"{cities:,} distinct cities" in headline
    assert f'<div class="value">{resolved / members:.0%}</div>' in headline


def test_quality_panel_lists_each_networks_coverage(two_runs):
    # recomputed from the fact table and the registry's stated counts in dim_network
    rows = _query(two_runs, """
        SELECT n.network_id, count(m.member_id), n.stated_member_count
        FROM marts.dim_network AS n LEFT JOIN marts.fct_membership AS m USING (network_id)
        WHERE n.stated_member_count > 0 GROUP BY ALL HAVING count(m.member_id) > 0""")
    page = _page(two_runs)
    panel = page[page.index("Coverage per network"):]
    assert len(rows) >= 20
    for network_id, published, stated in rows:
        row = (f'<tr><td>{network_id}</td><td class="num">{published:,}</td><td class="num">{stated:,}</td>'
               f'<td>[^<]*</td><td>{published / stated:.0%}</td></tr>')
        assert re.search(row, panel), network_id


def test_overlap_heatmap_and_strongest_pair_agree_with_the_memberships(two_runs):
    # recomputed from the fact table, independently of metrics.network_overlap
    rows = _query(two_runs, """
        WITH m AS (SELECT DISTINCT network_id, city_id FROM marts.fct_membership WHERE city_id IS NOT NULL)
        SELECT a.network_id, b.network_id, count(*) AS shared,
               count(*) / ((SELECT count(*) FROM m WHERE network_id = a.network_id)
                         + (SELECT count(*) FROM m WHERE network_id = b.network_id) - count(*)) AS jaccard
        FROM m AS a JOIN m AS b ON a.city_id = b.city_id AND a.network_id < b.network_id
        GROUP BY 1, 2 ORDER BY jaccard DESC, shared DESC, 1, 2""")
    with_members = {r[0] for r in _query(
        two_runs, "SELECT DISTINCT network_id FROM marts.fct_membership WHERE city_id IS NOT NULL")}
    page = _page(two_runs)
    heatmap = _figures(page)["chart-overlap-heatmap"]["data"][0]
    assert len(heatmap["x"]) == len(with_members)  # every network with a resolved member, once
    a, b, shared, _ = rows[0]
    table = page[page.index("Strongest pairs"):]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", re.search(r"<tbody><tr>(.*?)</tr>", table).group(1))
    assert cells[:2] == [a, b] and cells[4] == f"{shared:,}"
    # the closest pair merges first in the clustering, so the heatmap shows it side by side
    labels = heatmap["y"]
    assert abs(labels.index(short_label(a)) - labels.index(short_label(b))) == 1


def test_tcn_report_rebuilds_the_page_and_opens_it(two_runs, tmp_path):
    page = two_runs / "published" / "report" / "index.html"
    page.unlink()
    proc = _tcn("report", "--data-dir", str(two_runs))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"report: {page}" and page.exists()
    assert "none: every check passed" in page.read_text(encoding="utf-8")
    # --open hands the page to the browser webbrowser finds ($BROWSER first): here a script noting what it got
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n', encoding="utf-8")
    browser.chmod(browser.stat().st_mode | stat.S_IEXEC)
    proc = _tcn("report", "--open", "--data-dir", str(two_runs), extra_env={"BROWSER": f"{browser} %s"})
    assert proc.returncode == 0, proc.stderr
    assert opened.read_text(encoding="utf-8").strip() == page.as_uri()


def test_tcn_report_without_a_publication_says_so(tmp_path):
    proc = _tcn("report", "--data-dir", str(tmp_path / "empty"))
    assert proc.returncode == 1
    assert "run `tcn refresh` first" in proc.stderr and "warehouse.duckdb" in proc.stderr


def test_a_publication_without_metrics_still_builds_with_no_data_notes(tmp_path):
    published = tmp_path / "published"
    published.mkdir()
    with duckdb.connect(str(published / "warehouse.duckdb")) as con:  # marts only, no metrics schema yet
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.dim_network (network_id VARCHAR, name VARCHAR, acronym VARCHAR, "
                    "founded_year INTEGER, scope VARCHAR, network_type VARCHAR, stated_member_count INTEGER, "
                    "n_members BIGINT, n_members_resolved BIGINT, latest_attempt_ok BOOLEAN)")
        con.execute("INSERT INTO marts.dim_network VALUES ('eurocities', 'EUROCITIES', NULL, 1986, 'regional', "
                    "'hybrid', 130, 0, 0, NULL)")
    page_path = build_report(Publication(data_paths(tmp_path)))
    page = page_path.read_text(encoding="utf-8")
    figures = _figures(page)
    assert len(figures) == 12
    notes = [a["text"] for f in figures.values() for a in f["layout"].get("annotations", [])
             if a["text"].startswith(NO_DATA)]
    assert len(notes) == 12 and any("metrics.network_overlap" in n for n in notes)
    assert '<div class="value">1</div>' in page  # the one network is still counted
    assert not list(published.joinpath("report").glob(".*tmp*"))  # written atomically, no temp left


# --- the page in a real browser -------------------------------------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chromium(url: str, tmp: Path, *extra: str) -> subprocess.CompletedProcess:
    """Headless Chromium with every route off the machine closed: a proxy on a closed loopback port and a
    resolver that finds no host, while a net log records every request the page tries to make."""
    return subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
         f"--user-data-dir={tmp / 'profile'}", f"--proxy-server=http://127.0.0.1:{_closed_port()}",
         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", f"--log-net-log={tmp / 'net.json'}",
         "--virtual-time-budget=10000", *extra, url],
        capture_output=True, text=True, timeout=180)


def _page_requests(net_log: Path) -> list[str]:
    """URLs the page asked for. Chromium's own background requests (update checks, sign-in) carry the
    initiator "not an origin"; a file:// page's requests carry its opaque origin "null"."""
    text = net_log.read_text(encoding="utf-8").rstrip().rstrip(",")
    log = json.loads(text if text.endswith("}") else text + "]}")  # a log cut short lacks its closing
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [e["params"]["url"] for e in log["events"]
            if e["type"] == start_job and "url" in e.get("params", {})
            and e["params"].get("initiator") != "not an origin"]


class _Charts(HTMLParser):
    """Per chart div: the marks plotly drew in it, and the visible text (not script contents)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, chart_ids):
        super().__init__()
        self.ids = set(chart_ids)
        self.stack: list[str | None] = []  # the chart id each open element belongs to
        self.marks = {i: 0 for i in chart_ids}
        self.svgs = {i: 0 for i in chart_ids}
        self.text = {i: "" for i in chart_ids}
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        owner = attrs.get("id") if attrs.get("id") in self.ids else (self.stack[-1] if self.stack else None)
        if owner:
            classes = (attrs.get("class") or "").split()
            self.svgs[owner] += tag == "svg" and "main-svg" in classes
            # a marker or bar ("point"), a line ("js-line"), a heatmap's raster (image in g.hm)
            self.marks[owner] += ("point" in classes or "js-line" in classes or tag == "image")
        self.in_script = tag in ("script", "style")
        if tag not in self.VOID:
            self.stack.append(owner)

    def handle_endtag(self, tag):
        self.in_script = False
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] and not self.in_script:
            self.text[self.stack[-1]] += data


@needs_chromium
def test_every_chart_renders_offline_in_headless_chromium(two_runs, tmp_path):
    page = two_runs / "published" / "report" / "index.html"
    chart_ids = list(_figures(page.read_text(encoding="utf-8")))
    proc = _chromium(page.as_uri(), tmp_path, "--dump-dom")
    dom = proc.stdout
    assert "<body" in dom, proc.stderr[-2000:]
    # the page's own tally, set once every Plotly.newPlot promise has settled
    assert re.search(r'data-charts-rendered="(\d+)"', dom).group(1) == str(len(chart_ids)) == "12"
    assert re.search(r'<p id="render-problems" hidden=""></p>', dom), "the page reported drawing problems"
    charts = _Charts(chart_ids)
    charts.feed(dom)
    for chart_id in chart_ids:
        assert charts.svgs[chart_id] >= 1, f"{chart_id}: no plotly SVG"
        assert charts.marks[chart_id] >= 1, f"{chart_id}: an SVG without plotted marks"
        assert "error" not in charts.text[chart_id].lower(), f"{chart_id}: {charts.text[chart_id][:300]}"
        assert NO_DATA not in charts.text[chart_id]
    # each chart is drawn with the page's one template (plotly_white, not in the charts' own JSON): its grid
    # colour, where Plotly.js's own would be rgb(238, 238, 238)
    page_figures = _figures(page.read_text(encoding="utf-8"))
    assert all(not fig["layout"].get("template") for fig in page_figures.values())
    assert "rgb(235, 240, 248)" in dom and "rgb(238, 238, 238)" not in dom
    assert _page_requests(tmp_path / "net.json") == [], "the page tried to reach the network"


@needs_chromium
def test_screenshot_of_the_report(two_runs, tmp_path):
    page = two_runs / "published" / "report" / "index.html"
    shot = tmp_path / "report.png"
    proc = _chromium(page.as_uri(), tmp_path, "--window-size=1400,9000", f"--screenshot={shot}")
    assert shot.exists(), proc.stderr[-2000:]
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (1400, 9000)
    # a blank page of this size compresses to a few kB; twelve drawn charts and tables do not
    assert len(png) > 300_000, f"{len(png)} bytes: the screenshot looks empty"
    assert _page_requests(tmp_path / "net.json") == []


@needs_chromium
def test_the_offline_check_catches_a_page_that_reaches_out(tmp_path):
    # the control for the test above: a page asking for an image and a fetch from another host
    probe = tmp_path / "probe.html"
    probe.write_text('<html><body><img src="http://report-probe.invalid/x.png"><script>'
                     'fetch("https://report-probe.invalid/data.json").catch(() => {});</script></body></html>',
                     encoding="utf-8")
    proc = _chromium(probe.as_uri(), tmp_path, "--dump-dom")
    assert "<body" in proc.stdout
    assert sorted(_page_requests(tmp_path / "net.json")) == [
        "http://report-probe.invalid/x.png", "https://report-probe.invalid/data.json"]


# --- the pure-Python helpers --------------------------------------------------------------------------------

def test_average_linkage_keeps_clusters_together():
    groups = {"a": 0, "b": 0, "c": 0, "x": 1, "y": 1, "m": 2}
    close = {frozenset("ab"): 0.1, frozenset("bc"): 0.2, frozenset("ac"): 0.3, frozenset("xy"): 0.15}

    def distance(p, q):
        return close.get(frozenset((p, q)), 0.9 if groups[p] == groups[q] else 1.0)

    order = average_linkage_order(["y", "m", "c", "a", "x", "b"], distance)
    assert sorted(order) == ["a", "b", "c", "m", "x", "y"]
    positions = {label: i for i, label in enumerate(order)}
    assert sorted(positions[v] for v in "abc") == list(range(min(positions[v] for v in "abc"),
                                                             min(positions[v] for v in "abc") + 3))
    assert abs(positions["x"] - positions["y"]) == 1
    assert abs(positions["a"] - positions["b"]) == 1  # the closest pair merges first and stays adjacent
    assert order == average_linkage_order(["b", "a", "c", "x", "y", "m"], distance)  # input order irrelevant


def test_force_layout_is_deterministic_and_pulls_linked_networks_together():
    nodes = ["a", "b", "c", "d", "e", "f"]
    edges = {("a", "b"): 20, ("b", "c"): 15, ("a", "c"): 10, ("d", "e"): 12, ("c", "d"): 1}
    pos = force_layout(nodes, edges)
    assert pos == force_layout(nodes, edges)
    assert all(-1.0 <= x <= 1.0 and -1.0 <= y <= 1.0 for x, y in pos.values())

    def dist(p, q):
        return ((pos[p][0] - pos[q][0]) ** 2 + (pos[p][1] - pos[q][1]) ** 2) ** 0.5

    assert dist("a", "b") < dist("a", "e") and dist("d", "e") < dist("b", "e")
    assert min(dist(p, q) for p in nodes for q in nodes if p < q) > 0.05  # repulsion keeps nodes apart


def test_overlap_figures_keep_the_largest_networks_and_say_what_they_leave_out():
    from itertools import combinations

    from publication.report.overlap import largest_networks_pairs, overlap_section

    sizes = {f"n{i:03d}": 1000 - i for i in range(80)}  # n000 is the largest
    pairs = [{"network_a": a, "network_b": b, "members_a": sizes[a], "members_b": sizes[b], "shared": 1,
              "jaccard": 1 / (sizes[a] + sizes[b] - 1), "overlap_coefficient": 1 / min(sizes[a], sizes[b])}
             for a, b in combinations(sorted(sizes), 2)]
    shown, left_out = largest_networks_pairs(pairs, limit=60)
    kept = {r["network_a"] for r in shown} | {r["network_b"] for r in shown}
    assert kept == {f"n{i:03d}" for i in range(60)} and left_out == 20
    assert len(shown) == 60 * 59 // 2
    section = overlap_section(pairs, [], "")
    heat, table, graph = section.items
    assert len(heat.figure.data[0].x) == 60
    assert "20 smaller networks are left out" in heat.caption and "20 smaller networks" in graph.caption
    assert len(table.rows) == 15  # the strongest pairs still come from every network
    assert largest_networks_pairs(pairs[:3]) == (pairs[:3], 0)


def test_unresolved_chart_counts_per_network_and_reason_and_keeps_the_networks_with_most():
    from publication.report.quality import unresolved_by_network

    rows = [{"network_id": f"net{i:03d}", "reason": reason}
            for i in range(70) for reason in ["no_candidate"] * (i + 1) + ["ambiguous"] * (i % 3)]
    chart = unresolved_by_network(rows, "")
    bars = {bar.name: dict(zip(bar.y, bar.x)) for bar in chart.figure.data}
    assert set(bars) == {"no_candidate", "ambiguous"}
    assert len(bars["no_candidate"]) == 60 and "net000" not in bars["no_candidate"]  # the 10 smallest left out
    assert bars["no_candidate"]["net069"] == 70 and bars["ambiguous"]["net069"] == 0
    assert bars["no_candidate"]["net050"] == 51 and bars["ambiguous"]["net050"] == 2
    assert list(bars["no_candidate"])[-1] == "net068"  # 69 + 2 names: the most unresolved names at the top
    assert "the 60 networks with the most unresolved names of 70" in chart.caption


def test_member_map_keeps_the_cities_in_most_networks_when_there_are_too_many():
    from publication.report import geography

    cities = [{"city_id": i, "name": f"c{i}", "country": "X", "lat": 0.0, "lon": float(i % 360 - 180),
               "population": i, "n_networks": 1 + (i % 5), "network_ids": ["a"]} for i in range(30)]
    full = geography.member_map(cities, "")
    assert len(full.figure.data[-1].x) == 30 and "Shown:" not in full.caption
    original = geography.MAX_MAP_CITIES
    geography.MAX_MAP_CITIES = 12
    try:
        capped = geography.member_map(cities, "")
    finally:
        geography.MAX_MAP_CITIES = original
    assert len(capped.figure.data[-1].x) == 12 and "the 12 cities in the most networks" in capped.caption
    assert set(capped.figure.data[-1].marker.color) == {5, 4}  # 6 cities with 5 networks, 6 with 4
