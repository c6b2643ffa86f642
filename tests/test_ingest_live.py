"""A live scrape run against real loopback servers: conditional GET, hosts in parallel, the run deadline."""
import uuid

import duckdb
import yaml

from scrapers.fetch import make_fetcher
from scrapers.registry import load_registry
from helpers.loopback import LoopbackServer, Reply
from warehouse.ingest import scrape_run

PAGE = b"<html><body><ul class='members'><li>Kiel</li><li>Bonn</li><li>Jena</li></ul></body></html>"


def _registry(tmp_path, servers: dict[str, LoopbackServer]):
    folder = tmp_path / "registry"
    folder.mkdir()
    for network_id, server in servers.items():
        (folder / f"{network_id}.yaml").write_text(yaml.safe_dump({
            "id": network_id, "name": network_id, "scope": "national", "country_code": "DE",
            "sources": [{"url": server.url("/members"), "kind": "html", "parser": "html_list",
                         "allowed_hosts": [server.url_host], "options": {"items": "ul.members li"}}]}))
    return load_registry(extra=[folder])


def _fetcher(delay=0.0):
    return make_fetcher("live", delay=delay, jitter=0.0, trust_env=False, retries=0, read_timeout=5)


def _etag_route(seen_validators: list):
    def route(request):
        seen_validators.append(request.headers.get("if-none-match"))
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(304, {"ETag": '"v1"'})
        return Reply(200, {"Content-Type": "text/html; charset=utf-8", "ETag": '"v1"'}, PAGE)
    return route


def test_an_unchanged_page_costs_a_304_and_its_archived_body_is_parsed_again(tmp_path, gazetteer_db):
    import shutil

    db = tmp_path / "w.duckdb"
    shutil.copy(gazetteer_db, db)
    validators = []
    with LoopbackServer({"/members": _etag_route(validators)}) as server:
        registry = _registry(tmp_path, {"etag-net": server})
        first = scrape_run(db, "run-1", registry, "live", ["etag-net"], fetcher=_fetcher())
        second = scrape_run(db, "run-2", registry, "live", ["etag-net"], fetcher=_fetcher())
    assert validators == [None, '"v1"']
    assert [o.status for o in first] == ["ok"] and [o.status for o in second] == ["unchanged"]
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("""SELECT run_id, status, parse_status, n_mentions, etag FROM raw.fetches
                              ORDER BY run_id""").fetchall()
    assert rows == [("run-1", 200, "ok", 3, '"v1"'), ("run-2", 304, "ok", 3, '"v1"')]


def test_hosts_are_collected_in_parallel(tmp_path, gazetteer_db):
    import shutil

    db = tmp_path / "w.duckdb"
    shutil.copy(gazetteer_db, db)
    slow = Reply(200, {"Content-Type": "text/html"}, PAGE, delay=1.0)
    with LoopbackServer({"/members": slow}) as a, LoopbackServer({"/members": slow}, url_host="localhost") as b:
        registry = _registry(tmp_path, {"host-a": a, "host-b": b})
        scrape_run(db, str(uuid.uuid4()), registry, "live", ["host-a", "host-b"], fetcher=_fetcher())
        arrivals = sorted(s.at for s in a.hits("/members") + b.hits("/members"))
    # both pages were requested before either (1 s) answer came back
    assert len(arrivals) == 2 and arrivals[1] - arrivals[0] < 1.0


def test_networks_not_done_by_the_deadline_are_recorded_and_the_others_land(tmp_path, gazetteer_db):
    import shutil

    db = tmp_path / "w.duckdb"
    shutil.copy(gazetteer_db, db)
    fast = Reply(200, {"Content-Type": "text/html"}, PAGE)
    hanging = Reply(200, {"Content-Type": "text/html"}, PAGE, delay=4.0)
    with LoopbackServer({"/members": fast}) as a, LoopbackServer({"/members": hanging}, url_host="localhost") as b:
        registry = _registry(tmp_path, {"fast-net": a, "slow-net": b})
        outcomes = scrape_run(db, "run-1", registry, "live", ["fast-net", "slow-net"], fetcher=_fetcher(),
                              deadline_s=1.0)
    by_id = {o.network_id: o for o in outcomes}
    assert by_id["fast-net"].status == "ok" and by_id["fast-net"].mentions == 3
    assert by_id["slow-net"].status == "fetch_failed" and "deadline" in by_id["slow-net"].errors[0]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.run_completions").fetchone()[0] == 1


def test_a_live_run_can_record_snapshots_that_replay_the_same_members(tmp_path, gazetteer_db):
    import shutil

    db = tmp_path / "w.duckdb"
    shutil.copy(gazetteer_db, db)
    record = tmp_path / "recorded"
    with LoopbackServer({"/members": Reply(200, {"Content-Type": "text/html", "Set-Cookie": "s=1"}, PAGE)}) as server:
        registry = _registry(tmp_path, {"rec-net": server})
        live = scrape_run(db, "run-live", registry, "live", ["rec-net"], record_dir=record)
    manifest = yaml.safe_load((record / "rec-net" / "manifest.json").read_text())  # JSON is YAML
    assert manifest["responses"][0]["provenance"] == "captured live"
    assert "Set-Cookie" not in manifest["responses"][0]["headers"]
    replayed = scrape_run(db, "run-replay", registry, "replay", ["rec-net"], snapshot_dir=record)
    assert [o.mentions for o in live] == [o.mentions for o in replayed] == [3]
    assert replayed[0].status == "unchanged"
