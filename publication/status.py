"""`tcn status`: the last run of each network and where the published files are, read from the publication.

Only the published Parquet files are read, through an in-memory DuckDB: no lock is taken on any database
file, so a status query never blocks a refresh (DuckDB lets one process write a file and any open reader of
the working database would block that writer) and is never blocked by an analyst holding the published
DuckDB open. The price: the status shows the last *successful* refresh; a refresh that failed before
publishing shows up in Dagster's run history, not here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from publication.reader import Publication, PublicationMissing

STATUS_TABLES = ("dim_network", "membership_changes")
ROW_COUNTS_TABLE = "review_input_counts"  # optional: publications before it have no row accounting
REGISTRY_STATUS_TABLE = "network_registry_status"  # optional likewise: which networks left the registry


class StatusUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class NetworkStatus:
    network_id: str
    name: str
    last_run_id: str
    last_run_at: datetime
    status: str  # attempt status of the last run: ok | failed | empty | not_fetched
    members: int
    resolved: int
    joined: int
    left: int
    data_as_of: datetime | None  # start of the run the current members come from
    age_days: float | None  # of data_as_of, at the time of the status query

    @property
    def stale(self) -> bool:
        """The last attempt failed, so the members shown are from an earlier run."""
        return self.status != "ok"


@dataclass(frozen=True)
class Status:
    published: Path
    duckdb: Path
    parquet: Path
    manifest: Path
    docs: Path | None
    run_id: str
    generated_at: str
    networks: list[NetworkStatus]
    networks_never_scraped: int
    report: Path | None = None
    spreadsheets: str = ""  # the workbook's path, or where the CSVs are and why
    # network id -> (rows read, landed, merged, refused) of its latest good run; empty when not published
    input_rows: dict = None
    retired: frozenset = frozenset()  # networks that left the registry (their history stays)


def read_status(publication: Publication, now: datetime | None = None) -> Status:
    """The status of every network a published run attempted, from the published Parquet files."""
    try:
        manifest = publication.manifest()
        networks_file, changes_file = (publication.file_of(t) for t in STATUS_TABLES)
    except PublicationMissing as exc:
        raise StatusUnavailable(str(exc)) from None
    now = now or datetime.now(timezone.utc)  # the published times are TIMESTAMPTZ in UTC; a naive `now` is UTC
    now = now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now.astimezone(timezone.utc)
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                             "autoload_known_extensions": False})
    try:
        con.execute("SET TimeZone = 'UTC'")  # times read back (and printed) in UTC, as published
        rows = con.execute(
            """WITH last_attempt AS (
                   SELECT * FROM read_parquet(?)
                   QUALIFY row_number() OVER (PARTITION BY network_id ORDER BY run_seq DESC) = 1)
               SELECT n.network_id, n.name, a.run_id, a.run_started_at, a.attempt_status, n.n_members,
                      n.n_members_resolved, a.n_joined, a.n_left, n.data_as_of,
                      date_diff('second', n.data_as_of, ?::TIMESTAMPTZ) / 86400.0
               FROM read_parquet(?) AS n
               JOIN last_attempt AS a USING (network_id)
               ORDER BY n.network_id""", [str(changes_file), now, str(networks_file)]).fetchall()
        never = con.execute(
            "SELECT count(*) FROM read_parquet(?) WHERE network_id NOT IN "
            "(SELECT network_id FROM read_parquet(?))", [str(networks_file), str(changes_file)]).fetchone()[0]
        input_rows = _input_rows(con, publication, manifest)
        retired = _retired(con, publication, manifest)
    finally:
        con.close()
    docs = publication.docs_index
    return Status(
        published=publication.root, duckdb=publication.duckdb, parquet=publication.parquet_dir,
        manifest=publication.manifest_path, docs=docs if docs.exists() else None, run_id=manifest.get("run_id", "?"),
        generated_at=manifest.get("generated_at", "?"),
        networks=[NetworkStatus(*r) for r in rows], networks_never_scraped=never,
        report=publication.report_page if publication.report_page.exists() else None,
        spreadsheets=publication.spreadsheets(manifest), input_rows=input_rows, retired=retired)


def _retired(con, publication: Publication, manifest: dict) -> frozenset:
    if not any(t.get("table") == REGISTRY_STATUS_TABLE for t in manifest.get("tables", [])):
        return frozenset()
    path = publication.file_of(REGISTRY_STATUS_TABLE)
    return frozenset(r[0] for r in con.execute("SELECT network_id FROM read_parquet(?) WHERE is_retired",
                                               [str(path)]).fetchall())


def _input_rows(con, publication: Publication, manifest: dict) -> dict:
    if not any(t.get("table") == ROW_COUNTS_TABLE for t in manifest.get("tables", [])):
        return {}
    path = publication.file_of(ROW_COUNTS_TABLE)
    rows = con.execute("SELECT network_id, rows_read, rows_landed, rows_merged, rows_refused FROM read_parquet(?)",
                       [str(path)]).fetchall()
    return {network_id: tuple(counts) for network_id, *counts in rows}


def format_input_rows(input_rows: dict) -> str:
    """Totals of the row accounting behind the current members, and the networks that lost rows to a merge or a
    refusal (details: marts.review_input_rows)."""
    read, landed, merged, refused = (sum(c[i] for c in input_rows.values()) for i in range(4))
    line = (f"input rows behind the current members: {read} read = {landed} landed + {merged} merged into another "
            f"row + {refused} refused; {read - landed - merged - refused} unaccounted")
    touched = [f"{n} ({c[2]} merged, {c[3]} refused)" for n, c in sorted(input_rows.items()) if c[2] or c[3]]
    if touched:
        shown = ", ".join(touched[:10]) + (f", and {len(touched) - 10} more" if len(touched) > 10 else "")
        line += f"\n  rows merged or refused (marts.review_input_rows): {shown}"
    return line


def format_status(status: Status) -> str:
    header = (f"{'network':<36} {'last run':<16} {'status':<11} {'members':>7} {'resolved':>8} "
              f"{'joined':>6} {'left':>5}  data as of")
    lines = [header, "-" * len(header)]
    for n in status.networks:
        as_of = "never" if n.data_as_of is None else f"{n.data_as_of:%Y-%m-%d %H:%M} ({n.age_days:.1f} d)"
        lines.append(f"{n.network_id:<36} {n.last_run_at:%Y-%m-%d %H:%M} {n.status:<11} {n.members:>7} "
                     f"{n.resolved:>8} {n.joined:>6} {n.left:>5}  {as_of}"
                     f"{'  RETIRED (left the registry)' if n.network_id in status.retired else '  STALE' if n.stale else ''}")
    active = [n for n in status.networks if n.network_id not in status.retired]
    stale = [n.network_id for n in active if n.stale]
    lines.append(f"{len(active)} networks scraped, {len(stale)} stale (last attempt failed; earlier "
                 f"members kept), {status.networks_never_scraped} in the registry without a member list")
    if status.retired:
        lines.append(f"{len(status.retired)} retired: no longer in the registry (their history stays): "
                     f"{', '.join(sorted(status.retired)[:10])}{' ...' if len(status.retired) > 10 else ''}")
    if status.input_rows:
        lines.append(format_input_rows(status.input_rows))
    lines += [
        "",
        f"published from run {status.run_id} at {status.generated_at}",
        f"  DuckDB    {status.duckdb}",
        f"  Parquet   {status.parquet}/<table>.parquet",
        f"  manifest  {status.manifest}",
        f"  Excel     {status.spreadsheets}",
        f"  report    {status.report or 'not built (run `tcn report`)'}",
        f"  docs      {status.docs or 'not built (run `tcn docs`)'}",
    ]
    return "\n".join(lines)
