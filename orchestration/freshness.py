"""Freshness checks on the raw and published assets, and the sensor that evaluates them between runs.

The weekly schedule starts on Monday 04:00 UTC. By FRESHNESS_DEADLINE_CRON (Monday 10:00 UTC) the raw tables
and the publication must have been updated within FRESHNESS_WINDOW before that deadline, i.e. by this week's
run; a failed or missing run turns the checks red until the next successful one. A manual `tcn refresh` in
between counts as an update too.
"""
from __future__ import annotations

import warnings
from datetime import timedelta

import dagster as dg

from orchestration.assets import published, registry, scrape

FRESHNESS_DEADLINE_CRON = "0 10 * * 1"
FRESHNESS_WINDOW = timedelta(hours=6)

# every raw table the pipeline writes (taken from the assets, so a new raw table is checked too)
RAW_ASSET_KEYS = sorted({k for assets in (registry, scrape) for k in assets.keys if k.path[0] == "raw"},
                        key=lambda k: k.to_user_string())
PUBLISHED_ASSET_KEYS = list(published.keys)


def _build():
    # Dagster marks these builders "superseded" by FreshnessPolicy; they remain the documented way to get
    # freshness checks plus a sensor that evaluates them, which is what the design asks for.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=dg.SupersessionWarning)
        checks = dg.build_last_update_freshness_checks(
            assets=[*RAW_ASSET_KEYS, *PUBLISHED_ASSET_KEYS],
            lower_bound_delta=FRESHNESS_WINDOW,
            deadline_cron=FRESHNESS_DEADLINE_CRON,
            timezone="UTC",
        )
        sensor = dg.build_sensor_for_freshness_checks(
            freshness_checks=checks, name="freshness_checks_sensor",
            default_status=dg.DefaultSensorStatus.RUNNING,
        )
    return checks, sensor


freshness_checks, freshness_sensor = _build()
