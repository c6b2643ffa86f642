"""Network overlap: the clustered Jaccard heatmap, the strongest pairs, and the co-membership graph."""
from __future__ import annotations

import math

import plotly.graph_objects as go

from publication.report.blocks import Section, Table
from publication.report.cluster import average_linkage_order
from publication.report.figures import MAX_CHART_NETWORKS, Chart, no_data, short_label, styled
from publication.report.layout import force_layout

TOP_PAIRS = 15
LABELLED_NODES = 14
TYPE_COLOURS = {"grassroots": "#2a9d8f", "sponsored": "#e76f51", "hybrid": "#8a5cf6", "unknown": "#8d99ae"}
# edge classes by shared members: one trace per class, as a plotly line has a single width
EDGE_CLASSES = [(1, 1, 0.6, "1 shared city"), (2, 4, 1.5, "2-4"), (5, 14, 3.0, "5-14"), (15, None, 5.0, "15 or more")]


def _pair_maps(pairs: list[dict]) -> tuple[list[str], dict[tuple[str, str], dict]]:
    by_pair = {}
    for r in pairs:
        by_pair[(r["network_a"], r["network_b"])] = r
        by_pair[(r["network_b"], r["network_a"])] = r
    nodes = sorted({r["network_a"] for r in pairs} | {r["network_b"] for r in pairs})
    return nodes, by_pair


def clustered_order(pairs: list[dict]) -> list[str]:
    nodes, by_pair = _pair_maps(pairs)
    return average_linkage_order(nodes, lambda a, b: 1.0 - (by_pair[(a, b)]["jaccard"] if (a, b) in by_pair else 0.0))


def heatmap(pairs: list[dict], why_empty: str) -> Chart:
    title = "Network overlap (Jaccard index of member cities), clustered"
    caption = ("Each cell compares two networks' current member cities (members resolved to a GeoNames city): "
               "Jaccard = shared cities / cities in either network. Rows and columns are ordered by an "
               "average-linkage clustering on 1 − Jaccard, so networks sharing members sit together. "
               "Only networks with at least one resolved member are shown; the diagonal is left blank.")
    if not pairs:
        return no_data("chart-overlap-heatmap", title, caption, "network", "network", why_empty)
    order = clustered_order(pairs)
    _, by_pair = _pair_maps(pairs)
    z, shared = [], []
    for a in order:
        z.append([None if a == b else (by_pair[(a, b)]["jaccard"] if (a, b) in by_pair else 0.0) for b in order])
        shared.append([0 if a == b else (by_pair[(a, b)]["shared"] if (a, b) in by_pair else 0) for b in order])
    labels = [short_label(n) for n in order]
    fig = go.Figure(go.Heatmap(
        z=z, x=labels, y=labels, customdata=shared, colorscale="Blues", zmin=0,
        colorbar={"title": {"text": "Jaccard"}}, xgap=1, ygap=1,
        hovertemplate="%{y} × %{x}<br>Jaccard %{z:.3f}<br>%{customdata} shared cities<extra></extra>"))
    size = max(520, 18 * len(order) + 220)
    styled(fig, title, "network", "network", height=size)
    fig.update_yaxes(autorange="reversed", tickfont={"size": 10})
    fig.update_xaxes(tickangle=-60, tickfont={"size": 10})
    fig.update_layout(margin={"l": 190, "b": 190})
    return Chart("chart-overlap-heatmap", title, caption, fig)


def strongest_pairs(pairs: list[dict]) -> Table:
    top = sorted((r for r in pairs if r["shared"] > 0),
                 key=lambda r: (-r["jaccard"], -r["shared"], r["network_a"], r["network_b"]))[:TOP_PAIRS]
    return Table(
        f"Strongest pairs (top {TOP_PAIRS} by Jaccard)",
        "Pairs of networks sharing the most member cities relative to their combined membership; the overlap "
        "coefficient divides by the smaller network instead (1 = one network's cities are all in the other).",
        ["network A", "network B", "cities A", "cities B", "shared", "Jaccard", "overlap coeff."],
        [[r["network_a"], r["network_b"], r["members_a"], r["members_b"], r["shared"], f"{r['jaccard']:.3f}",
          f"{r['overlap_coefficient']:.3f}"] for r in top],
        empty_note="no two networks share a member city yet")


def co_membership_graph(pairs: list[dict], networks: list[dict], why_empty: str) -> Chart:
    title = "Co-membership graph: networks linked by shared member cities"
    caption = ("Nodes are networks with at least one resolved member city (area ∝ member cities, colour = "
               "network type); an edge joins two networks sharing member cities, thicker for more shared "
               "cities. Positions come from a deterministic force layout (shared cities pull networks "
               "together); the axes carry no units.")
    edges = {(r["network_a"], r["network_b"]): r["shared"] for r in pairs if r["shared"] > 0}
    if not pairs:
        return no_data("chart-co-membership", title, caption, "layout x", "layout y", why_empty)
    order = clustered_order(pairs)
    linked = {n for pair in edges for n in pair}
    # the force layout places linked networks; networks sharing no member wait in a row below it (left in
    # the layout, repulsion would push them to the rim and squeeze everything else into the middle)
    pos = force_layout([n for n in order if n in linked], edges)
    alone = [n for n in order if n not in linked]
    for i, n in enumerate(alone):
        pos[n] = (-1.0 + 2.0 * (i + 0.5) / len(alone), -1.3)
    sizes = {}
    for r in pairs:
        sizes[r["network_a"]], sizes[r["network_b"]] = r["members_a"], r["members_b"]
    # names on the largest networks only (the rest on hover): a label on every node is unreadable
    labelled = set(sorted(linked, key=lambda n: (-sizes[n], n))[:LABELLED_NODES]) | set(alone)
    types = {n["network_id"]: n.get("network_type") or "unknown" for n in networks}
    fig = go.Figure()
    for low, high, width, label in EDGE_CLASSES:
        xs, ys = [], []
        for (a, b), w in sorted(edges.items()):
            if w >= low and (high is None or w <= high):
                xs += [pos[a][0], pos[b][0], None]
                ys += [pos[a][1], pos[b][1], None]
        if xs:
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"width": width, "color": "rgba(90,90,90,0.45)"},
                                     name=f"edge: {label}", hoverinfo="skip", legendgroup="edges"))
    # invisible midpoints carry the edge hover text
    mids = sorted(edges.items())
    fig.add_trace(go.Scatter(
        x=[(pos[a][0] + pos[b][0]) / 2 for (a, b), _ in mids], y=[(pos[a][1] + pos[b][1]) / 2 for (a, b), _ in mids],
        mode="markers", marker={"size": 6, "opacity": 0}, showlegend=False,
        text=[f"{a} – {b}: {w} shared cities" for (a, b), w in mids], hovertemplate="%{text}<extra></extra>"))
    for network_type in sorted({types.get(n, "unknown") for n in order}):
        members = [n for n in order if types.get(n, "unknown") == network_type]
        fig.add_trace(go.Scatter(
            x=[pos[n][0] for n in members], y=[pos[n][1] for n in members], mode="markers+text",
            name=network_type, text=[short_label(n, 22) if n in labelled else "" for n in members],
            textposition="top center", hovertext=members,
            textfont={"size": 9},
            marker={"size": [6 + 3 * math.sqrt(sizes[n]) for n in members], "line": {"width": 1, "color": "#fff"},
                    "color": TYPE_COLOURS.get(network_type, "#8d99ae")},
            customdata=[sizes[n] for n in members],
            hovertemplate="%{hovertext}<br>%{customdata} member cities<extra>" + network_type + "</extra>"))
    styled(fig, title, "layout x (no unit)", "layout y (no unit)", height=640)
    fig.update_xaxes(showticklabels=False, zeroline=False, showgrid=False, range=[-1.15, 1.15])
    if alone:
        fig.add_annotation(x=0, y=-1.18, text="networks sharing no member city with any other", showarrow=False,
                           font={"size": 10, "color": "#666"})
    fig.update_yaxes(showticklabels=False, zeroline=False, showgrid=False, range=[-1.4, 1.15])
    return Chart("chart-co-membership", title, caption, fig)


def largest_networks_pairs(pairs: list[dict], limit: int = MAX_CHART_NETWORKS) -> tuple[list[dict], int]:
    """The pairs among the `limit` networks with the most member cities (the clustering of the heatmap grows
    with the cube of the networks), and how many networks were left out."""
    sizes = {}
    for r in pairs:
        sizes[r["network_a"]], sizes[r["network_b"]] = r["members_a"], r["members_b"]
    kept = set(sorted(sizes, key=lambda n: (-sizes[n], n))[:limit])
    return [r for r in pairs if r["network_a"] in kept and r["network_b"] in kept], len(sizes) - len(kept)


def overlap_section(pairs: list[dict], networks: list[dict], why_empty: str) -> Section:
    shown, left_out = largest_networks_pairs(pairs)
    figures = [heatmap(shown, why_empty), co_membership_graph(shown, networks, why_empty)]
    if left_out:
        for chart in figures:
            chart.caption += (f" Shown: the {MAX_CHART_NETWORKS} networks with the most member cities; "
                              f"{left_out} smaller networks are left out of this figure (all are in the table "
                              "metrics.network_overlap).")
    return Section("overlap", "Who shares members with whom", [figures[0], strongest_pairs(pairs), figures[1]])
