"""Read what the report shows from the PUBLISHED DuckDB (read-only), one small query per question.

The report never opens the working database: building it can neither block a refresh nor see half a run.
A table or column the publication does not (yet) have is not an error here: the query answers no rows and a
note says why, so the page still builds and the chart shows "no data yet".
"""
from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from publication.reader import Publication, PublicationMissing


class ReportError(RuntimeError):
    pass


@dataclass
class Published:
    """A read-only connection to published/warehouse.duckdb plus the notes of queries that found nothing."""

    publication: Publication
    con: duckdb.DuckDBPyConnection
    notes: dict[str, str] = field(default_factory=dict)  # query name -> why it answered no rows

    @classmethod
    def open(cls, publication: Publication) -> "Published":
        db = publication.duckdb
        if not db.exists():
            raise ReportError(f"no published DuckDB at {db}: run `tcn refresh` first")
        try:
            con = duckdb.connect(str(db), read_only=True, config={"autoinstall_known_extensions": False,
                                                                  "autoload_known_extensions": False})
        except duckdb.Error as exc:
            raise ReportError(f"cannot open {db} read-only: {exc}") from exc
        # a missing table must stay missing: by default DuckDB would go looking for a Python variable of
        # that name (and find, say, the function representation_profile below)
        con.execute("SET python_enable_replacements = false")
        return cls(publication, con)

    def close(self) -> None:
        self.con.close()

    def manifest(self) -> dict:
        try:
            return self.publication.manifest()
        except PublicationMissing as exc:
            self.notes["manifest"] = str(exc)
            return {}

    def rows(self, name: str, sql: str, params: list | None = None) -> list[dict]:
        """Rows as dicts; [] with a note under `name` when a table/column is missing or the result is empty."""
        try:
            cur = self.con.execute(sql, params or [])
            cols = [d[0] for d in cur.description]
            result = [dict(zip(cols, r)) for r in cur.fetchall()]
        except (duckdb.CatalogException, duckdb.BinderException) as exc:
            self.notes[name] = f"not in this publication yet ({str(exc).splitlines()[0]})"
            return []
        if not result:
            self.notes.setdefault(name, "no rows in this publication")
        return result


def networks(p: Published) -> list[dict]:
    return p.rows("networks", """
        SELECT network_id, name, acronym, founded_year, scope, network_type, stated_member_count,
               n_members, n_members_resolved, latest_attempt_ok
        FROM marts.dim_network ORDER BY network_id""")


def network_coverage(p: Published) -> list[dict]:
    return p.rows("network_coverage", """
        SELECT network_id, n_members, stated_member_count, stated_member_count_as_of, coverage
        FROM marts.dim_network ORDER BY network_id""")


def membership_totals(p: Published) -> dict:
    rows = p.rows("membership_totals", """
        SELECT count(*) AS members, count(city_id) AS resolved, count(DISTINCT network_id) AS networks,
               count(DISTINCT city_id) AS cities
        FROM marts.fct_membership""")
    return rows[0] if rows else {}


def latest_run_changes(p: Published) -> list[dict]:
    """Each network's row of the latest run in membership_changes (joined, left, status)."""
    return p.rows("latest_run_changes", """
        SELECT run_id, run_seq, run_started_at, network_id, attempt_status, is_good, is_first_good_run,
               members_before, n_joined, n_left, net_change, members_after
        FROM metrics.membership_changes
        WHERE run_seq = (SELECT max(run_seq) FROM metrics.membership_changes)
        ORDER BY network_id""")


def overlap_pairs(p: Published) -> list[dict]:
    return p.rows("overlap_pairs", """
        SELECT network_a, network_b, members_a, members_b, shared, jaccard, overlap_coefficient
        FROM metrics.network_overlap ORDER BY network_a, network_b""")


def member_cities(p: Published) -> list[dict]:
    return p.rows("member_cities", """
        SELECT d.city_id, c.name, c.country, c.lat, c.lon, c.population, c.is_border, d.n_networks,
               d.network_ids
        FROM metrics.city_network_degree AS d JOIN marts.dim_city AS c USING (city_id)
        WHERE c.lat IS NOT NULL AND c.lon IS NOT NULL
        ORDER BY d.n_networks, d.city_id""")


def representation_profile(p: Published) -> list[dict]:
    return p.rows("representation_profile", """
        SELECT network_id, n_members, n_members_resolved, n_member_cities, resolved_share, stated_member_count,
               coverage, median_population, share_capitals, share_border_cities, share_small_towns
        FROM metrics.representation_profile ORDER BY network_id""")


def size_bands(p: Published) -> list[dict]:
    return p.rows("size_bands", """
        SELECT network_id, is_all_networks, size_band, band_order, members, member_share, universe_places,
               universe_share, representation_ratio
        FROM metrics.representation_by_size_band ORDER BY is_all_networks DESC, network_id, band_order""")


def timeline(p: Published) -> list[dict]:
    return p.rows("timeline", """
        SELECT breakdown, group_value, founded_year, n_founded, cumulative_founded
        FROM metrics.network_timeline ORDER BY breakdown, group_value, founded_year""")


def history(p: Published, metrics: list[str], last_runs: int) -> list[dict]:
    """metrics_history rows of the given metrics over the last `last_runs` runs."""
    return p.rows("history", """
        SELECT run_id, run_seq, run_started_at, metric, key_kind, key, value
        FROM metrics.metrics_history
        WHERE metric IN (SELECT unnest(?::VARCHAR[]))
          AND run_seq > (SELECT max(run_seq) FROM metrics.metrics_history) - ?
        ORDER BY run_seq, metric, key""", [metrics, last_runs])


def unresolved(p: Published) -> list[dict]:
    return p.rows("unresolved", """
        SELECT network_id, member_name, country_text, name_country_hint, member_kind, reason, n_candidates,
               source_url
        FROM marts.review_unresolved ORDER BY network_id, member_name""")


def changes_by_run(p: Published, last_runs: int) -> list[dict]:
    """Per run (the last `last_runs`): joins (first listings apart), leaves, networks attempted and failed."""
    return p.rows("changes_by_run", """
        SELECT run_seq, any_value(run_id) AS run_id, min(run_started_at) AS run_started_at,
               sum(n_joined) FILTER (WHERE NOT is_first_good_run) AS joined,
               sum(n_joined) FILTER (WHERE is_first_good_run) AS first_listed,
               sum(n_left) AS left_, count(*) AS attempted, count(*) FILTER (WHERE NOT is_good) AS failed,
               list(network_id ORDER BY network_id) FILTER (WHERE n_joined > 0 OR n_left > 0) AS changed
        FROM metrics.membership_changes
        WHERE run_seq > (SELECT max(run_seq) FROM metrics.membership_changes) - ?
        GROUP BY run_seq ORDER BY run_seq""", [last_runs])
