"""Conditional GET: ask with the validators of the last good fetch; an unchanged page costs a 304.

On a 304 the archived body of that fetch stands in for the page, so parsing (and a parser fix) works on
the same bytes as before, and the raw row still records that the site answered 304.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from scrapers.model import FetchedResponse


@dataclass(frozen=True)
class PreviousFetch:
    etag: str | None
    last_modified: str | None
    body: bytes
    content_type: str | None


class ConditionalFetcher:
    """Wraps a fetcher; `previous` maps URL -> its last good fetch (with validators and archived body)."""

    def __init__(self, fetcher, previous: dict[str, PreviousFetch]):
        self.fetcher = fetcher
        self.previous = previous

    def fetch(self, url: str, allowed_hosts: tuple[str, ...], **kwargs) -> FetchedResponse:
        prev = self.previous.get(url)
        if prev is None:
            return self.fetcher.fetch(url, allowed_hosts, **kwargs)
        response = self.fetcher.fetch(url, allowed_hosts, if_none_match=prev.etag,
                                      if_modified_since=prev.last_modified, **kwargs)
        if response.status == 304 and response.error is None:
            headers = {"Content-Type": prev.content_type, **response.headers} if prev.content_type else response.headers
            return replace(response, body=prev.body, headers=headers, encoding=None)
        return response

    def close(self) -> None:
        self.fetcher.close()
