"""Hand-made scrape results for tests of the raw layer and the build plan (no fetching, no parsing)."""
from datetime import datetime

from scrapers.collect import FetchRecord, NetworkResult
from scrapers.model import FetchedResponse, MemberMention, SourceSpec


class FakeRegistry:  # the two attributes start_run reads
    version = "v-test"
    networks = {}


def network_result(network_id: str, names: list[str], ok: bool = True) -> NetworkResult:
    spec = SourceSpec(network_id, f"https://{network_id}.example/members", "html", "html_list",
                      (f"{network_id}.example",))
    body = "".join(f"<li>{n}</li>" for n in names).encode()
    resp = FetchedResponse(spec.url, spec.url, 200 if ok else 503, {"Content-Type": "text/html"},
                           body if ok else b"", None if ok else "http_503", datetime(2026, 1, 1))
    mentions = [MemberMention(n, "Germany", source_url=spec.url) for n in names] if ok else []
    record = FetchRecord(spec, resp, "1", "ok" if ok else "fetch_failed",
                         None if ok else f"{network_id}: fetching failed: http_503", mentions)
    return NetworkResult(network_id, [record])


def write_fetch_with_mentions(con, run_id: str, network_id: str, mentions: list[tuple]) -> None:
    """One fetch of `network_id` in `run_id` whose parsed content is `mentions` (member_name, country,
    member_kind[, attributes as a dict]), written straight into the raw tables as a load writes them."""
    import json

    from warehouse.raw_load import mentions_sha256

    url = f"https://{network_id}.example/members"
    rows = [[name, country, "member", None, kind, url, None] for name, country, kind, *_ in mentions]
    attributes = [json.dumps(extra[0]) if extra else None for _, _, _, *extra in mentions]
    digest = mentions_sha256(rows)
    con.execute("INSERT INTO raw.fetches (fetch_id, run_id, network_id, url, fetched_at, parse_status, n_mentions, "
                "mentions_sha256) VALUES (?, ?, ?, ?, ?, 'ok', ?, ?)",
                [f"f-{run_id}-{network_id}", run_id, network_id, url, datetime(2026, 1, 1), len(rows), digest])
    con.executemany("INSERT INTO raw.mention_sets (mentions_sha256, position, member_name, country, role, joined, "
                    "member_kind, source_url, left_on, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [[digest, position, *row, attributes[position]] for position, row in enumerate(rows)])
