"""`tcn status` logic (publication/status.py) on a hand-made publication: what it reports and that it reads only
the Parquet files, so no process holding a database file can block it."""
import subprocess
import sys
from datetime import datetime

import duckdb
import pytest

from warehouse.paths import data_paths
from warehouse.publish import publish
from publication.reader import Publication
from publication.status import StatusUnavailable, format_status, read_status

T1, T2, T3 = datetime(2026, 1, 5, 4), datetime(2026, 1, 12, 4), datetime(2026, 1, 19, 4)


def _working_db(db) -> None:
    """The two published tables status reads, as dbt would leave them after three runs:
    net-a good in every run (2 joined in r3, 1 left), net-b good in r1 then failed in r3 (stale), net-c only
    in the registry."""
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE SCHEMA marts; CREATE SCHEMA metrics")
        con.execute("""CREATE TABLE marts.dim_network (network_id VARCHAR, name VARCHAR, n_members BIGINT,
                       n_members_resolved BIGINT, data_as_of TIMESTAMP, latest_attempt_ok BOOLEAN)""")
        con.execute("""INSERT INTO marts.dim_network VALUES ('net-a', 'Alpha', 5, 4, ?, true),
                       ('net-b', 'Beta', 3, 3, ?, false), ('net-c', 'Gamma', 0, 0, null, null)""", [T3, T1])
        con.execute("""CREATE TABLE metrics.membership_changes (run_id VARCHAR, run_seq BIGINT,
                       run_started_at TIMESTAMP, network_id VARCHAR, attempt_status VARCHAR, n_joined BIGINT,
                       n_left BIGINT)""")
        con.execute("""INSERT INTO metrics.membership_changes VALUES
                       ('r1', 1, ?, 'net-a', 'ok', 4, 0), ('r1', 1, ?, 'net-b', 'ok', 3, 0),
                       ('r2', 2, ?, 'net-a', 'ok', 0, 0),
                       ('r3', 3, ?, 'net-a', 'ok', 2, 1), ('r3', 3, ?, 'net-b', 'failed', 0, 0)""",
                    [T1, T1, T2, T3, T3])


@pytest.fixture
def paths(tmp_path):
    paths = data_paths(tmp_path / "data")
    _working_db(paths.working_db)
    publish(paths, "r3")
    return paths


def test_last_run_per_network_with_changes_and_freshness(paths):
    status = read_status(Publication(paths), now=datetime(2026, 1, 21, 4))
    got = {n.network_id: n for n in status.networks}
    assert set(got) == {"net-a", "net-b"} and status.networks_never_scraped == 1
    a, b = got["net-a"], got["net-b"]
    assert (a.last_run_id, a.status, a.members, a.resolved, a.joined, a.left, a.stale) == ("r3", "ok", 5, 4, 2, 1, False)
    assert a.data_as_of == T3 and a.age_days == pytest.approx(2.0)
    # net-b's last attempt failed: it shows its last good members, from two weeks before
    assert (b.last_run_id, b.status, b.members, b.stale) == ("r3", "failed", 3, True)
    assert b.data_as_of == T1 and b.age_days == pytest.approx(16.0)
    assert status.run_id == "r3" and status.duckdb == paths.published_db and status.docs is None
    text = format_status(status)
    assert "STALE" in next(line for line in text.splitlines() if line.startswith("net-b"))
    assert str(paths.published_db) in text and "2 networks scraped, 1 stale" in text


def test_nothing_published_is_a_clear_error(tmp_path):
    with pytest.raises(StatusUnavailable, match="nothing published yet"):
        read_status(Publication(data_paths(tmp_path / "empty")))


HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])  # read-write: the strongest lock another process can hold
print("open", flush=True)
time.sleep(60)
"""


def test_status_is_not_blocked_by_processes_holding_the_database_files(paths):
    holders = [subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdout=subprocess.PIPE, text=True)
               for db in (paths.published_db, paths.working_db)]
    try:
        for holder in holders:
            assert holder.stdout.readline().strip() == "open"
        with pytest.raises(duckdb.IOException):  # the lock is real: a database reader would fail here
            duckdb.connect(str(paths.published_db), read_only=True)
        assert {n.network_id for n in read_status(Publication(paths)).networks} == {"net-a", "net-b"}
    finally:
        for holder in holders:
            holder.kill()
            holder.wait()
