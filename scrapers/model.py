"""Plain data types passed between the registry, the fetcher, the parsers and the raw loader."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class SourceSpec:
    """Where and how one network publishes (part of) its member list."""

    network_id: str
    url: str
    kind: str  # html | json | csv | xlsx
    parser: str  # a name in scrapers.parsers.PARSERS
    allowed_hosts: tuple[str, ...]
    options: dict = field(default_factory=dict, hash=False, compare=False)
    # a curated file read from disk instead of fetched; url is then a file-curated:// label, not fetched
    path: str | None = None
    # fetched in live mode only: a member page with no recorded snapshot, whose curated file replay reads
    live_only: bool = False


@dataclass
class FetchedResponse:
    """One fetch attempt, successful or not; bodies are kept as raw bytes."""

    url: str
    final_url: str | None
    status: int | None  # HTTP status, None when no response arrived
    headers: dict[str, str]
    body: bytes
    error: str | None  # short machine-readable reason, e.g. "timeout", "too_large", "host_not_allowed"
    fetched_at: datetime
    elapsed_ms: int = 0
    encoding: str | None = None  # charset used to decode the body for parsing

    @property
    def ok(self) -> bool:
        """A page to parse: a 2xx, or a 304 whose archived body was put back (scrapers.conditional)."""
        if self.error is not None or self.status is None:
            return False
        return 200 <= self.status < 300 or (self.status == 304 and bool(self.body))

    def text(self) -> str:
        return self.body.decode(self.encoding or "utf-8", errors="replace")


@dataclass(frozen=True)
class MemberMention:
    """A member as the page publishes it; nothing resolved yet."""

    member_name: str
    country: str | None = None  # as published (name or code), None if the page does not say
    role: str = "member"  # member | founding | lead | associate | signatory | steering | partner
    joined: str | None = None  # ISO date or year as published
    member_kind: str | None = None  # only when the page says it (e.g. "district", "county", "state")
    source_url: str = ""
    left_on: str | None = None  # ISO date or year the source gives for a departure: a past member
