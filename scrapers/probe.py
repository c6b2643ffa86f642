"""`tcn probe`: the candidate member lists of a page, and a registry `sources:` block for the best one.

Also what a failed contract adds to its message: the best candidate the probe sees on that page (named,
never applied).
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import yaml

from scrapers.fetch.encoding import detect_encoding
from scrapers.model import FetchedResponse, SourceSpec
from scrapers.parsers.auto import MIN_SCORE, candidates_of, describe
from scrapers.parsers.candidates import Candidate, find_candidates
from scrapers.parsers.common import ParseError, soup_of
from scrapers.parsers.links import auto_next_page_url, next_href
from scrapers.places import PlaceRecogniser

SAMPLE_MEMBERS = 8
MAX_PAGES = 20


class ProbeError(ValueError):
    """The source cannot be read; the message names it."""


def is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


def file_response(path: Path) -> FetchedResponse:
    try:
        body = Path(path).read_bytes()
    except OSError as exc:
        raise ProbeError(f"cannot read {path}: {exc.strerror or exc}") from None
    content_type = "application/json" if body.lstrip()[:1] in (b"[", b"{") else "text/html"
    return FetchedResponse(url=Path(path).resolve().as_uri(), final_url=None, status=200,
                           headers={"Content-Type": content_type}, body=body, error=None,
                           fetched_at=datetime.now(timezone.utc), encoding=detect_encoding(content_type, body))


def fetch_pages(url: str, fetcher, follow: bool = True) -> list[FetchedResponse]:
    """The page and, when it links a next page, the following ones (one host, politely, at most MAX_PAGES)."""
    host = urlsplit(url).hostname or ""
    pages: list[FetchedResponse] = []
    seen: set[str] = set()
    while url and url not in seen and len(pages) < MAX_PAGES:
        seen.add(url)
        response = fetcher.fetch(url, (host,))
        if not response.ok:
            if pages:
                break
            raise ProbeError(f"fetching {url} failed: {response.error or response.status}")
        pages.append(response)
        if not follow:
            break
        try:
            url = auto_next_page_url(response)
        except ParseError:
            break
    return pages


def file_pages(path: Path) -> list[FetchedResponse]:
    """A saved page and the saved pages its next-page links point to, in the same folder."""
    folder = Path(path).resolve().parent
    pages = [file_response(path)]
    seen = {Path(path).resolve()}
    while len(pages) < MAX_PAGES:
        try:
            soup = soup_of(pages[-1])
        except ParseError:
            break
        link = next_href(soup)
        href = link.get("href") if link is not None else None
        if not href:
            break
        target = urlsplit(urljoin(pages[-1].url, href))
        if target.scheme != "file":
            break
        candidate = Path(unquote(target.path)).resolve()
        if candidate in seen or candidate.parent != folder or not candidate.is_file():
            break
        seen.add(candidate)
        pages.append(file_response(candidate))
    return pages


def merged_candidates(pages: list[FetchedResponse], places: PlaceRecogniser, expected: int | None,
                      network_country: str | None) -> list[Candidate]:
    """Candidates of the first page, each extended by the same structure on the following pages."""
    ranked = candidates_of(pages[0], places, expected, network_country)
    if len(pages) > 1:
        soups = [soup_of(p) for p in pages[1:]]
        for candidate in ranked[:5]:
            for soup in soups:
                same = find_candidates(soup, places, expected, network_country, only=candidate.structure,
                                       name_field=candidate.name_field)
                if same:
                    candidate.members = candidate.members + same[0].members
    return ranked


def as_json(source: str, candidates: list[Candidate], limit: int = 5) -> dict:
    return {"source": source, "candidates": [
        {"score": c.score, "parser": "auto", "structure": c.structure, "recognised": round(c.recognised, 4),
         "options": {"structure": c.structure}, "reproduce": c.reproduce,
         "members": [{"name": m.name, "country": m.country} for m in c.members]}
        for c in candidates[:limit]]}


def sources_block(source: str, best: Candidate, paginated: bool) -> str:
    """A ready `sources:` entry for the registry: auto with the chosen structure pinned."""
    host = urlsplit(source).hostname if is_url(source) else "HOST"
    options: dict = {"structure": best.structure}
    if paginated:
        options["max_pages"] = MAX_PAGES
    kind = "json" if best.kind == "json" else "html"
    entry = {"url": source if is_url(source) else "https://HOST/PATH", "kind": kind, "parser": "auto",
             "allowed_hosts": [host], "live_only": True, "options": options}
    text = yaml.safe_dump({"sources": [entry]}, sort_keys=False, allow_unicode=True)
    alternative = yaml.safe_dump({"parser": best.reproduce.get("parser"), "options": best.reproduce.get("options")},
                                 sort_keys=False, allow_unicode=True)
    return text + "# or, page-specific (no guessing; fails when the page changes):\n" + "".join(
        f"#   {line}\n" for line in alternative.splitlines())


def as_text(source: str, candidates: list[Candidate], paginated: bool, limit: int = 5) -> str:
    if not candidates:
        return f"{source}: no candidate member list (no repeated elements the gazetteer recognises as places)"
    lines = [f"{source}: {len(candidates)} candidate lists, best first"]
    for i, c in enumerate(candidates[:limit], 1):
        sample = ", ".join(f"{m.name} ({m.country})" if m.country else m.name for m in c.members[:SAMPLE_MEMBERS])
        lines.append(f"{i}. score {c.score:.2f}  {len(c.members)} members, {c.recognised:.0%} recognised, "
                     f"size x{c.size_factor:.2f}, penalty x{c.penalty:.2f}")
        lines.append(f"   structure: {c.structure}" + (f"   name: {c.name_field}" if c.name_field else ""))
        lines.append(f"   sample: {sample}{' ...' if len(c.members) > SAMPLE_MEMBERS else ''}")
    best = candidates[0]
    if best.score < MIN_SCORE:
        lines.append(f"the best candidate is below the auto parser's floor ({MIN_SCORE}): auto would refuse this "
                     f"page")
    lines.append("")
    lines.append(sources_block(source, best, paginated).rstrip())
    return "\n".join(lines)


def printable(text: str) -> str:
    """Page text shown on a terminal: no control characters (escape sequences) from the page."""
    return "".join(ch if ch.isprintable() or ch == "\n" else "\ufffd" for ch in text)


def suggestion(spec: SourceSpec, response: FetchedResponse, places: PlaceRecogniser | None) -> str:
    """For a failed contract: the probe's best candidate on the page, or "" (never applied)."""
    if places is None or spec.parser == "auto" or not response.ok:
        return ""
    try:
        ranked = candidates_of(response, places, spec.options.get("expected_members"),
                               spec.options.get("network_country"))
    except Exception:  # a hint must never turn a contract failure into a crash
        return ""
    if not ranked or ranked[0].score < MIN_SCORE:
        return ""
    return f" (probe's best candidate, not applied: auto {describe(ranked[0])})"


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
