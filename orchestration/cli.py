"""`tcn`: run the same Dagster job a schedule runs, in this process, and print what happened."""
from __future__ import annotations

import argparse
import os
import sys

from datetime import datetime, timezone

from publication.reader import Publication, PublicationMissing
from scrapers.fetch.replay import DEFAULT_SNAPSHOT_DIR


LOCKED_EXIT = 75  # EX_TEMPFAIL: another refresh holds the data dir; try again later


def _refresh(args: argparse.Namespace) -> int:
    from orchestration.settings import configure_environment
    from orchestration.runlock import RefreshLocked, refresh_lock

    paths = configure_environment(args.data_dir)
    try:  # never two writers on one working database
        with refresh_lock(paths.root, wait_s=args.wait):
            return _run_refresh(args, paths)
    except RefreshLocked as exc:
        print(f"tcn refresh: {exc}", file=sys.stderr)
        return LOCKED_EXIT


def _run_refresh(args: argparse.Namespace, paths) -> int:
    from scrapers.registry import RegistryError
    from warehouse.collector import collector_paused

    from orchestration.dbt_setup import ensure_manifest

    try:  # the definitions load the registry, and are built from dbt's manifest (parsed here when missing)
        ensure_manifest()
        with collector_paused(freeze=True):  # ~430,000 objects that live as long as the process
            import dagster as dg

            from orchestration.definitions import defs
    except RegistryError as exc:
        print(f"tcn refresh: the network registry is invalid, nothing was run: {exc}", file=sys.stderr)
        return 2
    from orchestration.stale_runs import fail_dead_runs

    config = {"mode": "live" if args.live else "replay", "networks": args.network or [],
              "max_member_drop": args.max_drop, "accept_member_drop": args.accept_drop or [],
              "record_dir": args.record or "", "registry_only": args.registry_only}
    if args.registry_only and not os.environ.get("TCN_REGISTRY", "").strip():
        print("tcn refresh: --registry-only needs TCN_REGISTRY (your registry files or folder, e.g. from "
              "`tcn import`)", file=sys.stderr)
        return 2
    if args.record and not args.live:
        print("tcn refresh: --record needs --live (replay answers from the snapshots themselves)", file=sys.stderr)
        return 2
    try:  # a network id the registry lacks is the command line's mistake: said before any run starts
        from scrapers.registry import load_registry
        from warehouse.ingest import select_networks

        select_networks(load_registry(), args.network, args.registry_only, config["mode"])
    except ValueError as exc:
        print(f"tcn refresh: {exc}", file=sys.stderr)
        return 2
    run_config = {"ops": {"registry": {"config": config}, "scrape": {"config": config}},
                  "resources": {"data_dir": {"config": {"path": str(paths.root)}}}}
    with dg.DagsterInstance.get() as instance:
        for run_id, pid in fail_dead_runs(instance):  # else they would hold the writer pool's slot forever
            print(f"tcn refresh: run {run_id} never finished (its process, pid {pid}, is gone): marked failed",
                  file=sys.stderr)
        result = defs.resolve_job_def("refresh").execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=False)
        steps = step_times(instance, result.run_id)
    return _report_outcome(result, paths, steps)


def _report_outcome(result, paths, steps: str) -> int:
    """Print the run summary and, last, the line that says what the exit code means (warehouse/run_outcome.py)."""
    from warehouse.run_outcome import outcome
    from warehouse.summary import format_summary, run_summary

    rows = []
    if paths.working_db.exists():
        try:
            rows = run_summary(paths.working_db, result.run_id)
            print(format_summary(rows))
        except Exception as exc:  # the summary must not hide the run's own outcome
            print(f"(no summary: {exc})", file=sys.stderr)
    print(steps)
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure and event.step_failure_data:
                print(f"FAILED {event.step_key}: {event.step_failure_data.error.message.strip()}", file=sys.stderr)
    published_now = Publication(paths).published_by(result.run_id)
    code, line = outcome(result.run_id, rows, result.success, published_now, paths.published)
    if published_now and result.success:
        _print_published_extras(paths)
    print(line)  # the summary's last line: what the exit code means
    return code


def _print_published_extras(paths) -> None:
    """Where the report is, and the workbook (or the CSVs, when a table is over Excel's row limit)."""
    publication = Publication(paths)
    print(f"report: {publication.report_page}")
    try:
        print(f"spreadsheets: {publication.spreadsheets()}")
    except PublicationMissing:
        pass


# what a step of the refresh job is called in the run summary
STEP_NAMES = {"tcn_dbt_models": "dbt build", "published__warehouse": "publish", "published__report": "report"}


def step_times(instance, run_id: str) -> str:
    """`steps: registry 0.1 s, ..., report 1.0 s`: how long each step of the run took, in the order they ran."""
    stats = sorted((s for s in instance.get_run_step_stats(run_id) if s.start_time and s.end_time),
                   key=lambda s: s.start_time)
    return "steps: " + ", ".join(f"{STEP_NAMES.get(s.step_key, s.step_key)} {s.end_time - s.start_time:.1f} s"
                                 for s in stats)


def _last_refresh_line() -> str:
    """The latest `refresh` run in Dagster's run history (it also knows runs that failed before publishing)."""
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        records = instance.get_run_records(filters=dg.RunsFilter(job_name="refresh"), limit=1)
    if not records:
        return "last refresh: none in Dagster's run history"
    record = records[0]
    started = (datetime.fromtimestamp(record.start_time, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
               if record.start_time else "not started")
    return f"last refresh: run {record.dagster_run.run_id} {record.dagster_run.status.value.lower()} ({started})"


def _status(args: argparse.Namespace) -> int:
    from orchestration.settings import configure_environment
    from publication.status import StatusUnavailable, format_status, read_status

    paths = configure_environment(args.data_dir)
    try:
        print(format_status(read_status(Publication(paths))))
    except StatusUnavailable as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        try:
            print(_last_refresh_line())
        except Exception as exc:  # the run history is a bonus; the publication is the answer
            print(f"(no Dagster run history: {exc})", file=sys.stderr)
    return 0


def _docs(args: argparse.Namespace) -> int:
    from orchestration.settings import configure_environment

    paths = configure_environment(args.data_dir)
    from orchestration.dbt_setup import DBT_PROJECT_DIR, dbt_executable
    from publication.docs import DocsError, build_docs

    try:
        index = build_docs(Publication(paths), DBT_PROJECT_DIR, dbt_executable())
    except DocsError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"docs site: {index}")
    print(f"open it in a browser (no server needed), or serve {index.parent} (index.html)")
    return 0


def _share(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a share between 0 and 1")
    return value


def _resolve(args: argparse.Namespace) -> int:
    """Resolve a CSV of names with exactly the pipeline's resolver (warehouse/resolution)."""
    import time
    from pathlib import Path

    from warehouse.paths import data_paths
    from warehouse.resolution.csv_io import resolve_file
    from warehouse.resolution.store import open_resolver

    started = time.perf_counter()
    try:
        resolver = open_resolver(data_paths(args.data_dir).working_db)
        counts = resolve_file(Path(args.input), Path(args.output) if args.output else None, resolver)
    except ValueError as exc:
        print(f"tcn resolve: {exc}", file=sys.stderr)
        return 2
    sys.stdout.flush()
    print(f"resolved {counts['resolved']} of {counts['rows']} rows "
          f"({counts['rows'] - counts['resolved']} unresolved, kept with a blank geonameid) in "
          f"{time.perf_counter() - started:.1f} s" + (f"; wrote {args.output}" if args.output else ""),
          file=sys.stderr)
    return 0


def _probe(args: argparse.Namespace) -> int:
    """Show the member lists the auto parser finds on a page, and a registry entry for the best one."""
    from scrapers.probe import ProbeError
    from warehouse.paths import data_paths
    from warehouse.probe import probe

    try:
        print(probe(args.source, data_paths(args.data_dir).working_db, args.network, args.json))
    except (ProbeError, KeyError) as exc:
        print(f"tcn probe: {exc.args[0] if isinstance(exc, KeyError) else exc}", file=sys.stderr)
        return 2
    return 0


def _import(args: argparse.Namespace) -> int:
    """One membership file, many networks -> one registry entry per network (warehouse/member_import.py)."""
    from pathlib import Path

    from warehouse.member_import import (MemberImportError, format_report, import_members, parse_mapping,
                                         parse_tags)

    try:
        report = import_members(Path(args.file), Path(args.out), args.id_prefix or "", parse_mapping(args.map),
                                args.scope, {"encoding": args.encoding, "delimiter": args.delimiter,
                                             "sheet": args.sheet}, tags=parse_tags(args.tag))
    except MemberImportError as exc:
        print(f"tcn import: {exc}", file=sys.stderr)
        return 2
    print(format_report(report, Path(args.out)))
    return 0


def _report(args: argparse.Namespace) -> int:
    """(Re)build the run report from the published files; print its path, open it on request."""
    from orchestration.settings import configure_environment
    from publication.report import ReportError, build_report

    paths = configure_environment(args.data_dir)
    try:
        from orchestration.report import published_run_failed_checks

        checks = published_run_failed_checks(Publication(paths))
    except Exception as exc:  # the checks are one panel; without Dagster's history the page still builds
        print(f"(failed checks unknown: {exc})", file=sys.stderr)
        checks = None
    try:
        page = build_report(Publication(paths), failed_checks=checks)
    except ReportError as exc:
        print(f"tcn report: {exc}", file=sys.stderr)
        return 1
    print(f"report: {page}")
    if args.open:
        import webbrowser

        if not webbrowser.open(page.as_uri()):
            print("no browser found to open it: open the path above in one", file=sys.stderr)
    return 0


def _export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from publication.export import export_publication
    from warehouse.paths import data_paths
    from warehouse.publish import PUBLISHED_SCHEMAS
    from warehouse.spreadsheet import SpreadsheetError

    paths = data_paths(args.data_dir)
    out = Path(args.out) if args.out else paths.root / "export"
    try:
        written = export_publication(Publication(paths), args.format, out, PUBLISHED_SCHEMAS)
    except (SpreadsheetError, OSError) as exc:
        print(f"tcn export: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} file(s) to {out}" + (f": {written[0].name}" if len(written) == 1 else ""))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tcn", description="Warehouse of migration-related transnational city networks.")
    sub = parser.add_subparsers(dest="command", required=True)
    # every command works on one data directory
    data_dir = argparse.ArgumentParser(add_help=False)
    data_dir.add_argument("--data-dir", help="data directory (default $TCN_DATA_DIR or ./data)")
    refresh = sub.add_parser(
        "refresh", parents=[data_dir],
        help="scrape the networks, build the warehouse with dbt, publish Parquet and DuckDB",
        description="Runs the Dagster 'refresh' job in process (the job the weekly schedule runs): "
                    "scrape -> raw tables -> dbt build with tests -> publish. By default it replays the "
                    "bundled snapshots (offline); --live fetches the networks' sites politely. Exit codes: "
                    "0 published, every network clean; 3 published, some networks failed or were held back; "
                    "4 nothing new published (every network failed, or the run failed before publishing); "
                    "1 failed after publishing; 2 bad arguments or registry; 75 another refresh holds the "
                    "data dir.")
    refresh.add_argument("--live", action="store_true", help="fetch live pages instead of the bundled snapshots")
    refresh.add_argument("--network", action="append", metavar="SLUG",
                         help="only this network (repeatable); others keep their last good data")
    refresh.add_argument("--max-drop", type=_share, default=0.2, metavar="SHARE",
                         help="hold back a network whose member list shrinks by more than this share "
                              "against its last good run (default 0.2)")
    refresh.add_argument("--accept-drop", action="append", metavar="SLUG",
                         help="accept this network's shrunken list in this run (repeatable)")
    refresh.add_argument("--record", nargs="?", const=str(DEFAULT_SNAPSHOT_DIR), metavar="DIR",
                         help="with --live: store every response as a replayable snapshot, in DIR "
                              "(default: the bundled scrapers/snapshots, replacing reconstructions)")
    refresh.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                         help="when another refresh holds the data dir, wait up to this long for it "
                              "(default 0: refuse at once, exit code 75)")
    refresh.add_argument("--registry-only", action="store_true",
                         help="only the networks of the outside registry ($TCN_REGISTRY); the bundled ones keep "
                              "their data")
    refresh.set_defaults(func=_refresh)
    status = sub.add_parser(
        "status", parents=[data_dir],
        help="last run of each network (status, members, changes, freshness) and the published files",
        description="Reads the published Parquet files only (never a database file, so it cannot block or be "
                    "blocked by a refresh or an analyst), and Dagster's run history for the latest refresh.")
    status.set_defaults(func=_status)
    docs = sub.add_parser(
        "docs", parents=[data_dir],
        help="build the dbt docs site of the published tables into <data dir>/published/docs/",
        description="Runs `dbt docs generate --static` against a private copy of the published DuckDB and "
                    "prints the path of the self-contained static_index.html.")
    docs.set_defaults(func=_docs)
    resolve = sub.add_parser(
        "resolve", parents=[data_dir],
        help="resolve a CSV of city names to GeoNames places (the pipeline's resolver)",
        description="Reads INPUT.csv with columns name,country_code (country_code may be blank; an optional place "
                    "column names the member's locality, used when the name finds no town; other columns "
                    "are kept) and writes it back with geonameid, matched_name, matched_country, population, "
                    "member_kind, method, score, admin_geonameid (the division the name denotes, or the town's "
                    "municipality where known), denotes and reason (geonameid blank when unresolved). Uses the "
                    "gazetteer of the "
                    "data directory's working database, loading it first when missing.")
    resolve.add_argument("input", metavar="INPUT.csv", help="CSV with a name column and a country_code column")
    resolve.add_argument("--output", "-o", metavar="OUT.csv", help="write here (default: standard output)")
    resolve.set_defaults(func=_resolve)
    probe = sub.add_parser(
        "probe", parents=[data_dir],
        help="find the member list on a page (URL or file) and print a registry sources: block",
        description="Ranks the candidate member lists of a page (repeated elements, table rows, map markers) by "
                    "how many of their names the gazetteer recognises as places, their size against the "
                    "network's stated count, and penalties for menus, footers and news; prints the best with "
                    "a sample of members and a ready `sources:` entry. A URL is fetched as in live mode "
                    "(robots.txt, delay), following its next-page links.")
    probe.add_argument("source", metavar="SOURCE", help="an http(s) URL or a local HTML/JSON file")
    probe.add_argument("--network", metavar="ID", help="the registry network (its stated count and country)")
    probe.add_argument("--json", action="store_true", help="print JSON: {source, candidates: [...]}, best first")
    probe.set_defaults(func=_probe)
    imp = sub.add_parser(
        "import", help="one membership file (CSV/XLSX, many networks) -> one registry entry per network",
        description="Writes one registry entry per network named in MEMBERS into DIR; each reads its rows from "
                    "the one file (curated_table with a network filter). Prints per network and in total the "
                    "rows read, landed, merged into another row of the same member, and refused. Delimiter "
                    "(, ; tab) and encoding (UTF-8 with or without BOM, Windows-1252) are detected. Columns "
                    "not mapped are kept as attributes of each member. Then: TCN_REGISTRY=DIR tcn refresh "
                    "--registry-only")
    imp.add_argument("file", metavar="MEMBERS.csv|xlsx", help="the membership file: one row per member and network")
    imp.add_argument("--out", required=True, metavar="DIR", help="folder for the registry entries")
    imp.add_argument("--id-prefix", metavar="P", help="prefix of every network id (ids are claimed once: a "
                                                     "bundled network's id is refused)")
    imp.add_argument("--map", metavar="KEY=COL,...",
                     help="columns: name, network, country, joined, kind, place, source_url, role, left "
                          "(default: recognised headers, e.g. Member, Network, Country)")
    imp.add_argument("--scope", default="regional", choices=("global", "regional", "national"),
                     help="scope of the networks (default regional)")
    imp.add_argument("--tag", action="append", metavar="KEY=VALUE",
                     help="a registry tag on every network (repeatable), e.g. focus=refugees: the subset the "
                          "metrics by tag (metrics.most_connected_by_tag, representation_by_tag) ask about")
    imp.add_argument("--sheet", help="XLSX: the sheet by name (default the first)")
    imp.add_argument("--encoding", help="the file's encoding when detection gets it wrong (e.g. cp1252)")
    imp.add_argument("--delimiter", choices=(",", ";", "tab"), help="the field delimiter (default detected)")
    imp.set_defaults(func=_import)
    report = sub.add_parser(
        "report", parents=[data_dir],
        help="(re)build the HTML report of the published run and print its path",
        description="Builds <data dir>/published/report/index.html from the published DuckDB (read-only): "
                    "overlap, co-membership, map, representation, timeline, changes and data quality. One "
                    "self-contained page (plotly.js embedded): it opens from disk and needs no network.")
    report.add_argument("--open", action="store_true", help="also open it in a web browser, where one exists")
    report.set_defaults(func=_report)
    export = sub.add_parser(
        "export", parents=[data_dir],
        help="the published tables for spreadsheets: one Excel workbook, or one CSV per table",
        description="Reads the published DuckDB (read-only). xlsx: warehouse.xlsx with a sheet per table and a "
                    "sheet of column descriptions (refused when a table is over Excel's 1,048,576 rows). csv: "
                    "<table>.csv per table and column_descriptions.csv (UTF-8 with a byte-order mark). Text "
                    "starting with = + - @ gets a leading apostrophe, so no cell runs as a formula.")
    export.add_argument("--format", choices=("csv", "xlsx"), default="xlsx", help="default xlsx")
    export.add_argument("--out", metavar="DIR", help="folder to write to (default <data dir>/export)")
    export.set_defaults(func=_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


def run() -> None:
    """The `tcn` command. It ends without tearing the interpreter down: after a refresh, freeing the objects of
    Dagster, dbt's manifest and the report one by one takes 1.5-2 s of CPU and nothing a finished process
    needs (its databases are closed; its output is flushed here)."""
    import logging
    import os

    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
