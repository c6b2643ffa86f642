"""`tcn refresh --live` against local servers standing in for every network with a live source.

Each real host gets a loopback server of its own (127.0.0.x, so politeness and robots.txt treat them as
different hosts). A network whose source has a recorded snapshot is served its recorded responses; a network
read by the auto parser is served a page generated from a bundled member list, in a layout that rotates
through cards, a table, a bulleted list and map markers. The registry is the bundled one with each URL
pointed at its stand-in (TCN_REGISTRY), nothing else changed.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit

import duckdb
import pytest
import yaml

from scrapers.fetch.replay import DEFAULT_SNAPSHOT_DIR, index_snapshots
from scrapers.registry import _Loader, load_registry
from tests.helpers.loopback import LoopbackServer, Reply
from tests.helpers.layouts import generate, networks_with_lists, scores

ROTATION = ("cards", "table", "bullets", "script")


def live_networks(registry) -> list:
    return [n for n in registry.networks.values() if any(s.path is None for s in n.sources)]


def test_at_least_fifty_networks_have_a_live_source():
    assert len(live_networks(load_registry())) >= 50


def test_replay_skips_live_only_sources_and_networks_that_have_nothing_else():
    from scrapers.collect import sources_for_mode
    from warehouse.ingest import select_networks

    registry = load_registry()
    eurocities = registry.get("eurocities")
    assert any(s.live_only for s in eurocities.sources)
    assert [s.parser for s in sources_for_mode(eurocities.sources, "replay")] == ["curated_table"]
    only_live = [n.id for n in registry.networks.values() if n.sources and all(s.live_only for s in n.sources)]
    assert only_live
    assert not set(only_live) & set(select_networks(registry, None, mode="replay"))
    assert set(only_live) <= set(select_networks(registry, None, mode="live"))


@pytest.fixture
def stand_ins(tmp_path):
    """(override registry dir, {network_id: [(url, expected members or None)]}), with the servers running."""
    registry = load_registry()
    recorded = index_snapshots(DEFAULT_SNAPSHOT_DIR)
    networks = live_networks(registry)
    hosts = sorted({urlsplit(s.url).hostname for n in networks for s in n.sources if s.path is None} |
                   {urlsplit(e.url).hostname for e in recorded.values()})
    servers = {host: LoopbackServer(url_host=f"127.0.0.{i + 2}") for i, host in enumerate(hosts)}
    for server in servers.values():
        server.__enter__()

    def origin(host: str) -> str:
        return servers[host].url("").rstrip("/")

    def moved(body: bytes) -> bytes:  # absolute links in recorded pages lead to the stand-ins too
        for host in hosts:
            for scheme in ("https", "http"):
                body = body.replace(f"{scheme}://{host}".encode(), origin(host).encode())
        return body

    donors = networks_with_lists()
    expected: dict[str, list] = {}
    folder = tmp_path / "registry"
    folder.mkdir()
    for i, network in enumerate(networks):
        doc = yaml.load(network.path.read_text(encoding="utf-8"), Loader=_Loader)
        doc["replaces"] = network.id  # an outside entry standing in for the bundled one
        expected[network.id] = []
        for item in doc["sources"]:
            if "path" in item:
                item["path"] = str((network.path.parent / item["path"]).resolve())
                continue
            parts = urlsplit(item["url"])
            server = servers[parts.hostname]
            if item["url"] in recorded:  # the network's recorded responses, wherever they sit
                for entry in recorded.values():
                    if entry.manifest == recorded[item["url"]].manifest:
                        route = urlsplit(entry.url).path or "/"
                        servers[urlsplit(entry.url).hostname].routes[route] = Reply(
                            entry.status, dict(entry.headers), moved(entry.body_path.read_bytes()))
                route = parts.path or "/"
                members = None
            else:
                donor = network.id if network.id in donors else donors[i % len(donors)]
                page = generate(donor, ROTATION[i % len(ROTATION)], seed=i)
                route = quote(parts.path or "/", safe="/%")
                server.routes[route] = Reply(200, {"Content-Type": "text/html; charset=utf-8"},
                                             page.pages[page.entry].encode("utf-8"))
                members = page.expected
            item["url"] = server.url(route)
            item["allowed_hosts"] = [server.url_host]
            expected[network.id].append((item["url"], members))
        (folder / f"{network.id}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                                                   encoding="utf-8")
    try:
        yield folder, expected
    finally:
        for server in servers.values():
            server.__exit__(None, None, None)


def test_refresh_live_lands_every_live_network_through_its_live_source(stand_ins, data_dir):
    folder, expected = stand_ins
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "TCN_DATA_DIR")}
    env.update({"TCN_REGISTRY": str(folder), "NO_PROXY": "*", "no_proxy": "*"})
    proc = subprocess.run([str(Path(sys.executable).parent / "tcn"), "refresh", "--live", "--data-dir",
                           str(data_dir)], env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert "(no summary" not in proc.stderr, proc.stderr[-2000:]
    summary_lines = {line.split()[0] for line in proc.stdout.splitlines() if line.strip()}
    assert set(expected) <= summary_lines  # the run summary names every live network
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        fetches = con.execute("SELECT network_id, url, parse_status, n_mentions FROM raw.fetches").fetchall()
        statuses = dict(con.execute("SELECT network_id, status FROM raw.network_runs").fetchall())
        mentions = con.execute("SELECT network_id, source_url, member_name FROM raw.member_mentions").fetchall()
    by_url = {(n, u): (status, count) for n, u, status, count in fetches}
    failed = []
    for network_id, sources in expected.items():
        if statuses.get(network_id) not in ("ok", "unchanged"):
            failed.append((network_id, statuses.get(network_id)))
        local = [m for n, u, m in mentions if n == network_id and u.startswith("http://127.")]
        if not local:
            failed.append((network_id, "no members from its live source"))
        for url, members in sources:
            status, count = by_url.get((network_id, url), (None, 0))
            if status != "ok" or (members is not None and not count):  # an index page links its members
                failed.append((network_id, url, status, count))
            elif members is not None:  # a generated page: the members it was generated from landed
                names = [m for n, u, m in mentions if n == network_id and u == url]
                recall, precision = scores(names, members)
                if recall < 0.9 or precision < 0.95:
                    failed.append((network_id, url, recall, precision))
    assert not failed, failed
    assert len(expected) >= 50
