"""Dagster entry point (`dagster dev -w workspace.yaml`): assets, the refresh job and its weekly schedule."""
from __future__ import annotations

import dagster as dg

from orchestration.assets import gazetteer, published, registry, scrape
from orchestration.dbt import dbt_resource, tcn_dbt_models

refresh_job = dg.define_asset_job(
    "refresh", selection=dg.AssetSelection.all(),
    description="Scrape every network -> dbt build (tests as checks) -> publish Parquet and DuckDB.",
)

weekly_refresh = dg.ScheduleDefinition(
    name="weekly_refresh", job=refresh_job, cron_schedule="0 4 * * 1", execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

defs = dg.Definitions(
    assets=[gazetteer, registry, scrape, tcn_dbt_models, published],
    jobs=[refresh_job],
    schedules=[weekly_refresh],
    resources={"dbt": dbt_resource()},
)
