"""Members from a JSON API: a list of records somewhere in the document, one record per member.

Options:
  records        dotted path to the list, e.g. "data.members" (required; "" means the document itself)
  name           field holding the name (default "name"); dotted paths reach nested fields ("city.name")
  country, role, joined, kind   optional field paths
  kind_map       {value of the kind field: member_kind}
  role_map, default_role   see common.map_role
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


def _scalar(value):
    """Nested objects are not names; lists and dicts count as missing."""
    return None if isinstance(value, (dict, list)) else value


class JsonApiParser:
    name = "json_api"
    version = "1"

    def parse(self, response: FetchedResponse, options: dict) -> list[MemberMention]:
        url = source_url(response)
        if "records" not in options:
            raise ParseError(f"parser json_api needs option 'records' (parsing {url})")
        path = options["records"] or ""
        try:
            records = dig(json_of(response), path)
        except KeyError as exc:
            raise ParseError(f"no records at path {path!r} (missing key {exc.args[0]!r}) on {url}") from exc
        if not isinstance(records, list):
            raise ParseError(f"records at path {path!r} on {url} are a {type(records).__name__}, not a list")
        return mentions_from_records(records, options, url)


def mentions_from_records(records: list, options: dict, url: str) -> list[MemberMention]:
    """One mention per record (a dict) that has a name; shared with script_json."""
    name_field = options.get("name", "name")
    mentions: list[MemberMention] = []
    for record in records:
        if not isinstance(record, dict):
            continue
        name = clean_name(_scalar(dig_optional(record, name_field)))
        if not name:
            continue
        mentions.append(MemberMention(
            member_name=name,
            country=optional_text(_scalar(dig_optional(record, options.get("country")))),
            role=map_role(_scalar(dig_optional(record, options.get("role"))), options),
            joined=normalize_joined(_scalar(dig_optional(record, options.get("joined")))),
            member_kind=map_kind(_scalar(dig_optional(record, options.get("kind"))), options.get("kind_map")),
            source_url=url,
        ))
    return mentions
