"""The Dagster code location loads, and its graph is wired as the design says."""
import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from helpers import REPO


def test_definitions_validate_through_the_workspace_file_as_dagster_dev_loads_them(tmp_path):
    """As `make dev` loads them: `dagster dev` (DAGSTER_IS_DEV_CLI) makes dagster-dbt re-parse the project with
    the `dbt` on PATH, and `make dev` does not activate the venv, so its bin folder is not on PATH."""
    venv_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env = {**os.environ, "PATH": path or "/usr/bin:/bin", "DAGSTER_IS_DEV_CLI": "1",
           "TCN_DATA_DIR": str(tmp_path), "DAGSTER_HOME": str(tmp_path / "home")}
    (tmp_path / "home").mkdir()
    proc = subprocess.run([str(Path(venv_bin) / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Validation successful" in proc.stderr + proc.stdout


def test_graph_runs_scrape_then_dbt_then_publish():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"ref/places", "raw/runs", "raw/member_mentions", "marts/fct_membership",
            "metrics/network_overlap", "published/warehouse"} <= keys
    # dbt sources link to the raw assets by key, so dbt runs after the scrape
    assert dg.AssetKey(["raw", "member_mentions"]) in graph.get(dg.AssetKey(["staging", "stg_member_mentions"])).parent_keys
    assert dg.AssetKey(["marts", "fct_membership"]) in graph.get(dg.AssetKey(["published", "warehouse"])).parent_keys
    # dbt tests arrive as asset checks
    assert any(c.asset_key == dg.AssetKey(["marts", "fct_membership"]) for c in graph.asset_check_keys)


# Prints what Dagster builds from the dbt manifest: each asset's deps, checks, tags, group and kinds, and each
# check's blocking; and whether dagster-dbt saw dbt-core in the process.
GRAPH_OF_THE_DEFINITIONS = """
import json, sys
if sys.argv[1] == "dbt-core imported first":
    import dbt.version
from orchestration.definitions import defs
import dagster_dbt.compat
graph = defs.resolve_asset_graph()
assets = {}
for key in graph.get_all_asset_keys():
    node = graph.get(key)
    assets[key.to_user_string()] = [sorted(map(str, node.parent_keys)), sorted(map(str, node.check_keys)),
                                    sorted(node.tags.items()), node.group_name, sorted(node.kinds)]
checks = {str(key): graph.get(key).blocking for key in graph.asset_check_keys}
print(json.dumps({"assets": assets, "checks": checks,
                  "dagster_dbt_saw_dbt_core": dagster_dbt.compat.DBT_PYTHON_VERSION is not None,
                  "dbt_core_loaded": "dbt.version" in sys.modules}))
"""


def test_dagster_dbt_builds_the_same_assets_and_checks_with_dbt_core_out_of_sight():
    """orchestration/dbt.py keeps dbt-core out of dagster-dbt's sight (1.5 s of every start-up): the graph must be
    the one dagster-dbt builds with dbt-core, and dbt-core must stay unloaded."""
    graphs = {}
    for case in ("as tcn starts", "dbt-core imported first"):
        proc = subprocess.run([sys.executable, "-c", GRAPH_OF_THE_DEFINITIONS, case], cwd=REPO, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        graphs[case] = json.loads(proc.stdout.splitlines()[-1])
    out_of_sight, with_dbt_core = graphs["as tcn starts"], graphs["dbt-core imported first"]
    assert not out_of_sight.pop("dagster_dbt_saw_dbt_core") and not out_of_sight.pop("dbt_core_loaded")
    assert with_dbt_core.pop("dagster_dbt_saw_dbt_core") and with_dbt_core.pop("dbt_core_loaded")
    assert len(out_of_sight["assets"]) > 50 and len(out_of_sight["checks"]) > 100
    assert out_of_sight == with_dbt_core


def test_every_writer_shares_one_pool_and_the_schedule_is_weekly():
    from orchestration.definitions import defs

    for assets_def in defs.assets:
        assert assets_def.op.pool == "duckdb_writer", assets_def.node_def.name
    schedule = defs.get_schedule_def("weekly_refresh")
    assert schedule.cron_schedule == "0 4 * * 1" and schedule.job_name == "refresh"


def test_row_count_lines_of_the_dbt_post_hook_are_read_and_others_ignored():
    from orchestration.dbt import row_count_line

    assert row_count_line("tcn_row_count marts.fct_membership 554") == (("marts", "fct_membership"), 554)
    assert row_count_line("tcn_row_count metrics.network_overlap 0") == (("metrics", "network_overlap"), 0)
    for other in ("", "1 of 274 START sql table model marts.dim_city", "tcn_row_count marts.dim_city",
                  "tcn_row_count dim_city 5", "tcn_row_count marts.dim_city -1", "tcn_row_count marts.x 5 extra"):
        assert row_count_line(other) is None, other


def test_read_ahead_passes_events_in_order_raises_the_producer_error_and_stops_dbt_when_abandoned():
    from orchestration.dbt import read_ahead

    def events(n, fail=False):
        yield from range(n)
        if fail:
            raise RuntimeError("dbt exited with 1")

    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert list(read_ahead(events(500), idle)) == list(range(500))
        assert idle.poll() is None  # read to the end: nothing stopped
        got = []
        try:
            for event in read_ahead(events(3, fail=True), idle):
                got.append(event)
        except RuntimeError as error:
            assert "dbt exited with 1" in str(error)
        else:
            raise AssertionError("the producer's error was swallowed")
        assert got == [0, 1, 2]
    finally:
        idle.kill()
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        abandoned = read_ahead(events(10), idle)
        assert next(abandoned) == 0
        abandoned.close()  # the step stopped reading (interrupted): dbt must not run on
        assert idle.wait(timeout=10) is not None
    finally:
        idle.kill()


def test_tcn_dbt_moves_to_the_database_folder_only_when_given_absolute_project_and_profile_folders(
        tmp_path, monkeypatch):
    from orchestration.dbt_launcher import run_from_the_database_folder

    db = tmp_path / "data" / "warehouse.duckdb"
    db.parent.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TCN_DUCKDB_PATH", str(db))
    monkeypatch.setenv("DBT_PROFILES_DIR", str(REPO / "dbt_project"))
    monkeypatch.delenv("DBT_PROJECT_DIR", raising=False)
    run_from_the_database_folder()  # by hand: dbt's project is where it was started
    assert Path.cwd() == tmp_path and os.environ["TCN_DUCKDB_PATH"] == str(db)
    monkeypatch.setenv("DBT_PROJECT_DIR", str(REPO / "dbt_project"))  # as dagster-dbt starts it
    run_from_the_database_folder()
    assert Path.cwd() == db.parent and os.environ["TCN_DUCKDB_PATH"] == "warehouse.duckdb"
