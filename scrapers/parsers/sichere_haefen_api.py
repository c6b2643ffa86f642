"""Members from the Seebrücke "Sichere Häfen" API: countries -> states -> places, each with the date it
declared itself a safe harbour and, sometimes, its type (Stadt, Landkreis, Gemeinde, ...).

Options (defaults follow the API's field names):
  root           dotted path to the list of countries (default "data.countries")
  country_name   "name";  states "states";  state_name "name";  places "cities"
  place_name     "name";  joined "joinedAt";  type "type"
  kind_map       {type: member_kind}; defaults to KIND_MAP below. Types not in the map give no member_kind.
"""
from __future__ import annotations

from scrapers.model import FetchedResponse, MemberMention
from scrapers.parsers.common import (
    ParseError,
    clean_name,
    dig,
    dig_optional,
    json_of,
    map_kind,
    map_role,
    normalize_joined,
    optional_text,
    source_url,
)

# Only types that say "this is not a town" get a kind; a Stadt is what the resolver expects by default.
KIND_MAP = {
    "Stadt": None,
    "Landkreis": "district",
    "Kreis": "district",
    "Region": "district",
    "StädteRegion": "district",
    "Gemeinde": "municipality",
    "Samtgemeinde": "municipality",
    "Verbandsgemeinde": "municipality",
    "Bundesland": "state",
}

DEFAULTS = {
    "root": "data.countries",
    "country_name": "name",
    "states": "states",
    "state_name": "name",
    "places": "cities",
    "place_name": "name",
    "joined": "joinedAt",
    "type": "type",
}


def _list_at(node, key: str, where: str, url: str) -> list:
    value = node.get(key) if isinstance(node, dict) else None
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParseError(f"expected a list at {key!r} in {where} on {url}, found {type(value).__name__}")
    return value


class SichereHaefenApiParser:
    name = "sichere_haefen_api"
    version = "1"

    def parse(self, response: FetchedResponse, options: dict) -> list[MemberMention]:
        url = source_url(response)
        opt = {**DEFAULTS, **{k: v for k, v in options.items() if k in DEFAULTS}}
        kind_map = options.get("kind_map", KIND_MAP)
        try:
            countries = dig(json_of(response), opt["root"])
        except KeyError as exc:
            raise ParseError(f"no countries at path {opt['root']!r} (missing key {exc.args[0]!r}) on {url}") from exc
        if not isinstance(countries, list):
            raise ParseError(f"countries at path {opt['root']!r} on {url} are not a list")
        mentions: list[MemberMention] = []
        for country in countries:
            country_name = optional_text(dig_optional(country, opt["country_name"]))
            for state in _list_at(country, opt["states"], f"country {country_name!r}", url):
                state_name = dig_optional(state, opt["state_name"])
                for place in _list_at(state, opt["places"], f"state {state_name!r}", url):
                    name = clean_name(dig_optional(place, opt["place_name"]))
                    if not name:
                        continue
                    mentions.append(MemberMention(
                        member_name=name,
                        country=country_name,
                        role=map_role(None, options),
                        joined=normalize_joined(dig_optional(place, opt["joined"])),
                        member_kind=map_kind(dig_optional(place, opt["type"]), kind_map),
                        source_url=url,
                    ))
        return mentions
