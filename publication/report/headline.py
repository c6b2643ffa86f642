"""The headline block: the run at a glance (networks, members, resolved share, changes, failures)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Figure:
    label: str
    value: str
    detail: str = ""
    alert: bool = False


def headline(networks: list[dict], totals: dict, latest: list[dict]) -> list[Figure]:
    with_members = sum(1 for n in networks if n.get("n_members"))
    members, resolved = totals.get("members") or 0, totals.get("resolved") or 0
    figures = [
        Figure("networks", f"{len(networks)}", f"{with_members} with a published member list"),
        Figure("members", f"{members:,}", f"{totals.get('cities') or 0:,} distinct cities"),
        Figure("resolved to a city", f"{resolved / members:.0%}" if members else "–",
               f"{resolved:,} of {members:,} members" if members else "no members yet"),
    ]
    compared = [r for r in latest if r["is_good"] and not r["is_first_good_run"]]
    if not latest:
        figures.append(Figure("changes since the previous run", "–", "no run recorded yet"))
    elif not compared:
        figures.append(Figure("changes since the previous run", "first run",
                              "every network's list is new: nothing to compare with"))
    else:
        joined, left = sum(r["n_joined"] for r in compared), sum(r["n_left"] for r in compared)
        changed = sum(1 for r in compared if r["n_joined"] or r["n_left"])
        figures.append(Figure("changes since the previous run", f"+{joined} / −{left}",
                              f"joined / left, in {changed} of {len(compared)} networks compared"))
    failed = sorted(r["network_id"] for r in latest if not r["is_good"])
    figures.append(Figure("failed networks", f"{len(failed)}",
                          ", ".join(failed) if failed else f"of {len(latest)} attempted in the latest run",
                          alert=bool(failed)))
    return figures
