"""What every fetcher shares: the interface, the error codes, the host allow-list check."""
from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime, timezone
from urllib.parse import urlsplit

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from scrapers.model import FetchedResponse

ALLOWED_SCHEMES = ("http", "https")

# Short error codes stored in FetchedResponse.error (and so in raw.fetches.error).
TIMEOUT = "timeout"
CONNECTION_ERROR = "connection_error"
TOO_LARGE = "too_large"
HOST_NOT_ALLOWED = "host_not_allowed"
REDIRECT_NOT_ALLOWED = "redirect_not_allowed"
TOO_MANY_REDIRECTS = "too_many_redirects"
SCHEME_NOT_ALLOWED = "scheme_not_allowed"
INVALID_URL = "invalid_url"
ROBOTS_DISALLOWED = "robots_disallowed"
NOT_IN_SNAPSHOT = "not_in_snapshot"
RETRIES_EXHAUSTED = "retries_exhausted"
DECODE_ERROR = "decode_error"


def http_error(status: int) -> str:
    return f"http_{status}"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def host_of(url: str) -> str:
    """Lower-case host without port or trailing dot ('' when the URL has none)."""
    return (urlsplit(url).hostname or "").rstrip(".").lower()


def _connect_host(url: str) -> str:
    """The host the HTTP client (urllib3, under requests) would connect to."""
    try:
        host = parse_url(url).host or ""
    except LocationParseError:
        return ""
    return _ascii_host(host.strip("[]").rstrip(".").lower())


def _ascii_host(host: str) -> str:
    """münchen.de and xn--mnchen-3ya.de are one host."""
    try:
        return host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return host


def host_allowed(url: str, allowed_hosts: tuple[str, ...]) -> bool:
    """Exact host match (ports ignored); an empty allow-list allows nothing.

    The URL must name the same host for the standard library's parser (this check) and for urllib3 (the
    connection): "http://evil.example\\@allowed.org/" reads as allowed.org to one and evil.example to the
    other, and is refused."""
    host = _ascii_host(host_of(url))
    if not host or host != _connect_host(url):
        return False
    return host in {_ascii_host(h.rstrip(".").lower()) for h in allowed_hosts}


def header(headers: dict[str, str], name: str) -> str | None:
    """Case-insensitive header lookup on a plain dict."""
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)


def scheme_allowed(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ALLOWED_SCHEMES


def refusal(url: str, error: str, fetched_at: datetime | None = None) -> FetchedResponse:
    """A fetch that was not attempted (or got no response): no status, no body."""
    return FetchedResponse(
        url=url, final_url=None, status=None, headers={}, body=b"", error=error,
        fetched_at=fetched_at or utc_now(),
    )


class Fetcher(ABC):
    """Turns a URL into a FetchedResponse; never raises for network or HTTP problems."""

    @abstractmethod
    def fetch(
        self,
        url: str,
        allowed_hosts: tuple[str, ...],
        *,
        if_none_match: str | None = None,
        if_modified_since: str | None = None,
        network_id: str | None = None,
    ) -> FetchedResponse: ...

    def close(self) -> None:
        """Release connections; the default has nothing to release."""

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
