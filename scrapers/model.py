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
    # the row of the input it came from (a table's row number, header = 1), when the parser knows it
    row: int | None = field(default=None, compare=False)
    # cells of the row that map to no field (column header -> text), kept rather than dropped; `place` (a
    # locality or seat) is a hint for city resolution
    attributes: dict | None = field(default=None, hash=False)


@dataclass(frozen=True)
class RefusedRow:
    """An input row a parser read and did not turn into a mention, and why."""

    row: int
    reason: str
    cells: dict = field(default_factory=dict, hash=False)  # column header -> text, as read


class ParsedMentions(list):
    """A parser's mentions, with the rows it read and refused (parsers that count rows return this).

    rows_read: input rows the parser looked at (blank rows and rows of other networks excluded);
    refused: the ones it did not turn into a mention; read_as: how the bytes were read (encoding, delimiter,
    sheet), recorded with the fetch."""

    def __init__(self, mentions=(), *, rows_read: int, refused: list[RefusedRow] | None = None,
                 read_as: str | None = None):
        super().__init__(mentions)
        self.rows_read = rows_read
        self.refused = list(refused or [])
        self.read_as = read_as
