"""How fresh the raw and published assets must be: a Dagster freshness policy on each of them.

The weekly schedule starts on Monday 04:00 UTC. By the deadline (Monday 10:00 UTC) the raw tables and the
publication must have been updated within the six hours before it, i.e. by this week's run; a failed or missing
run makes them stale until the next successful one. A manual `tcn refresh` in between counts as an update too.
Dagster's daemon (`dagster dev`) evaluates the policies; the instance settings tcn writes turn them on
(orchestration/settings.py).
"""
from __future__ import annotations

from datetime import timedelta

import dagster as dg

FRESHNESS_DEADLINE_CRON = "0 10 * * 1"
FRESHNESS_WINDOW = timedelta(hours=6)

WEEKLY = dg.FreshnessPolicy.cron(deadline_cron=FRESHNESS_DEADLINE_CRON, lower_bound_delta=FRESHNESS_WINDOW,
                                 timezone="UTC")
