"""The dbt project as Dagster assets: one `dbt build` per run; dbt tests become asset checks."""

import sys
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator, Mapping

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.settings import configure_environment
from warehouse.paths import data_paths
from warehouse.summary import table_row_counts

WRITER_POOL = "duckdb_writer"
ROW_COUNT = "dagster/row_count"  # the metadata key Dagster's UI shows as a table's row count
DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"

configure_environment()  # the dbt profile reads TCN_DUCKDB_PATH

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
if dbt_project.manifest_path.exists():
    dbt_project.prepare_if_dev()
else:  # a fresh clone: `dbt parse` (no database needed) writes the manifest the assets are built from
    dbt_project.preparer.prepare(dbt_project)


def dbt_executable() -> str:
    """The dbt of the venv running Dagster (dagster-dbt does not install dbt itself)."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


class TcnDbtTranslator(DagsterDbtTranslator):
    """Models keyed by [schema, name] (marts/dim_city); sources keep [source, table] (raw/fetches)."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None):
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id)
        if node and node["resource_type"] in ("model", "seed", "snapshot"):
            schema = node["config"].get("schema") or "main"
            spec = spec.replace_attributes(key=dg.AssetKey([schema, node["name"]]), group_name=schema)
        return spec


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project,
            dagster_dbt_translator=TcnDbtTranslator(), pool=WRITER_POOL)
def tcn_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    # one target folder per data dir, kept: dbt reuses its saved parse (partial_parse.msgpack) when the
    # project and the profile (the DuckDB path) are unchanged, instead of parsing everything again
    invocation = dbt.cli(["build"], context=context, target_path=data_paths().dbt_target)
    # dbt holds the DuckDB file for the whole build, so row counts can only be read once it has ended: the
    # events are held until then and released in their order, each model's Output with its row count.
    events, error = [], None
    try:
        for event in invocation.stream():
            events.append(event)
    except Exception as exc:  # dbt failed: still report what it built, then fail the step
        error = exc
    if error is None:
        yield from _with_row_counts(context, events)
    else:  # dbt may not have released the file: no counts
        yield from events
    if error is not None:
        raise error


def _with_row_counts(context: dg.AssetExecutionContext, events: list) -> Iterator:
    tables = {e.output_name: tuple(context.asset_key_for_output(e.output_name).path)
              for e in events if isinstance(e, dg.Output)}
    try:
        counts = table_row_counts(data_paths().working_db, [t for t in tables.values() if len(t) == 2])
    except Exception as exc:  # metadata only: never fail a good build over it
        context.log.warning(f"no row counts: {exc}")
        counts = {}
    for event in events:
        if isinstance(event, dg.Output) and tables[event.output_name] in counts:
            event = event.with_metadata({**event.metadata, ROW_COUNT: counts[tables[event.output_name]]})
        yield event


class TcnDbtCliResource(DbtCliResource):
    """DbtCliResource without two start-up costs of each run that this project does not need (measured in
    docs/performance.md): asking `dbt --version` (a second dbt start-up, and a PyPI query for the latest
    version), and a dbt adapter inside this process (used only for dagster-dbt's row-count and column
    metadata; row counts come from warehouse.summary)."""

    @cached_property
    def _cli_version(self):
        from dbt.version import __version__
        from packaging import version

        if Path(self.dbt_executable) == Path(sys.executable).parent / "dbt":  # this venv's dbt-core
            return version.parse(__version__)
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args):
        return None


def dbt_resource() -> DbtCliResource:
    return TcnDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())
