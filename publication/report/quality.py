"""Data quality: coverage against stated member counts, unresolved names, failed networks and checks."""
from __future__ import annotations

from collections import Counter

import plotly.graph_objects as go

from publication.report.blocks import Section, Table
from publication.report.figures import MAX_CHART_NETWORKS, Chart, no_data, short_label, styled

UNRESOLVED_ROWS = 60
REASON_COLOURS = {"no_candidate": "#e76f51", "ambiguous": "#f4a261", "ambiguous_without_country": "#e9c46a",
                  "not_a_city": "#8d99ae"}


def coverage(profile: list[dict], why_empty: str) -> Chart:
    title = "Coverage: members found vs the member count the network states"
    caption = ("One point per network that states a member count: x = stated count (registry, with its date), "
               "y = current members found in the scraped lists (resolved or not). On the dotted line the list "
               "is complete; below it members are missing. Log scales. Networks without a stated count or "
               "without members are not shown.")
    rows = [r for r in profile if r.get("stated_member_count") and r.get("n_members")]
    if not rows:
        return no_data("chart-coverage", title, caption, "stated member count", "members found", why_empty)
    top = max(max(r["stated_member_count"], r["n_members"]) for r in rows)
    fig = go.Figure([
        go.Scatter(x=[1, top * 1.5], y=[1, top * 1.5], mode="lines", name="complete (found = stated)",
                   line={"dash": "dot", "color": "#999"}, hoverinfo="skip"),
        go.Scatter(x=[r["stated_member_count"] for r in rows], y=[r["n_members"] for r in rows],
                   mode="markers+text", name="network", text=[short_label(r["network_id"], 18) for r in rows],
                   textposition="top center", textfont={"size": 9},
                   marker={"size": 9, "color": [min(r["coverage"] or 0, 1.5) for r in rows], "colorscale": "RdYlGn",
                           "cmin": 0, "cmax": 1, "showscale": True, "colorbar": {"title": {"text": "coverage"}}},
                   customdata=[r["coverage"] for r in rows],
                   hovertemplate="%{text}: %{y} found of %{x} stated (coverage %{customdata:.0%})<extra></extra>"),
    ])
    styled(fig, title, "stated member count (log)", "members found (log)", height=520)
    fig.update_xaxes(type="log")
    fig.update_yaxes(type="log")
    return Chart("chart-coverage", title, caption, fig, wide=False)


def unresolved_by_network(rows: list[dict], why_empty: str) -> Chart:
    title = "Unresolved member names per network, by reason"
    caption = ("Current members whose name did not resolve to exactly one GeoNames city (from "
               "review_unresolved): no candidate, several candidates (ambiguous), or a member that is not a "
               "city (a region, an organisation). Counts names.")
    if not rows:
        return no_data("chart-unresolved", title, caption, "unresolved names", "network", why_empty)
    counts = Counter((r["network_id"], r["reason"] or "unknown") for r in rows)
    per_network = Counter(r["network_id"] for r in rows)
    # the networks with the most unresolved names, the largest at the top of the chart
    nets = sorted(sorted(per_network, key=lambda n: (-per_network[n], n))[:MAX_CHART_NETWORKS],
                  key=lambda n: (per_network[n], n))
    if len(per_network) > len(nets):
        caption += (f" Shown: the {len(nets)} networks with the most unresolved names of {len(per_network)}; "
                    "all are in marts.review_unresolved.")
    reasons = sorted({reason for _, reason in counts})
    fig = go.Figure([
        go.Bar(y=[short_label(n) for n in nets], x=[counts[(n, reason)] for n in nets],
               orientation="h", name=reason, marker_color=REASON_COLOURS.get(reason, "#457b9d"),
               hovertemplate="%{y}: %{x} " + reason + "<extra></extra>")
        for reason in reasons])
    styled(fig, title, "unresolved names", "network", height=max(360, 24 * len(nets) + 150))
    fig.update_layout(barmode="stack", margin={"l": 200})
    return Chart("chart-unresolved", title, caption, fig, wide=False)


def coverage_table(networks: list[dict]) -> Table:
    """Every network with members or a stated count: how complete its published list is."""
    listed = [n for n in networks if n.get("n_members") or n.get("stated_member_count")]
    listed.sort(key=lambda n: (n.get("coverage") is None, -(n.get("coverage") or 0), n["network_id"]))
    return Table(
        "Coverage per network",
        "Members published in the latest good run against the member count the network states (registry, "
        "with the date of that statement). A coverage above 100% means the list is newer than the statement.",
        ["network", "published", "stated", "stated as of", "coverage"],
        [[n["network_id"], n.get("n_members") or 0, n.get("stated_member_count") or "",
          n.get("stated_member_count_as_of") or "",
          "" if n.get("coverage") is None else f"{n['coverage']:.0%}"] for n in listed],
        empty_note="no network has members or a stated count")


def unresolved_table(rows: list[dict]) -> Table:
    shown = rows[:UNRESOLVED_ROWS]
    more = f" Showing {len(shown)} of {len(rows)}; all are in marts.review_unresolved." if len(rows) > len(shown) else ""
    return Table(
        "Unresolved names to review",
        "Names as the source lists them, with the country the warehouse assumed and why no city was chosen." + more,
        ["network", "name", "country", "kind", "reason", "candidates"],
        [[r["network_id"], r["member_name"], r["name_country_hint"] or r["country_text"] or "", r["member_kind"] or "",
          r["reason"], r["n_candidates"]] for r in shown],
        empty_note="every current member resolved to a city")


def failed_networks_table(latest: list[dict]) -> Table:
    failed = [r for r in latest if not r["is_good"]]
    return Table(
        "Networks that failed in the latest run",
        "Their earlier members are kept downstream (stale) until a good run replaces them.",
        ["network", "status", "members kept"],
        [[r["network_id"], r["attempt_status"], r["members_before"]] for r in failed],
        empty_note="none: every network attempted in the latest run was scraped within its contract"
        if latest else "no run recorded yet")


def failed_checks_table(checks: list[dict] | None) -> Table:
    return Table(
        "Failed checks of the published run",
        "Dagster asset checks (dbt tests and the per-network scrape checks) that did not pass in the run that "
        "published these tables; a blocking failure would have stopped the publication.",
        ["check", "asset", "severity"],
        [[c["check"], c["asset"], c["severity"]] for c in checks or []],
        empty_note="none: every check passed" if checks is not None
        else "not known: the report was built without access to this run's Dagster history")


def quality_section(profile: list[dict], networks: list[dict], unresolved: list[dict], latest: list[dict],
                    checks: list[dict] | None, why_profile: str, why_unresolved: str) -> Section:
    return Section("quality", "Data quality", [
        coverage(profile, why_profile), coverage_table(networks), unresolved_by_network(unresolved, why_unresolved),
        failed_networks_table(latest), failed_checks_table(checks), unresolved_table(unresolved)])
