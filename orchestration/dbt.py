"""The dbt project as Dagster assets: one `dbt build` per run; dbt tests become asset checks."""

import os
import queue
import subprocess
import sys
import threading
from contextlib import contextmanager
from graphlib import TopologicalSorter
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any, Iterator, Mapping

import dagster as dg


@contextmanager
def dbt_core_out_of_sight() -> Iterator[None]:
    """dagster-dbt imports dbt-core into this process when it can (1.5 s of every `tcn` start-up) for two
    things this project does not use: an adapter inside Dagster (TcnDbtCliResource turns it off) and dbt's
    selection engine (the assets select the whole manifest, which needs none). dbt runs as a subprocess. Out of
    sight, dagster-dbt takes the path it has for a dbt without a Python package (dbt Fusion); the assets,
    checks and events are the same (tests/test_definitions.py compares them)."""
    hidden = "dbt.version" not in sys.modules
    if hidden:
        sys.modules["dbt.version"] = None  # `import dbt.version` raises ImportError
    try:
        yield
    finally:
        if hidden and sys.modules.get("dbt.version", False) is None:
            del sys.modules["dbt.version"]


with dbt_core_out_of_sight():
    from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.dbt_setup import DBT_PROJECT_DIR, MANIFEST, TCN_DBT, VENV_DBT, dbt_executable
from orchestration.resources import DataDir
from warehouse.build_plan import (FULL_REFRESH, GAZETTEER_TAG, INCREMENTAL, RUN_KEYED_TAG, RUN_ONLY, BuildPlan,
                                  plan_build, project_fingerprint, record_build)
from warehouse.run_outcome import run_has_good_network

WRITER_POOL = "duckdb_writer"
ROW_COUNT = "dagster/row_count"  # the metadata key Dagster's UI shows as a table's row count
ROW_COUNT_PREFIX = "tcn_row_count "
# The flags of each kind of build (warehouse/build_plan.py decides which one a run needs). Unit tests check the
# models' logic on fixed inputs, not the data: `make test` runs them, a refresh does not (dbt's advice for
# production builds; ~1.5 s per build).
NO_UNIT_TESTS = ["--exclude-resource-type", "unit_test"]
BUILD_FLAGS = {FULL_REFRESH: ["--full-refresh"], INCREMENTAL: [], RUN_ONLY: ["--selector", "run_keyed"]}


def dbt_build_args(plan: BuildPlan) -> list[str]:
    skip = ["--exclude", f"tag:{GAZETTEER_TAG}"] if plan.skips_gazetteer else []
    return ["build", *NO_UNIT_TESTS, *BUILD_FLAGS[plan.kind], *skip]


if not MANIFEST.exists():  # the graph comes from dbt's manifest: nothing is parsed on import
    raise RuntimeError(f"{MANIFEST} is missing: run `make manifest` (or `tcn refresh`) first")
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


@contextmanager
def dbt_profile_at(database: Path) -> Iterator[None]:
    """The dbt profile reads the working database's path from TCN_DUCKDB_PATH; dagster-dbt passes this
    process's environment to the dbt it starts, so the path is set while the subprocess starts."""
    before = os.environ.get("TCN_DUCKDB_PATH")
    os.environ["TCN_DUCKDB_PATH"] = str(database)
    try:
        yield
    finally:
        if before is None:
            del os.environ["TCN_DUCKDB_PATH"]
        else:
            os.environ["TCN_DUCKDB_PATH"] = before


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
def tcn_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, data_dir: DataDir):
    # one target folder per data dir, kept: dbt reuses its saved parse (partial_parse.msgpack) when the
    # project and the profile (the DuckDB path) are unchanged, instead of parsing everything again. A new
    # folder starts from the parse `make manifest` saved in dbt_project/target (dagster-dbt copies it).
    # what the run needs (warehouse/build_plan.py): a full refresh, every model, or only the run-keyed ones
    paths = data_dir.paths
    if not run_has_good_network(paths.working_db, context.run_id):  # nothing new: no build, no publication
        context.log.warning("dbt build skipped: every network of this run failed or was held back; "
                            "the marts and the publication stay as they were")
        return
    plan = plan_build(paths.working_db, context.run_id, project_fingerprint(DBT_PROJECT_DIR))
    context.log.info(f"dbt build: {plan.kind}: {plan.reason}")
    with dbt_profile_at(paths.working_db):
        invocation = dbt.cli(dbt_build_args(plan), context=context, target_path=paths.dbt_target)
    built, not_rebuilt = _what_the_build_builds(context, plan)
    yield from in_topological_order(context, dbt_events(context, invocation), built, not_rebuilt)
    record_build(paths.working_db, plan)  # dbt succeeded (a failed build raised above)


def _what_the_build_builds(context: dg.AssetExecutionContext, plan) -> tuple[set[dg.AssetKey], dict]:
    """The models the plan's build builds, and the note on the ones it leaves as they are (current, from the
    build that last made them): a run-only build builds only the models tagged run_keyed; a full or
    incremental one leaves out the gazetteer's staging when the gazetteer and the project did not change."""
    tagged = {tag: {spec.key for spec in context.assets_def.specs if tag in spec.tags}
              for tag in (RUN_KEYED_TAG, GAZETTEER_TAG)}
    if plan.kind == RUN_ONLY:
        return tagged[RUN_KEYED_TAG], {"tcn/build": "run_only: not rebuilt, no input changed",
                                       "content_as_of_run": plan.content_run_id}
    left_out = tagged[GAZETTEER_TAG] if plan.skips_gazetteer else set()
    return set(context.selected_asset_keys) - left_out, {
        "tcn/build": f"{plan.kind}: not rebuilt, the gazetteer and the dbt project are unchanged since the last build"}


def in_topological_order(context: dg.AssetExecutionContext, events: Iterator, built: set[dg.AssetKey],
                         not_rebuilt: dict) -> Iterator:
    """`events` of a build of the `built` models, with every other selected model's output recorded as not
    rebuilt, in the order Dagster wants a multi-asset's outputs: a model's after those of the models it depends
    on. They go to Dagster while dbt runs (Dagster stores them meanwhile): each output as soon as its upstream
    ones are out, an event about a model (a test's result) once the model's output is. A built model dbt
    reported no result for gets no output, as without this ordering."""
    selected = context.selected_asset_keys
    order = TopologicalSorter({key: context.assets_def.asset_deps.get(key, set()) & selected for key in selected})
    order.prepare()
    ready: set[dg.AssetKey] = set()
    out: set[dg.AssetKey] = set()
    outputs: dict[dg.AssetKey, dg.Output] = {}
    held: dict[dg.AssetKey, list] = {}

    def release(dbt_ended: bool) -> Iterator:
        while True:
            ready.update(order.get_ready())
            going = sorted((k for k in ready if k in outputs or k not in built or dbt_ended), key=str)
            if not going:
                return
            for key in going:
                ready.discard(key)
                if key in outputs or key not in built:
                    yield outputs.pop(key, None) or _not_rebuilt(context, key, not_rebuilt)
                out.add(key)
                yield from held.pop(key, [])
                order.done(key)

    yield from release(dbt_ended=False)
    for event in events:
        key = context.asset_key_for_output(event.output_name) if isinstance(event, dg.Output) else \
            getattr(event, "asset_key", None)
        if isinstance(event, dg.Output) and key in out:  # a model the plan left out, built all the same
            context.log.warning(f"dbt built {key.to_user_string()}, which this build recorded as not rebuilt")
        elif isinstance(event, dg.Output):
            outputs[key] = event
            yield from release(dbt_ended=False)
        elif key in selected and key not in out:
            held.setdefault(key, []).append(event)
        else:
            yield event
    yield from release(dbt_ended=True)


def _not_rebuilt(context: dg.AssetExecutionContext, key: dg.AssetKey, metadata: dict) -> dg.Output:
    """The output of a model this build left as it was: its table is current, from an earlier build."""
    return dg.Output(None, output_name=context.assets_def.get_output_name_for_asset_key(key), metadata=metadata)


def dbt_events(context: dg.AssetExecutionContext, invocation) -> Iterator:
    """Dagster events of a running dbt invocation, as dbt emits them, with each model's row count."""
    # Events go to Dagster as dbt emits them, so Dagster stores them while dbt goes on building. Row counts
    # come from the line each model's post-hook logs just before the model's result event.
    counts: dict[tuple[str, ...], int] = {}
    for raw in read_ahead(invocation.stream_raw_events(), invocation.process):
        found = row_count_line(raw.raw_event.get("info", {}).get("msg", ""))
        if found:
            counts[found[0]] = found[1]
            continue
        for event in raw.to_default_asset_events(
                manifest=invocation.manifest, dagster_dbt_translator=invocation.dagster_dbt_translator,
                context=context, target_path=invocation.target_path, project=invocation.project):
            if isinstance(event, dg.Output):
                key = tuple(context.asset_key_for_output(event.output_name).path)
                if key in counts:
                    event = event.with_metadata({**event.metadata, ROW_COUNT: counts[key]})
            yield event


class _Raised:
    def __init__(self, error: BaseException):
        self.error = error


_END = object()


def read_ahead(events: Iterator, process: subprocess.Popen) -> Iterator:
    """`events`, read by a thread as they come. dbt writes its events into a pipe and stops when the pipe is
    full: read only between two stored Dagster events, dbt would wait on Dagster's event storage. If the
    consumer stops early (the step is interrupted), dbt is stopped too."""
    buffered: queue.SimpleQueue = queue.SimpleQueue()

    def pump() -> None:
        try:
            for event in events:
                buffered.put(event)
        except BaseException as error:  # dbt failed: raised again in the step's thread
            buffered.put(_Raised(error))
        buffered.put(_END)

    threading.Thread(target=pump, name="dbt-events", daemon=True).start()
    finished = False
    try:
        while (item := buffered.get()) is not _END:
            if isinstance(item, _Raised):
                raise item.error
            yield item
        finished = True
    finally:
        if not finished and process.poll() is None:
            process.terminate()


def row_count_line(message: str) -> tuple[tuple[str, str], int] | None:
    """(schema, table) and rows from a `tcn_row_count schema.table N` line of macros/log_row_count.sql."""
    parts = message.split(" ") if message.startswith(ROW_COUNT_PREFIX) else []
    if len(parts) != 3 or "." not in parts[1] or not parts[2].isdigit():
        return None
    schema, table = parts[1].split(".", 1)
    return (schema, table), int(parts[2])


class TcnDbtCliResource(DbtCliResource):
    """DbtCliResource without two start-up costs of each run that this project does not need (measured in
    docs/performance.md): asking `dbt --version` (a second dbt start-up, and a PyPI query for the latest
    version), and a dbt adapter inside this process (used only for dagster-dbt's row-count and column
    metadata; row counts come from the models' post-hook, macros/log_row_count.sql)."""

    @cached_property
    def _cli_version(self):
        from packaging import version

        if Path(self.dbt_executable) in (TCN_DBT, VENV_DBT):  # this venv's dbt-core
            return version.parse(installed_version("dbt-core"))
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args):
        return None


# The data dir's dbt target keeps the saved parse and the compiled SQL; dbt.log there keeps warnings and errors
# only (at dbt's default level it logs every statement again, a tenth of a changed build's time), and no
# manifest.json / run_results.json are written (1.5 s per run; nothing reads them: the results reach Dagster as
# events, and the assets come from dbt_project/target/manifest.json).
GLOBAL_FLAGS = ["--log-level-file", "warn", "--no-write-json"]


def dbt_resource() -> DbtCliResource:
    return TcnDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable(),
                             global_config_flags=GLOBAL_FLAGS)
