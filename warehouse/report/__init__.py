"""A self-contained HTML report of each published run (plotly.js embedded; renders offline)."""
from warehouse.report.build import build_report, report_path
from warehouse.report.data import ReportError

__all__ = ["build_report", "report_path", "ReportError"]
