"""build_report: read the publication, make every section, write published/report/index.html."""
from __future__ import annotations

from pathlib import Path

from publication.reader import Publication
from publication.report import data
from publication.report.changes import LAST_RUNS, changes_section
from publication.report.geography import geography_section
from publication.report.headline import headline
from publication.report.overlap import overlap_section
from publication.report.page import render_page, write_atomically
from publication.report.quality import quality_section
from publication.report.representation import representation_section
from publication.report.timeline import timeline_section

HISTORY_METRICS = ["members", "member_cities"]


def build_report(publication: Publication, failed_checks: list[dict] | None = None) -> Path:
    """(Re)build the report from the published DuckDB of `publication`; returns the page's path.

    failed_checks: the checks of the publishing run that did not pass, as dicts with check, asset and
    severity (the caller reads them from Dagster); None when not known, [] when all passed.
    """
    p = data.Published.open(publication)
    try:
        manifest = p.manifest()
        networks = data.networks(p)
        latest = data.latest_run_changes(p)
        pairs = data.overlap_pairs(p)
        cities = data.member_cities(p)
        profile = data.representation_profile(p)
        bands = data.size_bands(p)
        founded = data.timeline(p)
        history = data.history(p, HISTORY_METRICS, LAST_RUNS)
        runs = data.changes_by_run(p, LAST_RUNS)
        unresolved = data.unresolved(p)
        coverage = data.network_coverage(p)
        figures = headline(networks, data.membership_totals(p), latest)
    finally:
        p.close()
    why = p.notes.get
    sections = [
        overlap_section(pairs, networks, why("overlap_pairs", "")),
        geography_section(cities, profile, why("member_cities", ""), why("representation_profile", "")),
        representation_section(bands, why("size_bands", "")),
        timeline_section(founded, networks, why("timeline", "")),
        changes_section(history, runs, latest, why("history", ""), why("changes_by_run", "")),
        quality_section(profile, coverage, unresolved, latest, failed_checks, why("representation_profile", ""),
                        why("unresolved", "")),
    ]
    run_id = manifest.get("run_id", "unknown run")
    page = render_page(
        title="Migration-related city networks: run report",
        subtitle=f"Published run {run_id}, generated {manifest.get('generated_at', 'at an unknown time')}",
        footer=f"Built from {publication.duckdb} (read-only). Tables: "
               "marts.* and metrics.* of the same publication; definitions in docs/metrics.md and the dbt docs.",
        headline=figures, sections=sections)
    target = publication.report_page
    write_atomically(page, target)
    return target
