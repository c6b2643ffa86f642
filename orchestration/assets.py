"""Dagster assets wrapping the scrapers and the warehouse; all logic lives in those packages."""

import dagster as dg

from orchestration.dbt import WRITER_POOL, tcn_dbt_models
from scrapers.registry import load_registry
from warehouse.db import ensure_schema
from warehouse.gazetteer import load_gazetteer
from warehouse.ingest import scrape_run, select_networks
from warehouse.paths import data_paths
from warehouse.publish import publish
from warehouse.raw_load import start_run


class RefreshConfig(dg.Config):
    mode: str = "replay"  # replay (bundled snapshots) | live (the networks' sites)
    networks: list[str] = []  # empty = every network with a source in the registry


def _check_mode(mode: str) -> None:
    if mode not in ("replay", "live"):
        raise dg.Failure(f"unknown mode {mode!r}: use 'replay' or 'live'")


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
    selected = select_networks(reg, config.networks)
    start_run(db, context.run_id, config.mode, reg, selected)
    meta = {"registry_version": reg.version, "networks": len(reg.networks), "scraped_networks": len(selected)}
    yield dg.MaterializeResult(asset_key=["raw", "runs"], metadata=meta)
    yield dg.MaterializeResult(asset_key=["raw", "registry_networks"], metadata=meta)


SCRAPE_TABLES = [["raw", "fetches"], ["raw", "bodies"], ["raw", "member_mentions"], ["raw", "run_completions"],
                 ["ref", "text_keys"]]


@dg.multi_asset(
    specs=[dg.AssetSpec(k, group_name=k[0], deps=[["raw", "runs"], ["ref", "place_names"]]) for k in SCRAPE_TABLES],
    check_specs=[dg.AssetCheckSpec("all_networks_scraped", asset=["raw", "member_mentions"])],
    pool=WRITER_POOL,
)
def scrape(context: dg.AssetExecutionContext, config: RefreshConfig):
    """Fetch and parse every selected network, load raw rows, mark the run complete."""
    _check_mode(config.mode)
    outcomes = scrape_run(data_paths().working_db, context.run_id, load_registry(), config.mode, config.networks)
    failed = [o for o in outcomes if o.status != "ok"]
    for o in failed:
        context.log.warning(f"{o.network_id}: {o.status}: {'; '.join(o.errors)}")
    table = dg.MetadataValue.md("| network | status | mentions |\n|---|---|---|\n" + "\n".join(
        f"| {o.network_id} | {o.status} | {o.mentions} |" for o in outcomes))
    for key in SCRAPE_TABLES:
        meta = {"networks": len(outcomes), "failed": len(failed),
                "mentions": sum(o.mentions for o in outcomes)}
        if key == ["raw", "member_mentions"]:
            meta["per_network"] = table
        yield dg.MaterializeResult(asset_key=key, metadata=meta)
    yield dg.AssetCheckResult(
        check_name="all_networks_scraped", asset_key=["raw", "member_mentions"], passed=not failed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"failed": dg.MetadataValue.json({o.network_id: list(o.errors) for o in failed})},
    )


@dg.asset(key=["published", "warehouse"], group_name="published", deps=[tcn_dbt_models], pool=WRITER_POOL)
def published(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Parquet per mart and metric, a DuckDB copy and manifest.json under $TCN_DATA_DIR/published."""
    paths = data_paths()
    manifest = publish(paths, context.run_id)
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(paths.published)),
        "tables": len(manifest["tables"]),
        "rows": dg.MetadataValue.json({t["table"]: t["rows"] for t in manifest["tables"]}),
    })
