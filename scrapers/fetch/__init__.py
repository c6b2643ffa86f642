"""Fetching: `make_fetcher("replay")` answers from bundled snapshots, `make_fetcher("live")` uses HTTP.

    fetcher = make_fetcher(mode="live", delay=1.0)
    response = fetcher.fetch(url, allowed_hosts=("example.org",))   # never raises for network/HTTP trouble
    fetcher.close()
"""
from __future__ import annotations

from pathlib import Path

from scrapers.fetch.base import Fetcher
from scrapers.fetch.live import LiveFetcher, LiveOptions
from scrapers.fetch.replay import ReplayFetcher, SnapshotError

MODES = ("replay", "live")


def make_fetcher(mode: str = "replay", snapshot_dir: Path | None = None, **live_options) -> Fetcher:
    """Build a fetcher. live_options are LiveOptions fields (unknown names raise TypeError);
    replay mode accepts and ignores them, so callers can pass one configuration to either mode."""
    options = LiveOptions(**live_options)  # checked in both modes so a typo fails early
    if mode == "replay":
        return ReplayFetcher(snapshot_dir)
    if mode == "live":
        return LiveFetcher(options)
    raise ValueError(f"unknown fetch mode {mode!r}; expected one of {MODES}")


__all__ = ["Fetcher", "LiveFetcher", "LiveOptions", "ReplayFetcher", "SnapshotError", "make_fetcher"]
