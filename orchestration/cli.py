"""`tcn`: run the same Dagster job a schedule runs, in this process, and print what happened."""
from __future__ import annotations

import argparse
import sys


def _refresh(args: argparse.Namespace) -> int:
    from orchestration.settings import configure_environment

    paths = configure_environment(args.data_dir)
    # imported after the environment is set: the definitions read it at import
    import dagster as dg

    from orchestration.definitions import defs
    from warehouse.summary import format_summary, run_summary

    config = {"mode": "live" if args.live else "replay", "networks": args.network or []}
    run_config = {"ops": {"registry": {"config": config}, "scrape": {"config": config}}}
    with dg.DagsterInstance.get() as instance:
        result = defs.get_job_def("refresh").execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=False)
    if paths.working_db.exists():
        try:
            print(format_summary(run_summary(paths.working_db, result.run_id)))
        except Exception as exc:  # the summary must not hide the run's own outcome
            print(f"(no summary: {exc})", file=sys.stderr)
    if not result.success:
        for event in result.all_events:
            if event.is_failure and event.step_failure_data:
                print(f"FAILED {event.step_key}: {event.step_failure_data.error.message.strip()}", file=sys.stderr)
        print(f"run {result.run_id} failed; the previous publication under {paths.published} is untouched",
              file=sys.stderr)
        return 1
    print(f"run {result.run_id} succeeded; published to {paths.published}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tcn", description="Warehouse of migration-related transnational city networks.")
    sub = parser.add_subparsers(dest="command", required=True)
    refresh = sub.add_parser(
        "refresh", help="scrape the networks, build the warehouse with dbt, publish Parquet and DuckDB",
        description="Runs the Dagster 'refresh' job in process (the job the weekly schedule runs): "
                    "scrape -> raw tables -> dbt build with tests -> publish. By default it replays the "
                    "bundled snapshots (offline); --live fetches the networks' sites politely.")
    refresh.add_argument("--live", action="store_true", help="fetch live pages instead of the bundled snapshots")
    refresh.add_argument("--network", action="append", metavar="SLUG",
                         help="only this network (repeatable); others keep their last good data")
    refresh.add_argument("--data-dir", help="data directory (default $TCN_DATA_DIR or ./data)")
    refresh.set_defaults(func=_refresh)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
