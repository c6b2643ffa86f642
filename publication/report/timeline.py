"""The founding timeline: networks founded over time, cumulative, by scope and by type."""
from __future__ import annotations

import plotly.graph_objects as go

from publication.report.blocks import Section
from publication.report.figures import Chart, no_data, styled

# Lacroix's periods: before 2000, 2000-2010, 2011 on
CUT_POINTS = [(1999.5, "2000"), (2010.5, "2011")]


def cumulative_by(rows: list[dict], breakdown: str, label: str, undated: int, why_empty: str) -> Chart:
    chart_id = f"chart-timeline-{breakdown.replace('_', '-')}"
    title = f"Networks founded over time, by {label}"
    caption = (f"Cumulative number of networks in the registry founded by each year, one line per {label}; "
               f"dotted lines mark Lacroix's periods (before 2000, 2000–2010, 2011 on). "
               f"{undated} network(s) without a known founding year are not counted.")
    mine = [r for r in rows if r["breakdown"] == breakdown]
    if not mine:
        return no_data(chart_id, title, caption, "founding year", "networks founded (cumulative)", why_empty)
    last_year = max(r["founded_year"] for r in mine)
    fig = go.Figure()
    for group in sorted({r["group_value"] or "unknown" for r in mine}):
        points = sorted((r for r in mine if (r["group_value"] or "unknown") == group), key=lambda r: r["founded_year"])
        xs = [r["founded_year"] for r in points] + [last_year]
        ys = [r["cumulative_founded"] for r in points] + [points[-1]["cumulative_founded"]]
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines+markers", line={"shape": "hv"}, name=group,
            customdata=[r["n_founded"] for r in points] + [0],
            hovertemplate=f"{group}<br>by %{{x}}: %{{y}} networks (%{{customdata}} founded that year)<extra></extra>"))
    for x, text in CUT_POINTS:
        fig.add_vline(x=x, line={"dash": "dot", "color": "#999"}, annotation_text=text,
                      annotation_position="top left", annotation_font_size=10)
    styled(fig, title, "founding year", "networks founded (cumulative)", height=420)
    return Chart(chart_id, title, caption, fig, wide=False)


def timeline_section(rows: list[dict], networks: list[dict], why_empty: str) -> Section:
    undated = sum(1 for n in networks if n.get("founded_year") is None)
    return Section("timeline", "When the networks were founded", [
        cumulative_by(rows, "scope", "scope", undated, why_empty),
        cumulative_by(rows, "network_type", "network type", undated, why_empty)])
