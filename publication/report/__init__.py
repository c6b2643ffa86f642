"""A self-contained HTML report of each published run (plotly.js embedded; renders offline)."""
from publication.report.build import build_report
from publication.report.data import ReportError

__all__ = ["build_report", "ReportError"]
