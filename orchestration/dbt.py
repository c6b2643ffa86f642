"""The dbt project as Dagster assets: one `dbt build` per run; dbt tests become asset checks."""

import shutil
import sys
from pathlib import Path
from typing import Any, Mapping

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.settings import configure_environment

WRITER_POOL = "duckdb_writer"
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
    invocation = dbt.cli(["build"], context=context)
    try:
        yield from invocation.stream()
    finally:  # each invocation writes its own target folder; keep the repo from filling up
        shutil.rmtree(invocation.target_path, ignore_errors=True)


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())
