"""What a refresh amounts to, for a scheduler: its exit code and the one line that says why.

  0  published; every network of the run ran clean (ok or unchanged)
  3  published; some networks failed or were held back (they keep their last good members)
  4  nothing new published: every network of the run failed or was held back (no dbt build, no publication;
     the previous publication, if any, stands), or the run failed before publishing
  1  the run failed after publishing (a later step, e.g. the report)
(2: bad arguments or an invalid registry, 75: another refresh holds the data dir; see orchestration/cli.py.)
"""
from __future__ import annotations

from pathlib import Path

from warehouse.db import connect
from warehouse.drift import GOOD_STATUSES

CLEAN, PARTIAL, NOTHING_PUBLISHED, FAILED_AFTER_PUBLISHING = 0, 3, 4, 1


def run_has_good_network(db_path: Path, run_id: str) -> bool:
    """Whether any network of the run landed (ok or unchanged): otherwise there is nothing new to build."""
    with connect(db_path, read_only=True) as con:
        return bool(con.execute(
            "SELECT count(*) FROM raw.network_runs WHERE run_id = ? AND status IN (SELECT unnest(?::VARCHAR[]))",
            [run_id, list(GOOD_STATUSES)]).fetchone()[0])


def failed_networks(rows: list[dict]) -> list[dict]:
    """The summary rows (warehouse.summary.run_summary) of networks that failed or were held back."""
    return [r for r in rows if r["status"] not in GOOD_STATUSES]


def outcome(run_id: str, rows: list[dict], run_succeeded: bool, published_now: bool, published_dir: Path
            ) -> tuple[int, str]:
    """(exit code, closing line). `rows`: the run's summary rows; `published_now`: the publication is this
    run's."""
    failed = failed_networks(rows)
    names = ", ".join(r["network_id"] for r in failed)
    if not run_succeeded:
        if published_now:
            return FAILED_AFTER_PUBLISHING, (f"run {run_id} failed after publishing to {published_dir} "
                                             f"(exit {FAILED_AFTER_PUBLISHING})")
        return NOTHING_PUBLISHED, (f"run {run_id} failed; nothing published, the previous publication under "
                                   f"{published_dir} is untouched (exit {NOTHING_PUBLISHED})")
    if not published_now:
        before = (f"the previous publication under {published_dir} stands"
                  if (Path(published_dir) / "manifest.json").exists() else "nothing was published before either")
        return NOTHING_PUBLISHED, (f"run {run_id}: nothing to publish: every network of the run failed or was "
                                   f"held back ({len(failed)}: {names}); {before} (exit {NOTHING_PUBLISHED})")
    if failed:
        return PARTIAL, (f"run {run_id} published to {published_dir}, but {len(failed)} of {len(rows)} networks "
                         f"failed or were held back and keep their last good members: {names} (exit {PARTIAL})")
    return CLEAN, f"run {run_id} succeeded; published to {published_dir}; every network ran clean (exit {CLEAN})"
