"""The run report's Dagster side: which asset checks of a run failed (the page itself is publication/report)."""
from __future__ import annotations

import dagster as dg

from publication.reader import Publication


def failed_checks(instance: dg.DagsterInstance, run_id: str) -> list[dict]:
    """Checks evaluated in `run_id` that did not pass: check name, asset, severity (dbt tests and scrape checks)."""
    failed = []
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = entry.dagster_event.event_specific_data
        if not evaluation.passed:
            failed.append({"check": evaluation.check_name, "asset": evaluation.asset_key.to_user_string(),
                           "severity": evaluation.severity.value.lower()})
    return sorted(failed, key=lambda c: (c["asset"], c["check"]))


def published_run_failed_checks(publication: Publication) -> list[dict] | None:
    """Failed checks of the run that wrote the current publication; None when Dagster does not know that run."""
    manifest = publication.manifest()
    with dg.DagsterInstance.get() as instance:
        if instance.get_run_by_id(manifest["run_id"]) is None:
            return None
        return failed_checks(instance, manifest["run_id"])
