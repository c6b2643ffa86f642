"""One run's way into the warehouse, in three steps (the pipeline's registry, scrape and resolve assets):
begin_run records the run and its registry; collect_run fetches, parses and loads the networks into raw and
marks the run complete; resolve_members keys the new texts and resolves the new member names to places.

Networks are collected concurrently (the fetcher keeps one request in flight per host, so sites on
different hosts do not wait for each other) and loaded in batches by this thread, the only writer. A
network that fails, or is not done by the run's deadline, is recorded with its reason and the run goes on:
the others' data lands and the failed one keeps its last good data downstream.
"""
from __future__ import annotations

import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from scrapers.collect import FetchRecord, NetworkResult, collect_network, sources_for_mode
from scrapers.conditional import ConditionalFetcher
from scrapers.fetch import make_fetcher
from scrapers.model import FetchedResponse
from scrapers.registry import ENV_VAR, Registry, is_bundled
from warehouse.drift import DEFAULT_MAX_DROP
from warehouse.db import connect
from warehouse.migrations import migrate
from warehouse.place_recogniser import LazyPlaces
from warehouse.raw_load import (
    complete_run,
    load_networks,
    previous_fetches,
    previous_structures,
    refresh_text_keys,
    start_run,
)
from warehouse.resolution.store import refresh_member_resolutions

MAX_PARALLEL_NETWORKS = 8
# Networks collected are loaded in batches: opening the file and each statement cost milliseconds, more than
# a network's rows. A batch is loaded once it holds LOAD_BATCH networks, or LOAD_EVERY_S after the last load,
# so slow sites never keep finished networks waiting long.
LOAD_BATCH = 50
LOAD_EVERY_S = 2.0


@dataclass(frozen=True)
class NetworkOutcome:
    network_id: str
    status: str
    mentions: int
    errors: tuple[str, ...]


def select_networks(registry: Registry, network_ids: list[str] | None, registry_only: bool = False,
                    mode: str | None = None) -> list[str]:
    """The networks to scrape: those asked for (each must exist and have a source), else all with sources
    (`registry_only`: all with sources from outside the bundled registry, TCN_REGISTRY; in replay mode,
    sources other than live-only ones)."""
    with_sources = {n.id for n in registry.with_sources(mode)}
    if registry_only and not network_ids:
        outside = sorted(n for n in with_sources if not is_bundled(registry.get(n)))
        if not outside:
            raise ValueError(f"--registry-only: no network with a source comes from outside the bundled registry "
                             f"(set {ENV_VAR} to your registry files or folder)")
        return outside
    if not network_ids:
        return sorted(with_sources)
    unknown = [n for n in network_ids if n not in registry.networks]
    if unknown:
        raise ValueError(f"unknown network id(s): {', '.join(unknown)} (see scrapers/registry/networks/)")
    live_only = [n for n in network_ids if n not in with_sources and registry.get(n).sources]
    if live_only:
        raise ValueError(f"network(s) whose member page is read live only (add --live): {', '.join(live_only)}")
    sourceless = [n for n in network_ids if n not in with_sources]
    if sourceless:
        raise ValueError(f"network(s) without a member-list source in the registry: {', '.join(sourceless)}")
    return sorted(set(network_ids))


def _deadline_result(registry: Registry, network_id: str, deadline_s: float, mode: str) -> NetworkResult:
    """A record for each source of a network the run had no time left for."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    records = [FetchRecord(spec, FetchedResponse(spec.url, None, None, {}, b"", "deadline_exceeded", now), None,
                           "fetch_failed", f"{network_id}: not collected within the run deadline of {deadline_s:g} s")
               for spec in sources_for_mode(registry.get(network_id).sources, mode)]
    return NetworkResult(network_id, records)


def begin_run(db_path: Path, run_id: str, registry: Registry, mode: str = "replay",
              network_ids: list[str] | None = None, registry_only: bool = False) -> list[str]:
    """Start `run_id`: the database brought to the current layout, the run and its registry recorded with the
    networks it sets out to collect (those asked for, else every network with a source, or with
    `registry_only` every outside one); returns them."""
    selected = select_networks(registry, network_ids, registry_only, mode)
    migrate(db_path)
    start_run(db_path, run_id, mode, registry, selected)
    return selected


def run_networks(db_path: Path, run_id: str) -> list[str]:
    """The networks `run_id` set out to collect (begin_run recorded them)."""
    with connect(db_path, read_only=True) as con:
        row = con.execute("SELECT networks FROM raw.runs WHERE run_id = ?", [run_id]).fetchone()
    if row is None:
        raise ValueError(f"run {run_id} was never begun (begin_run records it)")
    return list(row[0])


def collect_run(db_path: Path, run_id: str, registry: Registry, mode: str = "replay",
                snapshot_dir: Path | None = None, fetcher=None, deadline_s: float | None = None,
                max_drop: float = DEFAULT_MAX_DROP, accept_drop: list[str] | tuple[str, ...] = (),
                record_dir: Path | None = None) -> list[NetworkOutcome]:
    """Collect and load the networks `run_id` set out to collect, then write the run's completion marker.

    A network whose list shrinks by more than `max_drop` is held back unless it is in `accept_drop`.
    In live mode `record_dir` also stores every response as a replayable snapshot ("captured live")."""
    if record_dir is not None and mode != "live":
        raise ValueError("recording snapshots needs live mode (--live --record)")
    selected = run_networks(db_path, run_id)
    own_fetcher = fetcher is None
    if fetcher is None:
        extra = {"record_dir": Path(record_dir)} if record_dir is not None else {}
        fetcher = make_fetcher(mode=mode, snapshot_dir=snapshot_dir, **extra)
    if mode == "live":  # unchanged pages cost a 304; their archived bodies are parsed again
        fetcher = ConditionalFetcher(fetcher, previous_fetches(db_path, selected))
    give_up_at = time.monotonic() + deadline_s if deadline_s else None
    countries = {nid: registry.get(nid).country_code for nid in selected}  # completes row accounting's key
    outcomes: list[NetworkOutcome] = []

    def load(results: list[NetworkResult]) -> None:
        # the networks done since the last load, over one connection (each network its own transaction)
        for result, verdict in zip(results, load_networks(db_path, run_id, results, max_drop, accept_drop,
                                                          countries)):
            if verdict is not None:  # None: this network was loaded for this run before (a re-execution)
                errors = tuple(result.errors) + ((verdict.message,) if verdict.status == "drift_blocked" else ())
                outcomes.append(NetworkOutcome(result.network_id, verdict.status, len(result.mentions), errors))
    pool = ThreadPoolExecutor(max_workers=MAX_PARALLEL_NETWORKS, thread_name_prefix="collect")
    try:
        places = LazyPlaces(db_path)  # the gazetteer, for pages read by the auto parser
        chosen = previous_structures(db_path, selected)  # what it chose last time, to see a list move
        pending = {pool.submit(collect_network, nid, registry.get(nid).sources, fetcher, places=places, mode=mode,
                               previous={url: s for (n, url), s in chosen.items() if n == nid}): nid
                   for nid in selected}
        finished: list[NetworkResult] = []  # collected, not loaded yet
        last_load = time.monotonic()
        while pending:
            timeouts = [LOAD_EVERY_S] if finished else []  # wake up to load what waits, or at the deadline
            if give_up_at:
                timeouts.append(max(0.0, give_up_at - time.monotonic()))
            done, _ = wait(pending, timeout=min(timeouts, default=None), return_when=FIRST_COMPLETED)
            if not done and give_up_at and time.monotonic() >= give_up_at:
                # deadline: record the unfinished networks as failed, keep what landed
                for future in pending:
                    future.cancel()
                load(finished + [_deadline_result(registry, nid, deadline_s, mode) for nid in pending.values()])
                finished = []
                break
            for future in done:
                del pending[future]
                finished.append(future.result())  # collect_network records failures instead of raising
            if finished and (not pending or len(finished) >= LOAD_BATCH
                             or time.monotonic() - last_load >= LOAD_EVERY_S):
                load(finished)
                finished, last_load = [], time.monotonic()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        if own_fetcher:
            fetcher.close()
    complete_run(db_path, run_id)
    return sorted(outcomes, key=lambda o: o.network_id)


def resolve_members(db_path: Path) -> dict:
    """Key the texts and resolve the member names that no earlier run resolved under the current resolver (the
    code `tcn resolve` uses); dbt reads ref.text_keys and ref.member_resolutions."""
    keyed = refresh_text_keys(db_path)
    return {"texts_keyed": keyed, **refresh_member_resolutions(db_path)}


def scrape_run(db_path: Path, run_id: str, registry: Registry, mode: str = "replay",
               network_ids: list[str] | None = None, registry_only: bool = False,
               **collect_options) -> list[NetworkOutcome]:
    """begin_run, collect_run and resolve_members in a row: a run's scrape as the pipeline's assets make it,
    for tests and benchmarks that need one without Dagster."""
    begin_run(db_path, run_id, registry, mode, network_ids, registry_only)
    outcomes = collect_run(db_path, run_id, registry, mode, **collect_options)
    resolve_members(db_path)
    return outcomes
