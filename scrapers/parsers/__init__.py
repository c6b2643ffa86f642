"""Parsers: one fetched response + the source's options -> member mentions as published.

Each parser is generic and driven by the options in the registry's source spec, so most networks need
YAML only. A parser raises ParseError (naming the URL and what is missing) when its required element is
absent; it never resolves names (that happens downstream).
"""
from __future__ import annotations

from typing import Protocol

from scrapers.model import FetchedResponse, MemberMention
from scrapers.parsers.auto import AutoParser
from scrapers.parsers.common import ParseError
from scrapers.parsers.curated_table import CuratedTableParser
from scrapers.parsers.html_cards import HtmlCardsParser
from scrapers.parsers.html_list import HtmlListParser
from scrapers.parsers.html_table import HtmlTableParser
from scrapers.parsers.json_api import JsonApiParser
from scrapers.parsers.link_index import LinkIndexParser
from scrapers.parsers.prose_list import ProseListParser
from scrapers.parsers.script_json import ScriptJsonParser
from scrapers.parsers.sichere_haefen_api import SichereHaefenApiParser


class Parser(Protocol):
    name: str
    version: str  # bump when the output for the same input changes

    def parse(self, response: FetchedResponse, options: dict) -> list[MemberMention]: ...


PARSERS: dict[str, Parser] = {
    parser.name: parser
    for parser in (
        HtmlTableParser(),
        HtmlListParser(),
        HtmlCardsParser(),
        ProseListParser(),
        JsonApiParser(),
        SichereHaefenApiParser(),
        ScriptJsonParser(),
        CuratedTableParser(),
        LinkIndexParser(),
        AutoParser(),
    )
}

__all__ = ["PARSERS", "ParseError", "Parser"]
