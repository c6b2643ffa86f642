"""Dagster entry point (`dagster dev -w workspace.yaml`): assets, the refresh job, its weekly schedule, and the
freshness checks with their sensor."""
from __future__ import annotations

import dagster as dg

from orchestration.assets import gazetteer, published, registry, report, scrape
from orchestration.dbt import dbt_resource, tcn_dbt_models
from orchestration.freshness import freshness_checks, freshness_sensor

refresh_job = dg.define_asset_job(
    # the freshness checks run from their sensor, not inside the refresh they judge
    "refresh", selection=dg.AssetSelection.all() - dg.AssetSelection.checks(*freshness_checks),
    description="Scrape every network -> dbt build (tests as checks) -> publish Parquet and DuckDB.",
)

weekly_refresh = dg.ScheduleDefinition(
    name="weekly_refresh", job=refresh_job, cron_schedule="0 4 * * 1", execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

defs = dg.Definitions(
    assets=[gazetteer, registry, scrape, tcn_dbt_models, published, report],
    asset_checks=freshness_checks,
    jobs=[refresh_job],
    schedules=[weekly_refresh],
    sensors=[freshness_sensor],
    resources={"dbt": dbt_resource()},
)
