"""Freshness policies on the raw and published assets: every table a run writes must be updated weekly."""
from datetime import timedelta

import dagster as dg
from dagster._core.definitions.freshness import CronFreshnessPolicy


def test_every_raw_and_the_published_asset_must_be_updated_by_monday_10_utc():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    policies = {k: graph.get(k).freshness_policy for k in graph.get_all_asset_keys()}
    with_policy = {k for k, p in policies.items() if p is not None}
    raw = {k for k in graph.get_all_asset_keys() if k.path[0] == "raw" and graph.get(k).is_materializable}
    assert with_policy == raw | {dg.AssetKey(["published", "warehouse"])}
    assert len(raw) >= 8  # runs, registry networks, fetches, bodies, mention sets, mentions, verdicts, completions
    for policy in (policies[k] for k in with_policy):
        assert isinstance(policy, CronFreshnessPolicy)
        assert (policy.deadline_cron, policy.lower_bound_delta, policy.timezone) == (
            "0 10 * * 1", timedelta(hours=6), "UTC")


def test_the_instance_tcn_writes_turns_freshness_evaluation_on(tmp_path):
    import yaml

    from orchestration.settings import write_dagster_yaml

    write_dagster_yaml(tmp_path)
    settings = yaml.safe_load((tmp_path / "dagster.yaml").read_text())
    assert settings["freshness"] == {"enabled": True}
    assert settings["telemetry"] == {"enabled": False}
