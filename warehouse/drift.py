"""Judge a network's run against its last good run: unchanged, a suspicious drop, or fine.

A list that shrinks by more than `max_drop` (default 20%) is held back (`drift_blocked`): the network keeps
its last good members downstream until someone accepts the drop (`tcn refresh --accept-drop NETWORK`).
"""
from __future__ import annotations

from dataclasses import dataclass

from scrapers.collect import NetworkResult

DEFAULT_MAX_DROP = 0.2
GOOD_STATUSES = ("ok", "unchanged")


@dataclass(frozen=True)
class PreviousGood:
    run_id: str
    n_members: int
    members_sha256: str | None


@dataclass(frozen=True)
class Verdict:
    status: str
    n_members: int
    message: str | None = None


def previous_good(con, network_ids: list[str]) -> dict[str, PreviousGood]:
    """Each network's latest good verdict in a complete run (networks with none are left out)."""
    rows = con.execute(
        """SELECT nr.network_id, nr.run_id, nr.n_members, nr.members_sha256
           FROM raw.network_runs nr
           JOIN raw.run_completions c USING (run_id)
           JOIN raw.runs r USING (run_id)
           WHERE nr.network_id IN (SELECT unnest(?::VARCHAR[])) AND nr.status IN (SELECT unnest(?::VARCHAR[]))
           QUALIFY row_number() OVER (PARTITION BY nr.network_id ORDER BY r.started_at DESC) = 1""",
        [list(network_ids), list(GOOD_STATUSES)]).fetchall()
    return {network_id: PreviousGood(*rest) for network_id, *rest in rows}


def judge(result: NetworkResult, previous: PreviousGood | None, max_drop: float = DEFAULT_MAX_DROP,
          accept_drop: bool = False) -> Verdict:
    if not 0 <= max_drop <= 1:
        raise ValueError(f"max_drop must be within [0, 1], got {max_drop}")
    n = len(result.members)
    if result.status != "ok":
        return Verdict(result.status, n, "; ".join(result.errors) or None)
    if previous is None:
        return Verdict("ok", n)
    if result.members_sha256 == previous.members_sha256:
        return Verdict("unchanged", n)
    floor = previous.n_members * (1 - max_drop)
    if n < floor and not accept_drop:
        return Verdict("drift_blocked", n,
                       f"{result.network_id}: {n} members, down from {previous.n_members} in run "
                       f"{previous.run_id} (more than {max_drop:.0%} fewer); keeping the previous list. "
                       f"Accept with: tcn refresh --accept-drop {result.network_id}")
    return Verdict("ok", n)
