"""Dagster entry point (`dagster dev -w workspace.yaml`): assets (raw and published ones with a weekly freshness
policy), the refresh job, its weekly schedule, and the resources (the data dir, dbt). Importing it does no work: the dbt
assets come from the manifest `make manifest` (or `tcn`) parsed."""
from __future__ import annotations

import dagster as dg

from orchestration.assets import gazetteer, published, registry, report, resolve, scrape
from orchestration.dbt import dbt_resource, tcn_dbt_models
from orchestration.resources import DataDir

refresh_job = dg.define_asset_job(
    "refresh", selection=dg.AssetSelection.all(),
    description="Scrape every network -> resolve members -> dbt build (tests as checks) -> publish Parquet and "
                "DuckDB -> report.",
)

weekly_refresh = dg.ScheduleDefinition(
    name="weekly_refresh", job=refresh_job, cron_schedule="0 4 * * 1", execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

defs = dg.Definitions(
    assets=[registry, gazetteer, scrape, resolve, tcn_dbt_models, published, report],
    jobs=[refresh_job],
    schedules=[weekly_refresh],
    resources={"dbt": dbt_resource(), "data_dir": DataDir()},
)
