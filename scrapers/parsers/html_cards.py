"""Members from a listing of cards (one block per member with the name and optional details).

Options:
  card           CSS selector for one card per member (required)
  name           CSS selector for the name inside a card (required)
  country, role, joined, kind   optional CSS selectors inside a card; joined reads a datetime attribute
                 (e.g. <time datetime="1986">) before the text
  kind_map       {text of the kind element: member_kind}
  role_map, default_role   see common.map_role
"""
from __future__ import annotations

from scrapers.model import FetchedResponse, MemberMention
from scrapers.parsers.common import (
    clean_name,
    date_of,
    element_text,
    map_kind,
    map_role,
    optional_text,
    require_option,
    select_required,
    soup_of,
    source_url,
)


def _inside(card, selector: str | None):
    return card.select_one(selector) if selector else None


class HtmlCardsParser:
    name = "html_cards"
    version = "1"

    def parse(self, response: FetchedResponse, options: dict) -> list[MemberMention]:
        url = source_url(response)
        cards = select_required(soup_of(response), require_option(options, "card", self.name, response), response)
        name_selector = require_option(options, "name", self.name, response)
        mentions: list[MemberMention] = []
        for card in cards:
            name = clean_name(element_text(card.select_one(name_selector)))
            if not name:
                continue
            joined_element = _inside(card, options.get("joined"))
            if joined_element is not None and joined_element.name != "time":
                joined_element = joined_element.find("time") or joined_element
            role_element = _inside(card, options.get("role"))
            kind_element = _inside(card, options.get("kind"))
            mentions.append(MemberMention(
                member_name=name,
                country=optional_text(element_text(_inside(card, options.get("country")))),
                role=map_role(element_text(role_element), options),
                joined=date_of(joined_element),
                member_kind=map_kind(element_text(kind_element), options.get("kind_map")),
                source_url=url,
            ))
        return mentions
