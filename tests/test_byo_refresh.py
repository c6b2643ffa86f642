"""Your own membership file through `tcn import` and `tcn refresh --registry-only` in a new data dir (real
Dagster job, dbt and DuckDB), and the exit code of each outcome: nothing published (a first run in which every
network fails), published with a failed network, published clean."""
import os
import subprocess
from pathlib import Path

import duckdb
import pytest
import yaml

from benchmarks.byo_members import generate
from helpers import TCN


def _tcn(*args: str, registry: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "TCN_REGISTRY", "TCN_DATA_DIR")}
    if registry is not None:
        env["TCN_REGISTRY"] = str(registry)
    return subprocess.run([str(TCN), *args], env=env, capture_output=True, text=True, timeout=900)


def _failing_entry(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "byo-gone.yaml").write_text(yaml.safe_dump({
        "id": "byo-gone", "name": "A network whose file went away", "scope": "regional",
        "sources": [{"path": "no-such-file.csv", "kind": "csv", "parser": "curated_table",
                     "options": {"columns": {"name": "Member"}}}]}), encoding="utf-8")


def _last_line(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout.strip().splitlines()[-1]


def _tail(proc) -> str:
    return f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("byo")
    planted = generate(root / "members.csv", rows=900, networks=4)
    return root, planted


def test_exit_codes_from_a_first_run_where_everything_fails_to_a_clean_one(world):
    root, planted = world
    data = root / "data"

    # 1. a new data dir, and the only selected network fails: nothing to publish, its reason, exit 4
    _failing_entry(root / "only-failing")
    first = _tcn("refresh", "--registry-only", "--data-dir", str(data), registry=root / "only-failing")
    assert first.returncode == 4, _tail(first)
    assert "nothing to publish" in _last_line(first) and "byo-gone" in _last_line(first)
    assert "(exit 4)" in _last_line(first)
    assert "no-such-file.csv failed: file_not_found" in first.stdout
    assert "Traceback" not in first.stdout + first.stderr and "dbt" not in _last_line(first)
    assert not (data / "published" / "manifest.json").exists()

    # 2. the imported networks and the failing one: published, one network failed, exit 3
    imported = _tcn("import", str(root / "members.csv"), "--out", str(root / "registry"), "--id-prefix", "byo-")
    assert imported.returncode == 0, _tail(imported)
    totals = imported.stdout.strip().splitlines()[-2]
    assert f"{planted['rows']} rows read" in totals and "0 unaccounted" in totals
    _failing_entry(root / "registry")
    second = _tcn("refresh", "--registry-only", "--data-dir", str(data), registry=root / "registry")
    assert second.returncode == 3, _tail(second)
    assert "byo-gone" in _last_line(second) and "(exit 3)" in _last_line(second)
    published = data / "published" / "warehouse.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        read, landed, merged, refused, unaccounted = con.execute(
            "SELECT sum(rows_read), sum(rows_landed), sum(rows_merged), sum(rows_refused), sum(rows_unaccounted) "
            "FROM marts.review_input_counts WHERE network_id LIKE 'byo-%'").fetchone()
        members = con.execute("SELECT count(*) FROM marts.fct_membership WHERE network_id LIKE 'byo-%'").fetchone()[0]
        detail = dict(con.execute("SELECT outcome, count(*) FROM marts.review_input_rows GROUP BY 1").fetchall())
        bundled = con.execute("SELECT count(*) FROM marts.fct_membership WHERE network_id NOT LIKE 'byo-%'").fetchone()[0]
    # rows naming no network belong to no entry: the refresh reads the others, every one accounted for
    assert read == planted["rows"] - planted["no_network"]
    assert read == landed + merged + refused and unaccounted == 0
    assert merged == planted["repeats"] == detail["merged"] and refused == planted["blank_names"] == detail["refused"]
    assert landed == members  # every landed row is one current member of the marts
    assert bundled == 0  # --registry-only: the bundled networks were not scraped into this data dir
    status = _tcn("status", "--data-dir", str(data))
    assert f"{read} read = {landed} landed + {merged} merged into another row + {refused} refused" in status.stdout

    # 3. the failing entry gone: every network ran clean, exit 0
    (root / "registry" / "byo-gone.yaml").unlink()
    third = _tcn("refresh", "--registry-only", "--data-dir", str(data), registry=root / "registry")
    assert third.returncode == 0, _tail(third)
    assert "(exit 0)" in _last_line(third) and "succeeded" in _last_line(third)

    # 4. an imported network left the registry: retired in the publication and in `tcn status`, history kept
    leaving = sorted((root / "registry").glob("byo-*.yaml"))[0]
    left_id = leaving.stem
    with duckdb.connect(str(published), read_only=True) as con:
        members_before = con.execute("SELECT count(*) FROM marts.fct_membership WHERE network_id = ?",
                                     [left_id]).fetchone()[0]
    leaving.unlink()
    fourth = _tcn("refresh", "--registry-only", "--data-dir", str(data), registry=root / "registry")
    assert fourth.returncode == 0, _tail(fourth)
    with duckdb.connect(str(published), read_only=True) as con:
        retired = [r[0] for r in con.execute("SELECT network_id FROM marts.network_registry_status WHERE is_retired")
                   .fetchall()]
        history = con.execute("SELECT count(*) FROM marts.fct_membership_spell WHERE network_id = ?",
                              [left_id]).fetchone()[0]
        # it leaves the current marts: no current member, no open spell; its departure is the retiring run's
        current = con.execute("SELECT count(*) FROM marts.fct_membership WHERE network_id = ?", [left_id]).fetchone()[0]
        open_spells = con.execute("SELECT count(*) FROM marts.fct_membership_spell WHERE network_id = ? "
                                  "AND is_current", [left_id]).fetchone()[0]
        flagged = con.execute("SELECT is_retired, n_members FROM marts.dim_network WHERE network_id = ?",
                              [left_id]).fetchone()
        change = con.execute("SELECT attempt_status, n_left, members_after FROM metrics.membership_changes "
                             "WHERE network_id = ? ORDER BY run_seq DESC LIMIT 1", [left_id]).fetchone()
        others = con.execute("SELECT count(*) FROM marts.dim_network WHERE is_retired").fetchone()[0]
    assert set(retired) == {"byo-gone", left_id} and history > 0  # byo-gone left the registry in step 3
    assert members_before > 0 and current == 0 and open_spells == 0
    assert flagged == (True, 0) and others == 2
    assert change == ("retired", members_before, 0)
    status = _tcn("status", "--data-dir", str(data))
    line = next(l for l in status.stdout.splitlines() if l.startswith(left_id + " "))
    assert "RETIRED" in line and "2 retired: no longer in the registry (their history stays)" in status.stdout
