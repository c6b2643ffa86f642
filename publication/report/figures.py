"""What every chart shares: the Chart record, the house layout, and the "no data yet" stand-in."""
from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
NO_DATA = "no data yet"
# a chart with a row, a cell or a node per network shows at most this many networks (beyond that a bar or a
# cell is too small to read, and the page grows with every network the warehouse adds)
MAX_CHART_NETWORKS = 60
# The charts' look: plotly's "plotly_white" template, written once into the page and given to every chart as it
# is drawn (template.html). Set on each figure, plotly validated and copied it for every chart and wrote it into
# every chart's JSON (~30 ms and 6.5 KB a chart). None keeps plotly from writing its default one in.
PAGE_TEMPLATE = pio.templates["plotly_white"]


@dataclass
class Chart:
    chart_id: str  # the div id, also how the browser test finds the chart
    title: str
    caption: str  # what the chart counts, shown under it
    figure: go.Figure
    has_data: bool = True
    wide: bool = True  # False: half width, two charts side by side


def styled(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = 460) -> go.Figure:
    """Title, axis titles and the house look; call it once the traces are in (it checks for a legend)."""
    legend = sum(1 for t in fig.data if t.showlegend is not False) > 1
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 16}},
        template=None, height=height + (50 if legend else 0), font={"family": FONT, "size": 12},
        margin={"l": 70, "r": 30, "t": 60, "b": 110 if legend else 60}, hoverlabel={"font": {"family": FONT}},
        # below the x-axis title, so a legend never runs into the chart title however many rows it wraps to
        showlegend=legend,
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0.01, "xanchor": "left", "x": 0.0},
    )
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return fig


def no_data(chart_id: str, title: str, caption: str, x_title: str, y_title: str, why: str) -> Chart:
    """An empty chart with a visible note (axes still titled), so a new or partial publication still builds."""
    fig = go.Figure()
    styled(fig, title, x_title, y_title, height=300)
    fig.add_annotation(text=f"{NO_DATA}: {why}", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 14, "color": "#666"})
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    return Chart(chart_id, title, caption, fig, has_data=False)


def short_label(network_id: str, limit: int = 26) -> str:
    return network_id if len(network_id) <= limit else network_id[: limit - 1] + "…"
