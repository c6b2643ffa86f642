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


# the "next page" link of a listing whose source names none (parser auto, tcn probe)
AUTO_NEXT = ('a[rel~="next"], .pagination a.next, .pager a.next, a.next, a.next-page, li.next > a, '
             'a[aria-label="Next"], a[aria-label="Next page"]')
_NEXT_WORDS = frozenset({"next", "next page", "next ›", "next »", "next >", "›", "»", ">", "weiter", "nächste",
                         "nächste seite", "suivant", "page suivante", "siguiente", "successivo", "successiva",
                         "próxima", "seguinte", "volgende", "następna", "nästa", "neste", "næste", "seuraava"})


def next_href(soup):
    """The next-page link element: a rel=next or next-classed link, else one whose whole text says "next"."""
    element = soup.select_one(AUTO_NEXT)
    if element is not None:
        return element
    for link in soup.find_all("a", href=True):
        if clean_text(link.get_text(" ")).casefold() in _NEXT_WORDS:
            return link
    return None


def auto_next_page_url(response: FetchedResponse) -> str | None:
    soup = soup_of(response)
    element = next_href(soup)
    return resolve_link(soup, source_url(response), element.get("href")) if element is not None else None
