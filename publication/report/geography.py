"""Where the members are: a longitude/latitude map of member cities over land outlines, and small-town and
border shares.

Why not plotly's Scattergeo: plotly.js draws geo plots from topojson it downloads at view time from
cdn.plot.ly (checked: a Scattergeo page opened in headless Chromium requested
https://cdn.plot.ly/un/world_110m.json). The page must render offline, so the map is a plain x/y scatter of
longitude and latitude (equirectangular) drawn over Natural Earth's 1:110m country outlines, which the
repository keeps (publication/report/land.py).
"""
from __future__ import annotations

import math

import plotly.graph_objects as go

from publication.report.blocks import Section
from publication.report.figures import Chart, no_data, short_label, styled
from publication.report.land import land_trace_coordinates

MAX_MAP_CITIES = 20_000


def member_map(cities: list[dict], why_empty: str) -> Chart:
    title = "Member cities by longitude and latitude"
    caption = ("One point per city with at least one current member resolved to it (GeoNames coordinates), "
               "area ∝ number of networks the city belongs to, colour = that number. Equirectangular axes "
               "over country outlines from Natural Earth (1:110m, public domain), drawn from the page itself: "
               "it works offline.")
    if not cities:
        return no_data("chart-member-map", title, caption, "longitude (°)", "latitude (°)", why_empty)
    if len(cities) > MAX_MAP_CITIES:  # a browser draws tens of thousands of points; beyond, the page stalls
        caption += (f" Shown: the {MAX_MAP_CITIES:,} cities in the most networks (then the most populous) of "
                    f"{len(cities):,}; all are in metrics.city_network_degree.")
        cities = sorted(cities, key=lambda c: (-c["n_networks"], -(c["population"] or 0), c["city_id"]))
        cities = cities[:MAX_MAP_CITIES]
    land_x, land_y = land_trace_coordinates()
    land = go.Scatter(x=land_x, y=land_y, mode="lines", fill="toself", fillcolor="#eef0f2",
                      line={"color": "#aab2ba", "width": 0.5}, hoverinfo="skip", showlegend=False, name="land")
    fig = go.Figure([land, go.Scatter(
        x=[c["lon"] for c in cities], y=[c["lat"] for c in cities], mode="markers",
        marker={"size": [5 + 4 * math.sqrt(c["n_networks"]) for c in cities], "color": [c["n_networks"] for c in cities],
                "colorscale": "Viridis", "showscale": True, "colorbar": {"title": {"text": "networks"}},
                "opacity": 0.8, "line": {"width": 0.5, "color": "#333"}},
        text=[f"{c['name']} ({c['country']})<br>{c['n_networks']} network(s): {', '.join(c['network_ids'] or [])}"
              for c in cities],
        hovertemplate="%{text}<extra></extra>", showlegend=False)])
    styled(fig, title, "longitude (°)", "latitude (°)", height=560)
    fig.update_xaxes(range=[-180, 180], dtick=30, zeroline=False)
    fig.update_yaxes(range=[-60, 80], dtick=20, zeroline=False, scaleanchor="x", scaleratio=1)
    return Chart("chart-member-map", title, caption, fig)


def small_and_border(profile: list[dict], why_empty: str) -> Chart:
    title = "Share of small towns and border cities among each network's members"
    caption = ("Per network with resolved members: share of member cities under 50,000 inhabitants (small "
               "towns) and share within 25 km of a populated place of a neighbouring country (border cities, "
               "the warehouse's documented proxy). Counts distinct member cities.")
    rows = [r for r in profile if r.get("n_member_cities")]
    if not rows:
        return no_data("chart-small-border", title, caption, "share of member cities", "network", why_empty)
    rows.sort(key=lambda r: (r["share_small_towns"] or 0, r["network_id"]))
    labels = [short_label(r["network_id"]) for r in rows]
    fig = go.Figure([
        go.Bar(y=labels, x=[r["share_small_towns"] for r in rows], orientation="h", name="small towns (< 50k)",
               marker_color="#2a9d8f", customdata=[r["n_member_cities"] for r in rows],
               hovertemplate="%{y}: %{x:.0%} small towns of %{customdata} cities<extra></extra>"),
        go.Bar(y=labels, x=[r["share_border_cities"] for r in rows], orientation="h", name="border cities (≤ 25 km)",
               marker_color="#e9c46a", customdata=[r["n_member_cities"] for r in rows],
               hovertemplate="%{y}: %{x:.0%} border cities of %{customdata} cities<extra></extra>"),
    ])
    styled(fig, title, "share of member cities", "network", height=max(420, 22 * len(rows) + 140))
    fig.update_layout(barmode="group", margin={"l": 200})
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(tickfont={"size": 10})
    return Chart("chart-small-border", title, caption, fig)


def geography_section(cities: list[dict], profile: list[dict], why_cities: str, why_profile: str) -> Section:
    return Section("geography", "Where the members are", [member_map(cities, why_cities),
                                                         small_and_border(profile, why_profile)])
