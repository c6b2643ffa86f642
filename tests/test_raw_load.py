"""Raw layer: append-only, idempotent per run and network, every mention traceable to its fetch."""
import duckdb
import pytest

from helpers.raw import FakeRegistry as _Registry, network_result as _result
from warehouse.migrations import migrate
from warehouse.raw_load import complete_run, load_network, refresh_text_keys, start_run


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "w.duckdb"
    migrate(path)
    return path


def _count(db, table):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_reloading_a_run_inserts_nothing_new(db):
    assert start_run(db, "run-1", "replay", _Registry, ["a"]) is True
    assert load_network(db, "run-1", _result("a", ["Berlin", "Köln"])).status == "ok"
    before = {t: _count(db, t) for t in ("raw.runs", "raw.fetches", "raw.bodies", "raw.member_mentions",
                                         "raw.network_runs")}
    assert start_run(db, "run-1", "replay", _Registry, ["a"]) is False
    assert load_network(db, "run-1", _result("a", ["Berlin", "Köln"])) is None
    complete_run(db, "run-1")
    complete_run(db, "run-1")
    assert {t: _count(db, t) for t in before} == before
    assert _count(db, "raw.run_completions") == 1


def test_identical_bodies_are_stored_once_across_runs(db):
    for run in ("run-1", "run-2"):
        start_run(db, run, "replay", _Registry, ["a"])
        load_network(db, run, _result("a", ["Berlin"]))
    assert _count(db, "raw.fetches") == 2 and _count(db, "raw.bodies") == 1


def test_failed_network_is_recorded_and_others_load(db):
    start_run(db, "run-1", "replay", _Registry, ["a", "b"])
    load_network(db, "run-1", _result("a", [], ok=False))
    load_network(db, "run-1", _result("b", ["Athens"]))
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT network_id, parse_status, error, n_mentions FROM raw.fetches ORDER BY 1").fetchall()
    assert rows == [("a", "fetch_failed", "http_503", 0), ("b", "ok", None, 1)]


def test_every_mention_traces_to_its_fetch_and_names_round_trip(db):
    hostile = "Robert'); DROP TABLE raw.fetches;--"
    start_run(db, "run-1", "replay", _Registry, ["a"])
    load_network(db, "run-1", _result("a", [hostile, "Malmö"]))
    refresh_text_keys(db)
    with duckdb.connect(str(db), read_only=True) as con:
        orphans = con.execute("""SELECT count(*) FROM raw.member_mentions m
                                 LEFT JOIN raw.fetches f USING (fetch_id) WHERE f.fetch_id IS NULL""").fetchone()[0]
        names = [r[0] for r in con.execute("SELECT member_name FROM raw.member_mentions ORDER BY position").fetchall()]
        keys = dict(con.execute("SELECT text, name_key FROM ref.text_keys").fetchall())
    assert orphans == 0
    assert names == [hostile, "Malmö"]
    assert keys["Malmö"] == "malmo" and keys["Germany"] == "germany"


def _verdicts(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("""SELECT r.run_id, nr.status, nr.n_members, nr.previous_good_members
                              FROM raw.network_runs nr JOIN raw.runs r USING (run_id) ORDER BY r.started_at""").fetchall()


def _run(db, run_id, names, ok=True, **kwargs):
    start_run(db, run_id, "replay", _Registry, ["a"])
    verdict = load_network(db, run_id, _result("a", names, ok), **kwargs)
    complete_run(db, run_id)
    return verdict


def test_unchanged_lists_and_drops_are_judged_against_the_last_good_run(db):
    ten = [f"Town {i}" for i in range(10)]
    assert _run(db, "r1", ten).status == "ok"
    assert _run(db, "r2", list(reversed(ten))).status == "unchanged"  # same members, other page order
    assert _run(db, "r3", [], ok=False).status == "fetch_failed"
    blocked = _run(db, "r4", ten[:7])  # 30% fewer than the last good run (r2), not r3's zero
    assert blocked.status == "drift_blocked" and "down from 10" in blocked.message and "accept-drop a" in blocked.message
    assert _run(db, "r5", ten[:8]).status == "ok"  # 20% fewer is within the default threshold
    assert _run(db, "r6", ten[:4], accept_drop=True).status == "ok"
    assert _run(db, "r7", ten[:3], max_drop=0.5).status == "ok"
    assert [v[1] for v in _verdicts(db)] == ["ok", "unchanged", "fetch_failed", "drift_blocked", "ok", "ok", "ok"]
    assert _verdicts(db)[3][3] == 10


def test_a_drift_threshold_out_of_range_is_refused(db):
    with pytest.raises(ValueError, match="max_drop"):
        _run(db, "r1", ["Kiel"], max_drop=1.5)


def test_an_unchanged_list_is_stored_once_and_every_run_still_sees_it(db):
    for run_id, names in (("run-1", ["Berlin", "Köln"]), ("run-2", ["Berlin", "Köln"]), ("run-3", ["Berlin"])):
        start_run(db, run_id, "replay", _Registry, ["a"])
        load_network(db, run_id, _result("a", names))
        complete_run(db, run_id)
    assert _count(db, "raw.mention_sets") == 3  # two for the list of runs 1 and 2, one for run 3's
    with duckdb.connect(str(db), read_only=True) as con:
        per_run = con.execute("SELECT run_id, list(member_name ORDER BY position) FROM raw.member_mentions "
                              "GROUP BY run_id ORDER BY run_id").fetchall()
        ids = con.execute("SELECT count(DISTINCT mention_id), count(*) FROM raw.member_mentions").fetchone()
        contents = con.execute("SELECT network_id, count(DISTINCT content_sha256) FROM raw.network_runs "
                               "GROUP BY network_id").fetchall()
    assert per_run == [("run-1", ["Berlin", "Köln"]), ("run-2", ["Berlin", "Köln"]), ("run-3", ["Berlin"])]
    assert ids == (5, 5)  # each run's mention keeps its own id (fetch id + position)
    assert contents == [("a", 2)]


def test_a_data_dir_from_before_content_sets_keeps_its_mentions(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:  # the table as older releases created it
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE TABLE raw.member_mentions (mention_id VARCHAR, fetch_id VARCHAR, run_id VARCHAR, "
                    "network_id VARCHAR, position INTEGER, member_name VARCHAR, country VARCHAR, role VARCHAR, "
                    "joined VARCHAR, member_kind VARCHAR, source_url VARCHAR)")
        con.execute("INSERT INTO raw.member_mentions VALUES ('m1', 'f1', 'old-run', 'a', 0, 'Kiel', null, "
                    "'member', null, null, 'https://a.example/members')")
    migrate(path)
    start_run(path, "run-new", "replay", _Registry, ["a"])
    load_network(path, "run-new", _result("a", ["Berlin"]))
    with duckdb.connect(str(path), read_only=True) as con:
        seen = con.execute("SELECT run_id, member_name FROM raw.member_mentions ORDER BY run_id").fetchall()
    assert seen == [("old-run", "Kiel"), ("run-new", "Berlin")]
