"""Representation by size band: how each network's members compare with the places they could include."""
from __future__ import annotations

import math

import plotly.graph_objects as go

from publication.report.blocks import Section
from publication.report.figures import Chart, no_data, short_label, styled


def _bands(rows: list[dict]) -> list[str]:
    return [b for _, b in sorted({(r["band_order"], r["size_band"]) for r in rows})]


def all_networks_bands(rows: list[dict], why_empty: str) -> Chart:
    title = "All networks: members vs the universe, by city size"
    caption = ("Share of member cities (all networks together, distinct cities) in each population band, next "
               "to the share of that band among all GeoNames places of ≥ 500 inhabitants in the countries the "
               "networks have members in (the universe).")
    total = [r for r in rows if r["is_all_networks"]]
    if not total:
        return no_data("chart-size-bands-all", title, caption, "population band", "share", why_empty)
    total.sort(key=lambda r: r["band_order"])
    bands = [r["size_band"] for r in total]
    fig = go.Figure([
        go.Bar(x=bands, y=[r["member_share"] for r in total], name="member cities", marker_color="#264653",
               customdata=[r["members"] for r in total],
               hovertemplate="%{x}: %{y:.1%} of member cities (%{customdata})<extra></extra>"),
        go.Bar(x=bands, y=[r["universe_share"] for r in total], name="universe (all places ≥ 500)",
               marker_color="#e9c46a", customdata=[r["universe_places"] for r in total],
               hovertemplate="%{x}: %{y:.1%} of places (%{customdata})<extra></extra>"),
    ])
    styled(fig, title, "population band (inhabitants)", "share", height=420)
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickformat=".0%")
    return Chart("chart-size-bands-all", title, caption, fig, wide=False)


def per_network_ratio(rows: list[dict], why_empty: str) -> Chart:
    title = "Representation ratio by city size, per network"
    caption = ("Per network and population band: member share ÷ universe share (universe = GeoNames places "
               "≥ 500 inhabitants in the countries the network has members in). Colour on a log2 scale: "
               "red = over-represented, blue = under-represented, white = as in the universe; blank = no "
               "places of that band in the universe.")
    per = [r for r in rows if not r["is_all_networks"]]
    if not per:
        return no_data("chart-size-bands-networks", title, caption, "population band", "network", why_empty)
    bands = _bands(per)
    nets = sorted({r["network_id"] for r in per})
    cell = {(r["network_id"], r["size_band"]): r for r in per}
    z, text = [], []
    for n in nets:
        z_row, t_row = [], []
        for b in bands:
            r = cell.get((n, b))
            ratio = r["representation_ratio"] if r else None
            # no members in a band: clamp at 1/64 so "none at all" still shows as strongly under-represented
            z_row.append(None if ratio is None else math.log2(max(ratio, 1 / 64)))
            t_row.append("no places in the universe" if r is None or ratio is None else
                         f"{r['members']} members ({r['member_share']:.0%}) vs universe {r['universe_share']:.1%}"
                         f"<br>ratio {ratio:.2f}")
        z.append(z_row)
        text.append(t_row)
    fig = go.Figure(go.Heatmap(
        z=z, x=bands, y=[short_label(n) for n in nets], text=text, colorscale="RdBu", reversescale=True,
        zmid=0, zmin=-6, zmax=6, xgap=1, ygap=1,
        colorbar={"title": {"text": "log2 ratio"}, "tickvals": [-6, -3, 0, 3, 6],
                  "ticktext": ["≤ 1/64", "1/8", "1", "8", "64"]},
        hovertemplate="%{y}, %{x}<br>%{text}<extra></extra>"))
    styled(fig, title, "population band (inhabitants)", "network", height=max(420, 20 * len(nets) + 160))
    fig.update_yaxes(autorange="reversed", tickfont={"size": 10})
    fig.update_layout(margin={"l": 200})
    return Chart("chart-size-bands-networks", title, caption, fig, wide=False)


def representation_section(rows: list[dict], why_empty: str) -> Section:
    return Section("representation", "Representation by city size", [
        all_networks_bands(rows, why_empty), per_network_ratio(rows, why_empty)])
