"""Links a page points to (next page, member pages), resolved the way a browser resolves them.

Only http(s) links come back; whether their host is allowed is the fetcher's check, so a link that
leaves the allow-list is still fetched-and-refused and so recorded.
"""
from __future__ import annotations

from urllib.parse import urldefrag, urljoin, urlsplit

from scrapers.model import FetchedResponse
from scrapers.parsers.common import clean_text, soup_of, source_url


def resolve_link(soup, page_url: str, href) -> str | None:
    """`href` made absolute against <base href> (if any) and the page URL, without its #fragment."""
    href = clean_text(href)
    if not href:
        return None
    base = soup.find("base", href=True)
    base_url = urljoin(page_url, base["href"]) if base is not None else page_url
    link, _ = urldefrag(urljoin(base_url, href))
    return link if urlsplit(link).scheme in ("http", "https") else None  # mailto:, javascript: ...


def next_page_url(response: FetchedResponse, selector: str) -> str | None:
    """The "next page" link, or None on the last page (no match, or a match without a usable href)."""
    soup = soup_of(response)
    element = soup.select_one(selector)
    if element is None:
        return None
    return resolve_link(soup, source_url(response), element.get("href"))
