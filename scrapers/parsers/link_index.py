"""An index page that only links to one page per member (Eurocities-style city pages).

The index names no members itself: `parse` yields none, and collect.py follows `links` to the member pages,
which the parser named by option `member_page` reads (with `member_options`).

Options:
  member_links   CSS selector for the links (<a href>) to the member pages (required)
  member_page    parser name for each member page (required; checked by the registry)
  member_options options for that parser
  max_pages      at most this many member pages are fetched (default 50)
"""
from __future__ import annotations

from scrapers.model import FetchedResponse, MemberMention
from scrapers.parsers.common import ParseError, require_option, select_required, soup_of, source_url
from scrapers.parsers.links import resolve_link


class LinkIndexParser:
    name = "link_index"
    version = "1"

    def parse(self, response: FetchedResponse, options: dict) -> list[MemberMention]:
        return []

    def links(self, response: FetchedResponse, options: dict) -> list[str]:
        """Absolute member page URLs in page order, each once; ParseError when the selector finds none."""
        url = source_url(response)
        soup = soup_of(response)
        selector = require_option(options, "member_links", self.name, response)
        out: list[str] = []
        for element in select_required(soup, selector, response):
            link = resolve_link(soup, url, element.get("href"))
            if link and link not in out:
                out.append(link)
        if not out:
            raise ParseError(f"elements matching {selector!r} on {url} carry no usable href")
        return out
