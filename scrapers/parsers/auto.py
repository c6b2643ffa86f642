"""Members from a page without selectors: the best candidate list the place recogniser vouches for.

Options (all optional; the registry fills the first two from the network's entry):
  expected_members   the network's stated member count (a candidate of about that size scores higher)
  network_country    the network's country, for names printed without one
  structure          the structure a previous look chose (`tcn probe` prints it): preferred while the page
                     still has it above the floor; when it is gone and another list is taken, the record
                     says so (structure drift)
  min_score          the confidence floor (default 0.5): below it the page is refused (contract failed) and
                     the network keeps its last good members
The parser needs a place recogniser (scrapers.places), handed in by the collector.
"""
from __future__ import annotations

import json

from scrapers.model import FetchedResponse, MemberMention
from scrapers.parsers.candidates import Candidate, find_candidates, json_body_candidates, rank
from scrapers.parsers.common import ParseError, decode_body, soup_of, source_url
from scrapers.places import PlaceRecogniser

MIN_SCORE = 0.5


class AutoMentions(list):
    """The mentions, plus what the parser chose (for the fetch record)."""

    structure: str | None = None
    name_field: str | None = None
    note: str | None = None


def describe(candidate: Candidate) -> str:
    field = f" name {candidate.name_field!r}" if candidate.name_field else ""
    return (f"{candidate.structure}{field} ({len(candidate.members)} members, score {candidate.score:.2f}, "
            f"{candidate.recognised:.0%} recognised)")


def _looks_like_json(response: FetchedResponse) -> bool:
    content_type = next((v for k, v in response.headers.items() if k.lower() == "content-type"), "") or ""
    return "json" in content_type.lower() or response.body.lstrip()[:1] in (b"[", b"{")


def candidates_of(response: FetchedResponse, places: PlaceRecogniser, expected: int | None = None,
                  network_country: str | None = None) -> list[Candidate]:
    """Every candidate member list of a response, best first."""
    if _looks_like_json(response):
        try:
            value = json.loads(decode_body(response))
        except ValueError:
            value = None
        if value is not None:
            return rank(json_body_candidates(value, places, expected, network_country))
    return find_candidates(soup_of(response), places, expected, network_country)


def _int_option(options: dict, key: str) -> int | None:
    value = options.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


class AutoParser:
    name = "auto"
    version = "1"
    needs_places = True

    def parse(self, response: FetchedResponse, options: dict, places: PlaceRecogniser | None = None
              ) -> list[MemberMention]:
        url = source_url(response)
        if places is None:
            raise ParseError(f"parser auto needs a place recogniser and was given none (parsing {url})")
        floor = options.get("min_score", MIN_SCORE)
        if options.get("following_page"):
            return self._following_page(response, options, places)
        candidates = candidates_of(response, places, _int_option(options, "expected_members"),
                                   options.get("network_country"))
        if not candidates:
            raise ParseError(f"no list of places found on {url}")
        best = candidates[0]
        pinned = options.get("structure")
        note = None
        if pinned:
            same = next((c for c in candidates if c.structure == pinned and c.score >= floor), None)
            if same is not None:
                best = same
            elif best.score >= floor:
                note = f"structure drift: {pinned!r} is gone from {url}; took {describe(best)}"
        if best.score < floor:
            raise ParseError(f"no member list on {url} reaches the confidence floor {floor}: best candidate "
                             f"{describe(best)}")
        return _mentions(best, url, note or f"auto chose {describe(best)}")

    def _following_page(self, response: FetchedResponse, options: dict, places: PlaceRecogniser):
        """A later page of a listing: the first page's structure and name field, whatever their score."""
        url = source_url(response)
        same = find_candidates(soup_of(response), places, _int_option(options, "expected_members"),
                               options.get("network_country"), only=options["structure"],
                               name_field=options.get("name_field"))
        if not same:
            raise ParseError(f"the listing's structure {options['structure']!r} (from its first page) is not on "
                             f"{url}")
        return _mentions(same[0], url, None)


def _mentions(best: Candidate, url: str, note: str | None) -> AutoMentions:
    mentions = AutoMentions(
        MemberMention(member_name=m.name, country=m.country, joined=m.joined, source_url=url)
        for m in best.members)
    mentions.structure, mentions.name_field, mentions.note = best.structure, best.name_field, note
    return mentions
