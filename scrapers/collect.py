"""Collect one network: fetch each of its sources and parse the responses into member mentions.

Nothing here raises for a bad page: every outcome becomes a FetchRecord with a status and a message that
names the network and the URL, so one broken network never stops the others.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from scrapers.model import FetchedResponse, MemberMention, SourceSpec
from scrapers.parsers import PARSERS, ParseError


@dataclass
class FetchRecord:
    spec: SourceSpec
    response: FetchedResponse
    parser_version: str | None
    parse_status: str  # ok | fetch_failed | parse_failed
    parse_error: str | None = None
    mentions: list[MemberMention] = field(default_factory=list)


@dataclass
class NetworkResult:
    network_id: str
    records: list[FetchRecord]

    @property
    def status(self) -> str:
        if not self.records:
            return "no_sources"
        failed = [r.parse_status for r in self.records if r.parse_status != "ok"]
        return failed[0] if failed else "ok"

    @property
    def mentions(self) -> list[MemberMention]:
        return [m for r in self.records for m in r.mentions]

    @property
    def errors(self) -> list[str]:
        return [r.parse_error for r in self.records if r.parse_error]


def parse_response(spec: SourceSpec, response: FetchedResponse) -> FetchRecord:
    parser = PARSERS[spec.parser]
    if not response.ok:
        reason = response.error or f"http_{response.status}"
        return FetchRecord(spec, response, parser.version, "fetch_failed",
                           f"{spec.network_id}: fetching {spec.url} failed: {reason}")
    try:
        mentions = parser.parse(response, spec.options)
    except ParseError as exc:
        return FetchRecord(spec, response, parser.version, "parse_failed", f"{spec.network_id}: {exc}")
    except Exception as exc:  # a parser bug must not take down the other networks
        return FetchRecord(spec, response, parser.version, "parse_failed",
                           f"{spec.network_id}: parser {spec.parser} crashed on {spec.url}: {exc!r}")
    if not mentions:
        return FetchRecord(spec, response, parser.version, "parse_failed",
                           f"{spec.network_id}: no members found on {spec.url} by parser {spec.parser}")
    return FetchRecord(spec, response, parser.version, "ok", None, mentions)


def collect_network(network_id: str, sources: tuple[SourceSpec, ...], fetcher) -> NetworkResult:
    records = []
    for spec in sources:
        response = fetcher.fetch(spec.url, spec.allowed_hosts)
        records.append(parse_response(spec, response))
    return NetworkResult(network_id, records)
