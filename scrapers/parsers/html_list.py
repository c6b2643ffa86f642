"""Members from list items (bullets, paragraphs), optionally written "Name - Country" or "Name (Country)".

Options:
  items          CSS selector for one element per member (required), e.g. "ul.members > li"
  split          null | "dash" ("Name - Country", also en/em dash; split at the last dash with spaces)
                 | "parens" ("Name (Country)", the trailing parenthesis)
  role_prefixes  {prefix: role}: an item starting with the prefix gets the role and loses the prefix,
                 e.g. {"LEAD PARTNER:": lead} for URBACT partner lists
  role_map, default_role   see common.map_role
"""
from __future__ import annotations

import re

from scrapers.model import FetchedResponse, MemberMention
from scrapers.parsers.common import (
    ParseError,
    clean_name,
    clean_text,
    element_text,
    map_role,
    optional_text,
    require_option,
    select_required,
    soup_of,
    source_url,
)

_DASH = re.compile(r"^(?P<name>.+)\s+[-–—]\s+(?P<country>[^-–—]+)$")
_PARENS = re.compile(r"^(?P<name>.+?)\s*\((?P<country>[^()]+)\)$")
SPLITS = {"dash": _DASH, "parens": _PARENS}


def split_name_country(text: str, split: str | None) -> tuple[str, str | None]:
    if not split:
        return text, None
    match = SPLITS[split].match(text)
    if not match:
        return text, None
    return match.group("name"), optional_text(match.group("country"))


class HtmlListParser:
    name = "html_list"
    version = "1"

    def parse(self, response: FetchedResponse, options: dict) -> list[MemberMention]:
        url = source_url(response)
        split = options.get("split")
        if split not in (None, *SPLITS):
            raise ParseError(f"html_list option split={split!r} is not one of {sorted(SPLITS)} (parsing {url})")
        items = select_required(soup_of(response), require_option(options, "items", self.name, response), response)
        prefixes = [(clean_text(p).casefold(), clean_text(p), role)
                    for p, role in (options.get("role_prefixes") or {}).items()]
        mentions: list[MemberMention] = []
        for item in items:
            text = element_text(item)
            role = map_role(None, options)
            for folded, prefix, prefix_role in prefixes:
                if text.casefold().startswith(folded):
                    text, role = text[len(prefix):].strip(), prefix_role
                    break
            name, country = split_name_country(text, split)
            name = clean_name(name)
            if name:
                mentions.append(MemberMention(member_name=name, country=country, role=role, source_url=url))
        return mentions
