"""Per-network figures of a run, read back from the warehouse after dbt (for the CLI and Dagster metadata)."""
from __future__ import annotations

from pathlib import Path

from warehouse.db import connect


def run_summary(db_path: Path, run_id: str) -> list[dict]:
    """One row per network scraped in `run_id`: status, mentions loaded, current members, resolved members."""
    with connect(db_path, read_only=True) as con:
        # a first run that built nothing (every network failed) has no marts yet
        has_marts = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts' "
                                "AND table_name = 'fct_membership'").fetchone()[0]
        fct = "marts.fct_membership" if has_marts else \
            "(SELECT NULL::VARCHAR AS network_id, NULL::VARCHAR AS city_id WHERE false)"
        rows = con.execute(
            """WITH fetch_status AS (
                   SELECT nr.network_id, nr.status, f.mentions, d.drift,
                          CASE WHEN nr.status NOT IN ('ok', 'unchanged') THEN coalesce(nr.message, f.errors) END
                              AS errors
                   FROM raw.network_runs nr
                   JOIN (SELECT network_id, sum(n_mentions) AS mentions, string_agg(parse_error, '; ') AS errors
                         FROM raw.fetches WHERE run_id = $1 GROUP BY network_id) f USING (network_id)
                   LEFT JOIN (SELECT network_id, string_agg(note, '; ') AS drift FROM raw.fetch_choices
                              WHERE run_id = $1 AND note LIKE 'structure drift:%' GROUP BY network_id) d
                       USING (network_id)
                   WHERE nr.run_id = $1),
               current AS (
                   SELECT network_id, count(*) AS members, count(city_id) AS resolved
                   FROM marts.fct_membership GROUP BY network_id),
               accounted AS (  -- every input row: landed, merged into another, or refused (row_accounting.py)
                   SELECT network_id, sum(rows_read) AS rows_read, sum(rows_landed) AS rows_landed,
                          sum(rows_merged) AS rows_merged, sum(rows_refused) AS rows_refused
                   FROM raw.fetch_row_counts WHERE run_id = $1 GROUP BY network_id)
               SELECT f.network_id, f.status, f.mentions, coalesce(c.members, 0), coalesce(c.resolved, 0), f.errors,
                      coalesce(a.rows_read, 0), coalesce(a.rows_landed, 0), coalesce(a.rows_merged, 0),
                      coalesce(a.rows_refused, 0), f.drift
               FROM fetch_status f LEFT JOIN current c USING (network_id) LEFT JOIN accounted a USING (network_id)
               ORDER BY f.network_id""".replace("marts.fct_membership", fct), [run_id]).fetchall()
    keys = ("network_id", "status", "mentions", "members", "resolved", "errors", "rows_read", "rows_landed",
            "rows_merged", "rows_refused", "structure_drift")
    return [dict(zip(keys, r)) for r in rows]


def format_summary(rows: list[dict]) -> str:
    header = (f"{'network':<36} {'status':<13} {'mentions':>8} {'members':>8} {'resolved':>8}   "
              f"{'rows read':>9} {'landed':>7} {'merged':>7} {'refused':>7}")
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(f"{r['network_id']:<36} {r['status']:<13} {r['mentions']:>8} {r['members']:>8} "
                     f"{r['resolved']:>8}   {r.get('rows_read', 0):>9} {r.get('rows_landed', 0):>7} "
                     f"{r.get('rows_merged', 0):>7} {r.get('rows_refused', 0):>7}")
        if r["errors"]:
            lines.append(f"    ! {r['errors']}")
        if r.get("structure_drift"):  # the members landed, read from another list than last time: check it
            lines.append(f"    ~ {r['structure_drift']}")
    total_m = sum(r["members"] for r in rows)
    total_r = sum(r["resolved"] for r in rows)
    lines.append(f"{len(rows)} networks, {sum(r['mentions'] for r in rows)} mentions, "
                 f"{total_m} current members, {total_r} resolved to a city")
    lines.append(format_row_totals(rows))
    return "\n".join(lines)


def format_row_totals(rows: list[dict]) -> str:
    """Input rows of the networks that parsed: read = landed + merged into another row + refused."""
    totals = {k: sum(r.get(k, 0) for r in rows) for k in ("rows_read", "rows_landed", "rows_merged", "rows_refused")}
    unaccounted = totals["rows_read"] - totals["rows_landed"] - totals["rows_merged"] - totals["rows_refused"]
    return (f"input rows: {totals['rows_read']} read = {totals['rows_landed']} landed + {totals['rows_merged']} "
            f"merged into another row + {totals['rows_refused']} refused; {unaccounted} unaccounted "
            f"(details: marts.review_input_rows)")


def table_row_counts(db_path: Path, tables: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Row counts of the given (schema, table) pairs (tables or views, e.g. raw.member_mentions) that exist in the
    database; others are left out.

    Opens the file read-only for a moment: call it only when no writer holds the file (e.g. after dbt ended).
    """
    if not tables:
        return {}
    with connect(db_path, read_only=True) as con:
        existing = set(con.execute("SELECT table_schema, table_name FROM information_schema.tables "
                                   "WHERE table_type IN ('BASE TABLE', 'VIEW')").fetchall())
        counts = {}
        for schema, table in tables:
            if (schema, table) in existing:  # names come from information_schema, quoted anyway
                relation = '"' + schema.replace('"', '""') + '"."' + table.replace('"', '""') + '"'
                counts[(schema, table)] = con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0]
    return counts
