"""Dagster assets wrapping the scrapers and the warehouse; all logic lives in those packages."""

from pathlib import Path

import dagster as dg

from orchestration.dbt import ROW_COUNT, WRITER_POOL, tcn_dbt_models
from orchestration.report import failed_checks
from scrapers.registry import load_registry
from warehouse.db import ensure_schema
from warehouse.drift import DEFAULT_MAX_DROP, GOOD_STATUSES
from warehouse.gazetteer import load_gazetteer
from warehouse.ingest import scrape_run, select_networks
from warehouse.paths import data_paths
from warehouse.publish import publish
from warehouse.raw_load import start_run
from warehouse.report import build_report
from warehouse.summary import table_row_counts


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


@dg.multi_asset(
    specs=[dg.AssetSpec(["ref", t], group_name="ref") for t in ("places", "place_names", "countries", "country_names")],
    pool=WRITER_POOL,
)
def gazetteer():
    """GeoNames places >= 500 inhabitants, their names and the countries; reloaded only for a new version."""
    db = data_paths().working_db
    ensure_schema(db)
    info = load_gazetteer(db)
    for table in ("places", "place_names", "countries", "country_names"):
        yield dg.MaterializeResult(asset_key=["ref", table], metadata={k: v for k, v in info.items()})


@dg.multi_asset(
    specs=[dg.AssetSpec(["raw", t], group_name="raw") for t in ("runs", "registry_networks")],
    pool=WRITER_POOL,
)
def registry(context: dg.AssetExecutionContext, config: RefreshConfig):
    """The network registry this run uses, recorded with its version."""
    _check_mode(config.mode)
    reg = load_registry()
    db = data_paths().working_db
    ensure_schema(db)
    selected = select_networks(reg, config.networks, config.registry_only)
    start_run(db, context.run_id, config.mode, reg, selected)
    meta = {"registry_version": reg.version, "networks": len(reg.networks), "scraped_networks": len(selected)}
    counts = _row_counts(db, [["raw", "runs"], ["raw", "registry_networks"]])
    yield dg.MaterializeResult(asset_key=["raw", "runs"], metadata={**meta, **counts[("raw", "runs")]})
    yield dg.MaterializeResult(asset_key=["raw", "registry_networks"],
                               metadata={**meta, **counts[("raw", "registry_networks")]})


SCRAPED_NETWORKS = sorted(n.id for n in load_registry().with_sources())


def _check_name(network_id: str) -> str:
    return "scraped_" + network_id.replace("-", "_")


SCRAPE_TABLES = [["raw", "fetches"], ["raw", "bodies"], ["raw", "member_mentions"], ["raw", "run_completions"],
                 ["ref", "text_keys"], ["ref", "member_resolutions"]]


@dg.multi_asset(
    specs=[dg.AssetSpec(k, group_name=k[0], deps=[["raw", "runs"], ["ref", "place_names"]]) for k in SCRAPE_TABLES],
    # one check per network: which network failed, and why, shows in Dagster (a drop is held back in data,
    # per network, rather than blocking every other network's refresh)
    check_specs=[dg.AssetCheckSpec(_check_name(n), asset=["raw", "member_mentions"],
                                   description=f"{n}: scraped, within its page contract, no unexplained drop")
                 for n in SCRAPED_NETWORKS],
    pool=WRITER_POOL,
)
def scrape(context: dg.AssetExecutionContext, config: RefreshConfig):
    """Fetch and parse every selected network, load raw rows, resolve the members, mark the run complete."""
    _check_mode(config.mode)
    outcomes = scrape_run(data_paths().working_db, context.run_id, load_registry(), config.mode, config.networks,
                          max_drop=config.max_member_drop, accept_drop=config.accept_member_drop,
                          record_dir=Path(config.record_dir) if config.record_dir else None,
                          registry_only=config.registry_only)
    failed = [o for o in outcomes if o.status not in GOOD_STATUSES]
    for o in failed:
        context.log.warning(f"{o.network_id}: {o.status}: {'; '.join(o.errors)}")
    table = dg.MetadataValue.md("| network | status | mentions |\n|---|---|---|\n" + "\n".join(
        f"| {o.network_id} | {o.status} | {o.mentions} |" for o in outcomes))
    counts = _row_counts(data_paths().working_db, SCRAPE_TABLES)
    for key in SCRAPE_TABLES:
        meta = {"networks": len(outcomes), "failed": len(failed),
                "mentions": sum(o.mentions for o in outcomes), **counts[tuple(key)]}
        if key == ["raw", "member_mentions"]:
            meta["per_network"] = table
        yield dg.MaterializeResult(asset_key=key, metadata=meta)
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


@dg.asset(key=["published", "warehouse"], group_name="published", deps=[tcn_dbt_models], pool=WRITER_POOL)
def published(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Parquet per mart and metric, a DuckDB copy and manifest.json under $TCN_DATA_DIR/published."""
    paths = data_paths()
    manifest = publish(paths, context.run_id)
    files = dg.MetadataValue.md("| table | rows | parquet |\n|---|---|---|\n" + "\n".join(
        f"| {t['schema']}.{t['table']} | {t['rows']} | {paths.published / t['path']} |" for t in manifest["tables"]))
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(paths.published)),
        "duckdb": dg.MetadataValue.path(str(paths.published_db)),
        "manifest": dg.MetadataValue.path(str(paths.published / "manifest.json")),
        "parquet_dir": dg.MetadataValue.path(str(paths.parquet)),
        "tables": len(manifest["tables"]),
        "files": files,
        "rows": dg.MetadataValue.json({t["table"]: t["rows"] for t in manifest["tables"]}),
        ROW_COUNT: sum(t["rows"] for t in manifest["tables"]),
    })


# It reads only the published files, never the working database; it shares the writer pool all the same, as
# it writes under published/ (and so never reads a publication another run is replacing at that moment).
@dg.asset(key=["published", "report"], group_name="published", deps=[published], pool=WRITER_POOL)
def report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """The run report: one self-contained HTML page (plotly.js inlined, renders offline) of the publication."""
    checks = failed_checks(context.instance, context.run_id)
    page = build_report(data_paths().published, failed_checks=checks)
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(page)),
        "url": dg.MetadataValue.url(page.as_uri()),
        "bytes": page.stat().st_size,
        "failed_checks": len(checks),
    })
