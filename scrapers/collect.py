"""Collect one network: fetch each of its sources and parse the responses into member mentions.

Nothing here raises for a bad page: every outcome becomes a FetchRecord with a status and a message that
names the network and the URL, so one broken network never stops the others.

A source is one of:
  - one page (the default);
  - a paginated listing (option `next`: CSS selector of the "next page" link), every page its own record;
  - an index linking to one page per member (parser link_index, option `member_links`): the index is
    recorded without members, each member page is fetched and parsed by the `member_page` parser;
  - a curated file on disk (`path`), read here rather than by the HTTP fetcher.
Each page's record carries a copy of the spec with that page's URL (and parser), so raw.fetches gets one
row per URL.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from functools import cached_property

from scrapers.local_file import read_local
from scrapers.model import FetchedResponse, MemberMention, RefusedRow, SourceSpec
from scrapers.parsers import PARSERS, ParseError
from scrapers.parsers.links import auto_next_page_url, next_page_url
from scrapers.places import PlaceRecogniser
from scrapers.probe import suggestion

DEFAULT_MAX_PAGES = 50
# The longest place names run to some 60 characters ("Verbandsgemeinde ..." a few more); a longer "name"
# means the name selector caught a paragraph or a whole list, i.e. the page is not what its contract says.
MAX_NAME_CHARS = 200


@dataclass
class FetchRecord:
    spec: SourceSpec
    response: FetchedResponse
    parser_version: str | None
    parse_status: str  # ok | fetch_failed | parse_failed (parser crashed) | contract_failed (page not as promised)
    parse_error: str | None = None
    mentions: list[MemberMention] = field(default_factory=list)
    note: str | None = None  # why following links stopped here, when that is worth knowing (not an error)
    structure: str | None = None  # the list the auto parser chose on this page (a selector path)
    name_field: str | None = None  # ... and where the name sits in each of its items
    # input rows the parser read (every mention is one, unless the parser counts rows itself), the ones it
    # refused and why, and how the bytes were read (tables: encoding, delimiter, sheet)
    rows_read: int | None = None
    refused: list[RefusedRow] = field(default_factory=list)
    read_as: str | None = None


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

    @property
    def notes(self) -> list[str]:
        return [r.note for r in self.records if r.note]

    @cached_property  # the loader asks several times; a result's records do not change once collected
    def members(self) -> list[tuple]:
        """The distinct members extracted, in a stable order."""
        return sorted({(m.member_name, m.country or "", m.role, m.joined or "", m.member_kind or "",
                        m.left_on or "") for m in self.mentions})

    @cached_property
    def members_sha256(self) -> str:
        """Hash of the extracted member list: unchanged lists hash alike whatever tokens the HTML carries."""
        return hashlib.sha256(repr(self.members).encode("utf-8")).hexdigest()


def parse_response(spec: SourceSpec, response: FetchedResponse, *, allow_empty: bool = False,
                   places: PlaceRecogniser | None = None) -> FetchRecord:
    parser = PARSERS[spec.parser]
    if not response.ok:
        reason = response.error or f"http_{response.status}"
        what = f"reading {spec.path}" if spec.path else f"fetching {spec.url}"
        return FetchRecord(spec, response, parser.version, "fetch_failed",
                           f"{spec.network_id}: {what} failed: {reason}")
    try:
        if getattr(parser, "needs_places", False):
            mentions = parser.parse(response, spec.options, places=places)
        else:
            mentions = parser.parse(response, spec.options)
    except ParseError as exc:  # a required element is missing: soft 404, login wall, redesigned site
        return FetchRecord(spec, response, parser.version, "contract_failed",
                           f"{spec.network_id}: {exc}{suggestion(spec, response, places)}")
    except Exception as exc:  # a parser bug must not take down the other networks
        return FetchRecord(spec, response, parser.version, "parse_failed",
                           f"{spec.network_id}: parser {spec.parser} crashed on {spec.url}: {exc!r}")
    if not mentions and not allow_empty:
        return FetchRecord(spec, response, parser.version, "parse_failed",
                           f"{spec.network_id}: no members found on {spec.url} by parser {spec.parser}")
    undecodable = next((m for m in mentions if "\ufffd" in m.member_name), None)
    if undecodable is not None:  # "G\ufffdttingen" would never resolve, and would "join" as a new member
        return FetchRecord(spec, response, parser.version, "contract_failed",
                           f"{spec.network_id}: names on {spec.url} hold bytes that are not "
                           f"{response.encoding or 'utf-8'} ({undecodable.member_name!r}): the page's charset "
                           f"is wrong or missing")
    too_long = next(((i, m) for i, m in enumerate(mentions) if len(m.member_name) > MAX_NAME_CHARS), None)
    if too_long is not None:
        position, mention = too_long
        return FetchRecord(spec, response, parser.version, "contract_failed",
                           f"{spec.network_id}: member {position + 1} on {spec.url} has a name of "
                           f"{len(mention.member_name)} characters (more than {MAX_NAME_CHARS}): "
                           f"{mention.member_name[:60]!r}...")
    return FetchRecord(spec, response, parser.version, "ok", None, list(mentions),
                       note=getattr(mentions, "note", None), structure=getattr(mentions, "structure", None),
                       name_field=getattr(mentions, "name_field", None),
                       rows_read=getattr(mentions, "rows_read", len(mentions)),
                       refused=list(getattr(mentions, "refused", ())), read_as=getattr(mentions, "read_as", None))


def max_pages(spec: SourceSpec) -> int:
    value = spec.options.get("max_pages", DEFAULT_MAX_PAGES)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else DEFAULT_MAX_PAGES


def _following_options(spec: SourceSpec, records: list[FetchRecord]) -> dict:
    """A later page of an auto listing is read the way its first page was (its last page may hold one
    member, or members the gazetteer does not know)."""
    first = records[0] if records else None
    if spec.parser != "auto" or first is None or first.structure is None:
        return spec.options
    return {**spec.options, "structure": first.structure, "name_field": first.name_field, "following_page": True}


def _add_note(record: FetchRecord, text: str) -> None:
    record.note = f"{record.note}; {text}" if record.note else text


def _pages(spec: SourceSpec, fetcher, *, index: bool, places=None) -> list[FetchRecord]:
    """The first page and, with option `next`, the pages after it until a stop condition."""
    selector = spec.options.get("next")
    find_next = (lambda r: next_page_url(r, selector)) if selector else (
        auto_next_page_url if spec.parser == "auto" else None)  # auto: rel=next, or a link saying "next"
    limit = max_pages(spec)
    seen_urls: set[str] = set()
    seen_bodies: dict[str, str] = {}  # sha256 of the body -> first URL that returned it
    records: list[FetchRecord] = []
    url = spec.url
    while True:
        seen_urls.add(url)
        page_spec = spec if url == spec.url else replace(spec, url=url, options=_following_options(spec, records))
        response = fetcher.fetch(url, spec.allowed_hosts, network_id=spec.network_id)
        digest = hashlib.sha256(response.body).hexdigest() if response.ok else None
        if digest in seen_bodies:  # a site that answers every page number with the same page
            records.append(FetchRecord(page_spec, response, PARSERS[spec.parser].version, "ok",
                                       note=f"pagination stopped: {url} repeats the content of "
                                            f"{seen_bodies[digest]}"))
            return records
        if digest:
            seen_bodies[digest] = url
        record = parse_response(page_spec, response, allow_empty=index, places=places)
        records.append(record)
        if find_next is None or record.parse_status != "ok":
            return records
        following = find_next(response)
        if following is None:
            return records  # the last page
        if following in seen_urls:
            _add_note(record, f"pagination stopped: the next link of {url} points back to {following}")
            return records
        if len(records) >= limit:
            _add_note(record, f"pagination stopped after max_pages={limit}; {following} was not fetched")
            return records
        url = following


def _member_pages(index_pages: list[FetchRecord], fetcher, places=None) -> list[FetchRecord]:
    """Fetch and parse the member pages the index pages link to (each once, at most max_pages)."""
    spec = index_pages[0].spec
    index_urls = {page.spec.url for page in index_pages}  # a "back to all members" link is not a member
    links: list[str] = []
    for page in index_pages:
        if page.parse_status != "ok":
            continue
        try:
            found = PARSERS[spec.parser].links(page.response, spec.options)
        except ParseError as exc:
            page.parse_status, page.parse_error = "contract_failed", f"{spec.network_id}: {exc}"
            continue
        for link in found:
            if link not in links and link not in index_urls:
                links.append(link)
    limit = max_pages(spec)
    if len(links) > limit:
        _add_note(index_pages[-1], f"{len(links)} member links from {spec.url}; only the first "
                                   f"max_pages={limit} were fetched")
    member_spec = SourceSpec(network_id=spec.network_id, url=spec.url, kind="html",
                             parser=spec.options["member_page"], allowed_hosts=spec.allowed_hosts,
                             options=dict(spec.options.get("member_options") or {}))
    records = []
    for link in links[:limit]:
        # the fetcher refuses links outside allowed_hosts; the refusal is recorded like any failed fetch
        response = fetcher.fetch(link, spec.allowed_hosts, network_id=spec.network_id)
        records.append(parse_response(replace(member_spec, url=link), response, places=places))
    return records


def _check_member_count(spec: SourceSpec, records: list[FetchRecord]) -> list[FetchRecord]:
    """The source's contract on its size: outside [min_members, max_members] nothing of it is kept."""
    if any(r.parse_status != "ok" for r in records):
        return records
    found = sum(len(r.mentions) for r in records)
    low, high = spec.options.get("min_members", 1), spec.options.get("max_members")
    if found >= low and (high is None or found <= high):
        return records
    expected = f"between {low} and {high}" if high is not None else f"at least {low}"
    for r in records:
        r.parse_status, r.mentions = "contract_failed", []
        r.parse_error = f"{spec.network_id}: {found} members on {spec.url}, the contract expects {expected}"
    return records


def collect_source(spec: SourceSpec, fetcher, places: PlaceRecogniser | None = None) -> list[FetchRecord]:
    """Every record one source spec produces: its pages, then (for an index) its member pages."""
    if spec.path is not None:
        return _check_member_count(spec, [parse_response(spec, read_local(spec), places=places)])
    index = bool(spec.options.get("member_links"))
    pages = _pages(spec, fetcher, index=index, places=places)
    return _check_member_count(spec, pages + _member_pages(pages, fetcher, places) if index else pages)


def sources_for_mode(sources: tuple[SourceSpec, ...], mode: str | None) -> tuple[SourceSpec, ...]:
    """A live-only source (a page without a recorded snapshot) is fetched in live mode only; replay reads the
    snapshot or curated file of the network's other sources."""
    return tuple(s for s in sources if not (s.live_only and mode == "replay"))


def _drop_superseded(records: list[FetchRecord]) -> None:
    """Curated rows citing a page this run read successfully are that page's older copy: the page wins."""
    read = {r.spec.url for r in records if r.spec.path is None and r.parse_status == "ok" and r.mentions}
    read |= {r.response.final_url for r in records if r.spec.path is None and r.parse_status == "ok"
             and r.mentions and r.response.final_url}
    if not read:
        return
    for r in records:
        if r.spec.path is not None and r.parse_status == "ok":
            kept = [m for m in r.mentions if m.source_url not in read]
            if len(kept) != len(r.mentions):
                _add_note(r, f"{len(r.mentions) - len(kept)} curated rows citing a page read live were left to it")
                r.mentions = kept


def collect_network(network_id: str, sources: tuple[SourceSpec, ...], fetcher, *,
                    places: PlaceRecogniser | None = None, mode: str = "replay",
                    previous: dict[str, str] | None = None) -> NetworkResult:
    """Every record of a network's sources in this mode (replay: no live-only source; live: all of them, and
    curated rows citing a page read here are left to the page). `previous`: URL -> the list the auto parser
    chose there last time (a different choice now is reported as structure drift)."""
    records = []
    for spec in sources_for_mode(sources, mode):
        if spec.parser == "auto" and (previous or {}).get(spec.url) and "structure" not in spec.options:
            spec = replace(spec, options={**spec.options, "structure": previous[spec.url]})
        records.extend(collect_source(spec, fetcher, places))
    if mode == "live":
        _drop_superseded(records)
    return NetworkResult(network_id, records)
