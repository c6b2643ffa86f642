"""Freshness checks on the raw and published assets, their sensor, and that the refresh job leaves them out."""
import dagster as dg

from orchestration.freshness import PUBLISHED_ASSET_KEYS, RAW_ASSET_KEYS, freshness_checks

FRESHNESS_TARGETS = {*RAW_ASSET_KEYS, *PUBLISHED_ASSET_KEYS}


def test_every_raw_and_published_asset_has_a_freshness_check_run_by_a_sensor():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    checked = {k.asset_key for k in graph.asset_check_keys if k.name == "freshness_check"}
    assert checked == FRESHNESS_TARGETS
    # the targets are real assets of the pipeline, not keys that merely look alike
    assert FRESHNESS_TARGETS <= set(graph.get_all_asset_keys())
    assert {k for k in FRESHNESS_TARGETS if k.path[0] == "raw"} == {
        k for k in graph.get_all_asset_keys() if k.path[0] == "raw" and graph.get(k).is_materializable}
    sensor = defs.get_sensor_def("freshness_checks_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    targeted = sensor.asset_selection.resolve_checks(graph)
    assert {k.asset_key for k in targeted if k.name == "freshness_check"} == FRESHNESS_TARGETS


def test_the_refresh_job_does_not_run_the_checks_that_judge_it():
    from orchestration.definitions import defs

    job = defs.resolve_job_def("refresh")
    in_job = {k for k in job.asset_layer.asset_graph.asset_check_keys if k.name == "freshness_check"}
    assert in_job == set()


def test_checks_fail_for_never_updated_assets_and_pass_after_an_update():
    instance = dg.DagsterInstance.ephemeral()
    job = dg.Definitions(asset_checks=freshness_checks).resolve_implicit_global_asset_job_def()

    def evaluate() -> dict:
        result = job.execute_in_process(instance=instance)
        return {e.asset_key: e.passed for e in result.get_asset_check_evaluations()}

    assert evaluate() == {k: False for k in FRESHNESS_TARGETS}
    instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=["published", "warehouse"]))
    assert evaluate() == {k: k in PUBLISHED_ASSET_KEYS for k in FRESHNESS_TARGETS}
