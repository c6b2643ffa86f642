"""The working database's layout comes from numbered migrations: a new data dir gets them all, a data dir made
by the previous layout (2026-12, before migrations were recorded) is upgraded once and keeps every row."""
from datetime import datetime

import duckdb

from helpers.raw import FakeRegistry, network_result
from warehouse.migrations import migrate, migrations
from warehouse.raw_load import load_network, mentions_sha256, start_run

PREVIOUS_LAYOUT = 2  # warehouse/migrations/002_baseline.sql: the layout of 2026-12-03

EVERY_MENTION = """SELECT mention_id, fetch_id, run_id, network_id, position, member_name, country, role, joined,
                          member_kind, source_url, left_on FROM raw.member_mentions ORDER BY mention_id"""


def _tables(con) -> set[str]:
    return {f"{s}.{t}" for s, t in con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables").fetchall()}


def _previous_layout_data_dir(path) -> None:
    """A data dir as the code of 2026-12-03 left it, its rows written as that code wrote them: a run loaded
    through mention sets (one network good, one failed, each with its verdict), mentions written one row per
    fetch by an older release (with their fetch, without a verdict), and a recorded dbt build."""
    migrate(path, through=PREVIOUS_LAYOUT)
    berlin_koeln = [[name, "Germany", "member", None, None, "https://a.example/members", None]
                    for name in ("Berlin", "Köln")]
    content = mentions_sha256(berlin_koeln)
    with duckdb.connect(str(path)) as con:
        con.execute("DROP TABLE meta.schema_migrations")  # the previous code never recorded migrations
        con.execute("INSERT INTO raw.runs VALUES ('r-new', ?, 'replay', 'v-new', ['a', 'b'])", [datetime(2026, 1, 1)])
        con.execute("INSERT INTO raw.run_completions VALUES ('r-new', ?)", [datetime(2026, 1, 1, 1)])
        for network, url, status, error, parse, n, digest in (
                ("a", "https://a.example/members", 200, None, "ok", 2, content),
                ("b", "https://b.example/members", 503, "http_503", "fetch_failed", 0, None)):
            con.execute("INSERT INTO raw.fetches (fetch_id, run_id, network_id, url, status, error, fetched_at, "
                        "parse_status, n_mentions, mentions_sha256) VALUES (?, 'r-new', ?, ?, ?, ?, ?, ?, ?, ?)",
                        [f"f-{network}", network, url, status, error, datetime(2026, 1, 1), parse, n, digest])
            con.execute("INSERT INTO raw.network_runs (run_id, network_id, status, n_members) "
                        "VALUES ('r-new', ?, ?, ?)", [network, parse, n])
        con.executemany("INSERT INTO raw.mention_sets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [[content, position, *row] for position, row in enumerate(berlin_koeln)])
    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO raw.runs VALUES ('r-old', ?, 'replay', 'v-old', ['a'])", [datetime(2025, 5, 1)])
        con.execute("INSERT INTO raw.run_completions VALUES ('r-old', ?)", [datetime(2025, 5, 1, 1)])
        con.execute("INSERT INTO raw.fetches (fetch_id, run_id, network_id, url, status, fetched_at, parse_status, "
                    "n_mentions) VALUES ('f-old', 'r-old', 'a', 'https://a.example/members', 200, ?, 'ok', 2)",
                    [datetime(2025, 5, 1)])
        for position, name in enumerate(["Kiel", "Lübeck"]):
            con.execute("INSERT INTO raw.mention_rows VALUES (sha256('f-old' || chr(31) || ?::VARCHAR), 'f-old', "
                        "'r-old', 'a', ?, ?, 'Germany', 'member', '2019', null, 'https://a.example/members', null)",
                        [position, position, name])
        con.execute("INSERT INTO raw.dbt_builds VALUES ('r-new', 'full_refresh', 'first build', 'v', 'r', 'p', "
                    "'r-new', ?)", [datetime(2026, 1, 1)])


def test_a_new_data_dir_gets_every_migration_once(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    assert migrate(db) == [f"{v:03d}_{name}" for v, name, _ in migrations()]
    assert migrate(db) == []
    with duckdb.connect(str(db), read_only=True) as con:
        recorded = [r[0] for r in con.execute("SELECT version FROM meta.schema_migrations ORDER BY version").fetchall()]
        tables = _tables(con)
    assert recorded == [v for v, _, _ in migrations()]
    assert {"raw.fetches", "raw.mention_sets", "raw.member_mentions", "meta.dbt_builds"} <= tables
    assert not {"raw.mention_rows", "raw.dbt_builds"} & tables


def test_a_data_dir_of_the_previous_layout_is_upgraded_once_and_keeps_every_row(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    _previous_layout_data_dir(db)
    with duckdb.connect(str(db), read_only=True) as con:
        before = con.execute(EVERY_MENTION).fetchall()
        builds = con.execute("SELECT * FROM raw.dbt_builds").fetchall()
        # every column of the previous layout but the mentions pointer (the old fetch gets one)
        old_columns = ", ".join(c for (c,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' "
            "AND table_name = 'fetches' AND column_name <> 'mentions_sha256' ORDER BY ordinal_position").fetchall())
        fetches = con.execute(f"SELECT {old_columns} FROM raw.fetches ORDER BY fetch_id").fetchall()
    assert len(before) == 4 and {r[2] for r in before} == {"r-old", "r-new"}

    applied = migrate(db)
    assert applied[0] == "001_unversioned_mention_table" and len(applied) == len(migrations())
    assert migrate(db) == []
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(EVERY_MENTION).fetchall() == before  # the same ids, names, order and sources
        assert con.execute("SELECT * FROM meta.dbt_builds").fetchall() == builds
        assert con.execute(f"SELECT {old_columns} FROM raw.fetches ORDER BY fetch_id").fetchall() == fetches
        assert not {"raw.mention_rows", "raw.dbt_builds"} & _tables(con)
        # the old run gets the verdict its fetches imply; the verdicts the loader wrote stay as they were
        verdicts = dict(con.execute("SELECT run_id || '/' || network_id, status FROM raw.network_runs").fetchall())
        assert verdicts == {"r-old/a": "ok", "r-new/a": "ok", "r-new/b": "fetch_failed"}
        # the old fetch now points at a content set hashed as a load hashes it
        pointed = con.execute("SELECT count(*) FROM raw.mention_sets s JOIN raw.fetches f "
                              "ON f.mentions_sha256 = s.mentions_sha256 WHERE f.fetch_id = 'f-old'").fetchone()[0]
    assert pointed == 2


def test_the_same_list_loaded_after_the_upgrade_is_stored_once(tmp_path):
    """Folded rows are hashed as the loader hashes a content: a later load of the same list points at them."""
    db = tmp_path / "warehouse.duckdb"
    migrate(db, through=PREVIOUS_LAYOUT)
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO raw.fetches (fetch_id, run_id, network_id, url, fetched_at, parse_status, "
                    "n_mentions) VALUES ('f-old', 'r-old', 'a', 'https://a.example/members', ?, 'ok', 1)",
                    [datetime(2025, 5, 1)])
        con.execute("INSERT INTO raw.mention_rows VALUES ('m', 'f-old', 'r-old', 'a', 0, 'Berlin', 'Germany', "
                    "'member', null, null, 'https://a.example/members', null)")
    migrate(db)
    start_run(db, "r-new", "replay", FakeRegistry, ["a"])
    load_network(db, "r-new", network_result("a", ["Berlin"]))
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(DISTINCT mentions_sha256), count(*) FROM raw.mention_sets").fetchone() == (1, 1)
