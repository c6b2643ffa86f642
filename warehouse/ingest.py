"""One scrape run: record the registry, collect each network, load it into raw, mark the run complete.

Networks are collected and loaded one by one; a network that fails is recorded with its error and the
run goes on, so the others' data lands and the failed one keeps its last good data downstream.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scrapers.collect import collect_network
from scrapers.fetch import make_fetcher
from scrapers.registry import Registry
from warehouse.db import ensure_schema
from warehouse.raw_load import complete_run, load_network, refresh_text_keys, start_run


@dataclass(frozen=True)
class NetworkOutcome:
    network_id: str
    status: str
    mentions: int
    errors: tuple[str, ...]


def select_networks(registry: Registry, network_ids: list[str] | None) -> list[str]:
    """The networks to scrape: those asked for (each must exist and have a source), else all with sources."""
    with_sources = {n.id for n in registry.with_sources()}
    if not network_ids:
        return sorted(with_sources)
    unknown = [n for n in network_ids if n not in registry.networks]
    if unknown:
        raise ValueError(f"unknown network id(s): {', '.join(unknown)} (see scrapers/registry/networks/)")
    sourceless = [n for n in network_ids if n not in with_sources]
    if sourceless:
        raise ValueError(f"network(s) without a member-list source in the registry: {', '.join(sourceless)}")
    return sorted(set(network_ids))


def scrape_run(db_path: Path, run_id: str, registry: Registry, mode: str = "replay",
               network_ids: list[str] | None = None, snapshot_dir: Path | None = None,
               fetcher=None) -> list[NetworkOutcome]:
    """Collect and load the selected networks for `run_id`, then write the run's completion marker."""
    selected = select_networks(registry, network_ids)
    ensure_schema(db_path)
    start_run(db_path, run_id, mode, registry, selected)
    own_fetcher = fetcher is None
    fetcher = fetcher or make_fetcher(mode=mode, snapshot_dir=snapshot_dir)
    outcomes = []
    try:
        for network_id in selected:
            result = collect_network(network_id, registry.get(network_id).sources, fetcher)
            load_network(db_path, run_id, result)
            outcomes.append(NetworkOutcome(network_id, result.status, len(result.mentions),
                                           tuple(result.errors)))
    finally:
        if own_fetcher:
            fetcher.close()
    refresh_text_keys(db_path)
    complete_run(db_path, run_id)
    return outcomes
