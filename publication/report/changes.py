"""Membership changes over the last runs: totals from metrics_history, joins and leaves from membership_changes."""
from __future__ import annotations

import plotly.graph_objects as go

from publication.report.blocks import Section, Table
from publication.report.figures import Chart, no_data, styled

LAST_RUNS = 12


def run_label(seq: int, started) -> str:
    return f"#{seq} {started:%Y-%m-%d %H:%M}" if started is not None else f"#{seq}"


def totals_over_runs(history: list[dict], why_empty: str) -> Chart:
    title = f"Members over the last {LAST_RUNS} runs"
    caption = ("From metrics_history, one point per refresh: current members (listed names, resolved or not) "
               "and distinct member cities (resolved), all networks together.")
    series = {"members": "members (all listed names)", "member_cities": "member cities (resolved, distinct)"}
    rows = [r for r in history if r["key_kind"] == "all" and r["metric"] in series]
    if not rows:
        return no_data("chart-history-totals", title, caption, "run", "count", why_empty)
    fig = go.Figure()
    for metric, label in series.items():
        mine = sorted((r for r in rows if r["metric"] == metric), key=lambda r: r["run_seq"])
        fig.add_trace(go.Scatter(x=[run_label(r["run_seq"], r["run_started_at"]) for r in mine],
                                 y=[r["value"] for r in mine], mode="lines+markers", name=label,
                                 hovertemplate="%{x}: %{y:,.0f}<extra>" + label + "</extra>"))
    styled(fig, title, "run (sequence number, start time UTC)", "count", height=400)
    fig.update_xaxes(type="category")
    fig.update_yaxes(rangemode="tozero")
    return Chart("chart-history-totals", title, caption, fig, wide=False)


def joins_and_leaves(runs: list[dict], why_empty: str) -> Chart:
    title = "Members joined and left, per run"
    caption = ("From membership_changes: members that appeared (joined) or disappeared (left, drawn below zero) "
               "against each network's previous good run, summed over networks. A network's first good run "
               "lists all its members as new: those are shown apart as “first listing”, not as joins.")
    if not runs:
        return no_data("chart-history-changes", title, caption, "run", "members", why_empty)
    labels = [run_label(r["run_seq"], r["run_started_at"]) for r in runs]
    changed = ["<br>".join(r["changed"] or []) or "no network changed" for r in runs]
    fig = go.Figure([
        go.Bar(x=labels, y=[r["first_listed"] or 0 for r in runs], name="first listing", marker_color="#bcd4e6",
               customdata=changed, hovertemplate="%{x}: %{y} listed for the first time<extra></extra>"),
        go.Bar(x=labels, y=[r["joined"] or 0 for r in runs], name="joined", marker_color="#2a9d8f",
               customdata=changed, hovertemplate="%{x}: %{y} joined<br>%{customdata}<extra></extra>"),
        go.Bar(x=labels, y=[-(r["left_"] or 0) for r in runs], name="left", marker_color="#e76f51",
               customdata=changed, hovertemplate="%{x}: %{y} left (shown negative)<br>%{customdata}<extra></extra>"),
    ])
    styled(fig, title, "run (sequence number, start time UTC)", "members (left < 0)", height=400)
    fig.update_layout(barmode="relative")
    fig.update_xaxes(type="category")
    return Chart("chart-history-changes", title, caption, fig, wide=False)


def latest_changes_table(latest: list[dict]) -> Table:
    rows = [r for r in latest if (r["n_joined"] or r["n_left"]) and not r["is_first_good_run"]]
    return Table(
        "Networks that changed in the latest run",
        "Members joined and left against the network's previous good run (first listings excluded).",
        ["network", "status", "before", "joined", "left", "after"],
        [[r["network_id"], r["attempt_status"], r["members_before"], r["n_joined"], r["n_left"], r["members_after"]]
         for r in rows],
        empty_note="no network's member list changed in the latest run")


def changes_section(history: list[dict], runs: list[dict], latest: list[dict], why_history: str,
                    why_runs: str) -> Section:
    return Section("changes", "Changes across runs", [
        totals_over_runs(history, why_history), joins_and_leaves(runs, why_runs), latest_changes_table(latest)])
