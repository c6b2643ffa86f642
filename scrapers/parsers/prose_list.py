"""Members named in running text, e.g. "founded by the cities of A, B and C." (news items, about pages).

Options: one rule, or `rules: [rule, ...]` when a page names members in several sentences. A rule has
  container      CSS selector for the element(s) holding the sentence (required)
  pattern        regex with a named group `names` matched against the container's text (optional; without
                 it the whole text is the list). Every match counts; at least one is required.
  conjunctions   words that join the last two names (default ["and"]), e.g. ["et"] for French
  separator      regex that separates names (default "," and ";")
  role           role of every name the rule finds (default "member"), e.g. founding for a founders sentence
  joined         CSS selector inside the container for the date (a <time datetime> or its text)
"""
from __future__ import annotations

import re

from scrapers.model import FetchedResponse, MemberMention
from scrapers.parsers.common import (
    ROLES,
    ParseError,
    clean_name,
    date_of,
    element_text,
    require_option,
    select_required,
    soup_of,
    source_url,
)

RULE_KEYS = ("container", "pattern", "conjunctions", "separator", "role", "joined")


def split_names(text: str, separator: str, conjunctions: list[str]) -> list[str]:
    words = "|".join(re.escape(w) for w in conjunctions)
    parts = re.split(separator, text)
    names: list[str] = []
    for part in parts:
        # "B and C" -> ["B", "C"]; ", and C" (serial comma) leaves a leading conjunction to drop
        pieces = re.split(rf"\s+(?:{words})\s+", f" {part} ") if words else [part]
        for piece in pieces:
            if words:
                piece = re.sub(rf"^\s*(?:{words})\s+", "", piece)
            name = clean_name(piece)
            if name:
                names.append(name)
    return names


class ProseListParser:
    name = "prose_list"
    version = "1"

    def parse(self, response: FetchedResponse, options: dict) -> list[MemberMention]:
        url = source_url(response)
        soup = soup_of(response)
        rules = options.get("rules") or [{k: options[k] for k in RULE_KEYS if k in options}]
        mentions: list[MemberMention] = []
        for rule in rules:
            container_selector = require_option(rule, "container", self.name, response)
            role = rule.get("role", "member")
            if role not in ROLES:
                raise ParseError(f"prose_list role {role!r} is not one of {sorted(ROLES)} (parsing {url})")
            pattern = re.compile(rule["pattern"], re.IGNORECASE | re.DOTALL) if rule.get("pattern") else None
            separator = rule.get("separator", r"\s*[,;]\s*")
            conjunctions = rule.get("conjunctions", ["and"])
            matched = False
            for container in select_required(soup, container_selector, response):
                text = element_text(container)
                lists = [m.group("names") for m in pattern.finditer(text)] if pattern else [text]
                if not lists:
                    continue
                matched = True
                joined = date_of(container.select_one(rule["joined"])) if rule.get("joined") else None
                for names in lists:
                    for name in split_names(names, separator, conjunctions):
                        mentions.append(MemberMention(member_name=name, role=role, joined=joined, source_url=url))
            if not matched:
                raise ParseError(f"pattern {rule['pattern']!r} matches no text in {container_selector!r} on {url}")
        return mentions
