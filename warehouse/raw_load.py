"""Append a run's registry, fetches, bodies and mentions to the raw tables.

Mentions are stored once per distinct content (raw.mention_sets); a fetch points at its content.
Idempotent: loading the same run (or the same network within a run) twice inserts nothing new. Each
batch of networks is one transaction, so a crash leaves whole networks or nothing; a run becomes visible
downstream only when `complete_run` writes its marker.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from scrapers.collect import NetworkResult
from scrapers.conditional import PreviousFetch
from scrapers.fetch.base import header
from warehouse.db import connect, insert_rows
from warehouse.drift import DEFAULT_MAX_DROP, Verdict, judge, previous_good
from warehouse.namekey import name_key
from warehouse.row_accounting import account_network, country_lookup


NETWORK_RUN_COLUMNS = ("run_id, network_id, status, n_members, members_sha256, previous_good_run_id, "
                       "previous_good_members, message, content_sha256")
FETCH_COLUMNS = ("fetch_id, run_id, network_id, url, final_url, status, error, bytes, sha256, fetched_at, parser, "
                 "parser_version, parse_status, parse_error, n_mentions, etag, last_modified, mentions_sha256, read_as")
MENTIONS_SHA256 = FETCH_COLUMNS.split(", ").index("mentions_sha256")  # its place in a raw.fetches row
MENTION_SET_COLUMNS = ("mentions_sha256, position, member_name, country, role, joined, member_kind, source_url, "
                       "left_on, attributes")
CHOICE_COLUMNS = "fetch_id, run_id, network_id, url, structure, note"


def _sha256(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def mentions_sha256(mentions: list[list]) -> str:
    """One fetch's mentions, in page order, every column: equal pages hash alike, any change differs."""
    return hashlib.sha256(json.dumps(mentions, ensure_ascii=False).encode("utf-8")).hexdigest()


def run_content_sha256(url_and_mentions: Iterable[tuple[str, str | None]]) -> str:
    """A network's content in a run: its fetches' (url, mentions_sha256); equal when nothing changed."""
    return _sha256(*sorted(f"{url}\x1e{digest or ''}" for url, digest in url_and_mentions))


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def start_run(db_path: Path, run_id: str, mode: str, registry, network_ids: list[str]) -> bool:
    """Record the run and the registry it used; False when the run was already started."""
    with connect(db_path) as con:
        if con.execute("SELECT 1 FROM raw.runs WHERE run_id = ?", [run_id]).fetchone():
            return False
        con.execute("BEGIN")
        con.execute("INSERT INTO raw.runs VALUES (?, ?, ?, ?, ?)",
                    [run_id, _now(), mode, registry.version, sorted(network_ids)])
        # the entry as written, with the registry's default network type (an outside entry may leave it out;
        # dim_network requires one)
        registry_rows = [[run_id, registry.version, n.id,
                          json.dumps({**n.doc, "network_type": n.network_type}, default=str, ensure_ascii=False)]
                         for n in registry.networks.values()]
        insert_rows(con, "raw.registry_networks", registry_rows)
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    return True


def load_network(db_path: Path, run_id: str, result: NetworkResult, max_drop: float = DEFAULT_MAX_DROP,
                 accept_drop: bool = False, network_countries: dict | None = None) -> Verdict | None:
    """Insert one network's fetches, mentions and verdict for a run; None when it was loaded before."""
    return load_networks(db_path, run_id, [result], max_drop, [result.network_id] if accept_drop else [],
                         network_countries)[0]


def load_networks(db_path: Path, run_id: str, results: list[NetworkResult], max_drop: float = DEFAULT_MAX_DROP,
                  accept_drop: list[str] | tuple[str, ...] = (),
                  network_countries: dict | None = None) -> list[Verdict | None]:
    """load_network for each of `results`, as one transaction and one checkpoint: each statement and each
    opening of the file costs milliseconds, more than the rows of a network, so a batch of networks shares
    them. A crash leaves the whole batch or none of it; a network loaded before for this run is skipped.
    `network_countries` (network id -> registry country code) completes the member key of row accounting."""
    with connect(db_path) as con:
        verdicts = _load_batch(con, run_id, results, max_drop, accept_drop, network_countries or {})
        con.execute("CHECKPOINT")
    return verdicts


_digests: dict[int, tuple[bytes, str]] = {}  # id(body) -> (body, sha256): the latest few large bodies


def _body_sha256(body: bytes) -> str:
    """sha256 of a body; a large body many networks share (one imported file) is hashed once per object."""
    known = _digests.get(id(body))
    if known is not None and known[0] is body:
        return known[1]
    digest = hashlib.sha256(body).hexdigest()
    if len(body) > 1 << 16:
        _digests[id(body)] = (body, digest)
        while len(_digests) > 4:
            del _digests[next(iter(_digests))]
    return digest


def _fetch_rows(run_id: str, result: NetworkResult, bodies: dict, mention_sets: dict) -> list[list]:
    """raw.fetches rows of one network; its bodies and mention sets are added to `bodies` / `mention_sets`."""
    rows = []
    for rec in result.records:
        resp = rec.response
        digest = _body_sha256(resp.body) if resp.body else None
        if digest:
            bodies[digest] = [digest, resp.body, resp.headers.get("Content-Type")]
        mentions = [[m.member_name, m.country, m.role, m.joined, m.member_kind, m.source_url or rec.spec.url,
                     m.left_on] + ([json.dumps(m.attributes, ensure_ascii=False, sort_keys=True)] if m.attributes
                                   else []) for m in rec.mentions]
        # a mention without attributes hashes as before they existed: old contents keep their hash
        mentions_digest = mentions_sha256(mentions) if mentions else None
        if mentions_digest:
            mention_sets[mentions_digest] = [m if len(m) == 8 else m + [None] for m in mentions]
        rows.append([_sha256(run_id, result.network_id, rec.spec.url), run_id, result.network_id, rec.spec.url,
                     resp.final_url, resp.status, resp.error, len(resp.body), digest, resp.fetched_at,
                     rec.spec.parser, rec.parser_version, rec.parse_status, rec.parse_error, len(rec.mentions),
                     header(resp.headers, "ETag"), header(resp.headers, "Last-Modified"), mentions_digest,
                     rec.read_as])
    return rows


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def _account_rows(con, run_id: str, result: NetworkResult, rows: list[list], countries: dict,
                  network_country: str | None) -> tuple[list[list], list[list]]:
    """raw.fetch_row_counts and raw.input_rows_not_landed rows of one network (its parsed fetches)."""
    parsed = sorted(((row[0], row[9], rec) for row, rec in zip(rows, result.records) if rec.parse_status == "ok"),
                    key=lambda item: (_naive(item[1]), item[0]))  # dbt reads them by fetched_at, fetch_id
    accounts, details = account_network(run_id, result.network_id, [(fid, rec) for fid, _, rec in parsed],
                                        countries, network_country)
    counts = [[a.fetch_id, run_id, result.network_id, a.rows_read, a.rows_landed, a.rows_merged, a.rows_refused]
              for a in accounts]
    return counts, details


def _load_batch(con, run_id: str, results: list[NetworkResult], max_drop: float,
                accept_drop: list[str] | tuple[str, ...], network_countries: dict) -> list[Verdict | None]:
    network_ids = [r.network_id for r in results]
    loaded = {r[0] for r in con.execute(
        "SELECT network_id FROM raw.network_runs WHERE run_id = ? AND network_id IN (SELECT unnest(?::VARCHAR[]))",
        [run_id, network_ids]).fetchall()}
    previous = previous_good(con, network_ids)
    verdicts: list[Verdict | None] = []
    fetch_rows, choice_rows, network_rows, bodies, mention_sets = [], [], [], {}, {}
    count_rows, detail_rows, countries = [], [], None
    for result in results:
        if result.network_id in loaded:
            verdicts.append(None)
            continue
        loaded.add(result.network_id)
        before = previous.get(result.network_id)
        verdict = judge(result, before, max_drop, result.network_id in accept_drop)
        rows = _fetch_rows(run_id, result, bodies, mention_sets)
        fetch_rows += rows
        choice_rows += [row[:4] + [rec.structure, rec.note] for row, rec in zip(rows, result.records)
                        if rec.structure or rec.note]
        if countries is None:
            countries = country_lookup(con)
        counts, details = _account_rows(con, run_id, result, rows, countries, network_countries.get(result.network_id))
        count_rows += counts
        detail_rows += details
        content = run_content_sha256((row[3], row[MENTIONS_SHA256]) for row in rows)
        network_rows.append([run_id, result.network_id, verdict.status, verdict.n_members, result.members_sha256,
                             before.run_id if before else None, before.n_members if before else None,
                             verdict.message, content])
        verdicts.append(verdict)
    if not network_rows:
        return verdicts
    con.execute("BEGIN")
    insert_rows(con, "raw.fetches", fetch_rows, FETCH_COLUMNS)
    if choice_rows:  # only pages with something to say (a data dir of an older layout may lack the table)
        insert_rows(con, "raw.fetch_choices", choice_rows, CHOICE_COLUMNS)
    known_bodies = {r[0] for r in con.execute(
        "SELECT sha256 FROM raw.bodies WHERE sha256 IN (SELECT unnest(?::VARCHAR[]))", [list(bodies)]).fetchall()}
    insert_rows(con, "raw.bodies", [row for digest, row in bodies.items() if digest not in known_bodies])
    # content stored before is only pointed at: raw.fetches (small) says which contents exist
    known = {r[0] for r in con.execute(
        "SELECT DISTINCT mentions_sha256 FROM raw.fetches WHERE mentions_sha256 IN (SELECT unnest(?::VARCHAR[])) "
        "AND fetch_id NOT IN (SELECT unnest(?::VARCHAR[]))",
        [list(mention_sets), [row[0] for row in fetch_rows]]).fetchall()}
    insert_rows(con, "raw.mention_sets", [[d, pos, *m] for d, rows in mention_sets.items() if d not in known
                                          for pos, m in enumerate(rows)], MENTION_SET_COLUMNS)
    insert_rows(con, "raw.fetch_row_counts", count_rows)
    insert_rows(con, "raw.input_rows_not_landed", detail_rows)
    insert_rows(con, "raw.network_runs", network_rows, NETWORK_RUN_COLUMNS)
    con.execute("COMMIT")
    return verdicts


def refresh_text_keys(db_path: Path) -> int:
    """Key every member name and country string not keyed yet (one key function for all matching)."""
    with connect(db_path) as con:
        texts = [r[0] for r in con.execute(
            """SELECT DISTINCT t FROM (
                   SELECT member_name AS t FROM raw.mention_sets
                   UNION SELECT country FROM raw.mention_sets WHERE country IS NOT NULL)
               WHERE t NOT IN (SELECT text FROM ref.text_keys)""").fetchall()]
        if texts:
            insert_rows(con, "ref.text_keys", [[t, name_key(t)] for t in texts])
            con.execute("CHECKPOINT")
    return len(texts)


def complete_run(db_path: Path, run_id: str) -> None:
    """Write the marker that makes the run visible downstream (once)."""
    with connect(db_path) as con:
        if not con.execute("SELECT 1 FROM raw.run_completions WHERE run_id = ?", [run_id]).fetchone():
            con.execute("INSERT INTO raw.run_completions VALUES (?, ?)", [run_id, _now()])
            con.execute("CHECKPOINT")


def previous_structures(db_path: Path, network_ids: list[str]) -> dict[tuple[str, str], str]:
    """(network, URL) -> the list the auto parser last chose there, from its latest parsed-ok fetch."""
    with connect(db_path, read_only=True) as con:
        rows = con.execute(
            """SELECT f.network_id, f.url, arg_max(c.structure, f.fetched_at)
               FROM raw.fetches f JOIN raw.fetch_choices c USING (fetch_id)
               WHERE f.network_id IN (SELECT unnest(?::VARCHAR[])) AND f.parse_status = 'ok'
                 AND c.structure IS NOT NULL
               GROUP BY f.network_id, f.url""", [network_ids]).fetchall()
    return {(network_id, url): structure for network_id, url, structure in rows}


def previous_fetches(db_path: Path, network_ids: list[str]) -> dict[str, PreviousFetch]:
    """Per URL of these networks, the latest parsed-ok fetch that carried a validator, with its body."""
    with connect(db_path) as con:
        rows = con.execute(
            """SELECT f.url, arg_max(f.etag, f.fetched_at), arg_max(f.last_modified, f.fetched_at),
                      arg_max(b.body, f.fetched_at), arg_max(b.content_type, f.fetched_at)
               FROM raw.fetches f JOIN raw.bodies b USING (sha256)
               WHERE f.network_id IN (SELECT unnest(?::VARCHAR[])) AND f.parse_status = 'ok'
                 AND (f.etag IS NOT NULL OR f.last_modified IS NOT NULL)
               GROUP BY f.url""", [network_ids]).fetchall()
    return {url: PreviousFetch(etag, modified, bytes(body), ctype) for url, etag, modified, body, ctype in rows}
