"""One store of mentions: the rows of raw.mention_rows (mentions written one row per fetch, by data dirs made
before raw.mention_sets) become content-addressed sets that their fetches point at, hashed as a load hashes
them (warehouse/raw_load.py), and the table goes. Runs loaded before verdicts existed get the verdict their
fetches imply, so every reader sees one shape of data."""
from itertools import groupby

from warehouse.db import insert_rows
from warehouse.raw_load import mentions_sha256, run_content_sha256

def upgrade(con) -> None:
    _fold_mention_rows(con)
    _add_missing_verdicts(con)
    con.execute("DROP VIEW IF EXISTS raw.member_mentions")
    con.execute("DROP TABLE IF EXISTS raw.mention_rows")
    con.execute("""
        CREATE VIEW raw.member_mentions AS
        SELECT sha256(f.fetch_id || chr(31) || s.position::VARCHAR) AS mention_id, f.fetch_id, f.run_id,
               f.network_id, s.position, s.member_name, s.country, s.role, s.joined, s.member_kind, s.source_url,
               s.left_on
        FROM raw.fetches f
        JOIN raw.mention_sets s ON s.mentions_sha256 = f.mentions_sha256""")


def _fold_mention_rows(con) -> None:
    # mentions whose fetch raw.fetches lacks (hand-written rows of the earliest layouts) keep a fetch of their own
    con.execute("""
        INSERT INTO raw.fetches (fetch_id, run_id, network_id, url, error, fetched_at, parse_status, n_mentions)
        SELECT m.fetch_id, any_value(m.run_id), any_value(m.network_id), min(m.source_url),
               'fetch row reconstructed by migration 003 (the mentions had none)',
               coalesce(any_value(r.started_at), TIMESTAMP '1970-01-01'), 'ok', count(*)
        FROM raw.mention_rows m LEFT JOIN raw.runs r USING (run_id)
        WHERE m.fetch_id NOT IN (SELECT fetch_id FROM raw.fetches)
        GROUP BY m.fetch_id""")
    rows = con.execute("SELECT fetch_id, position, member_name, country, role, joined, member_kind, source_url, "
                       "left_on FROM raw.mention_rows ORDER BY fetch_id, position").fetchall()
    known = {r[0] for r in con.execute("SELECT DISTINCT mentions_sha256 FROM raw.mention_sets").fetchall()}
    new_sets, pointers = [], []
    for fetch_id, group in groupby(rows, key=lambda r: r[0]):
        group = list(group)
        mentions = [list(r[2:]) for r in group]
        digest = mentions_sha256(mentions)
        pointers.append([fetch_id, digest])
        if digest not in known:
            known.add(digest)
            new_sets += [[digest, r[1], *r[2:]] for r in group]  # positions as they were
    insert_rows(con, "raw.mention_sets", new_sets,
                "mentions_sha256, position, member_name, country, role, joined, member_kind, source_url, left_on")
    if pointers:
        con.execute("CREATE TEMP TABLE pointers (fetch_id VARCHAR, mentions_sha256 VARCHAR)")
        insert_rows(con, "pointers", pointers)
        con.execute("""UPDATE raw.fetches SET mentions_sha256 = p.mentions_sha256 FROM pointers p
                       WHERE raw.fetches.fetch_id = p.fetch_id AND raw.fetches.mentions_sha256 IS NULL""")
        con.execute("DROP TABLE pointers")


def _add_missing_verdicts(con) -> None:
    attempts = con.execute(
        """WITH unjudged AS (
               SELECT * FROM raw.fetches f WHERE NOT EXISTS (
                   SELECT 1 FROM raw.network_runs v WHERE v.run_id = f.run_id AND v.network_id = f.network_id)),
           members AS (
               SELECT u.run_id, u.network_id, count(DISTINCT s.member_name) AS n
               FROM unjudged u JOIN raw.mention_sets s ON s.mentions_sha256 = u.mentions_sha256
               GROUP BY u.run_id, u.network_id)
           SELECT u.run_id, u.network_id, list(u.parse_status), list(u.url), list(u.mentions_sha256),
                  coalesce(any_value(m.n), 0)
           FROM unjudged u LEFT JOIN members m USING (run_id, network_id)
           GROUP BY u.run_id, u.network_id""").fetchall()
    rows = []
    for run_id, network_id, statuses, urls, digests, members in attempts:
        status = next((s for s in statuses if s != "ok"), "ok")
        rows.append([run_id, network_id, status, members, None, None, None,
                     "verdict reconstructed by migration 003: the run predates verdicts",
                     run_content_sha256(zip(urls, digests))])
    insert_rows(con, "raw.network_runs", rows,
                "run_id, network_id, status, n_members, members_sha256, previous_good_run_id, "
                "previous_good_members, message, content_sha256")
