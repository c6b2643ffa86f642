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
