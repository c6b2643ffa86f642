"""Members from a map whose markers are JSON embedded in the page, e.g. `var markers = [...]` inside a
<script>, or `<script type="application/json" id="map-data">{...}</script>`.

Options:
  script         CSS selector for the script element(s) to search (default "script")
  variable       name of the JavaScript variable holding the data (`var|let|const|window.` NAME = ...);
                 without it the whole text of the first matching script is the JSON document
  records        dotted path to the list of markers inside that JSON ("" or absent: the value itself)
  name, country, role, joined, kind, kind_map, role_map, default_role   as for json_api (field paths)
The value must be strict JSON (double quotes, no trailing commas): a JavaScript-only literal is refused
with a ParseError rather than guessed at.
"""
from __future__ import annotations

import json
import re

from scrapers.model import FetchedResponse, MemberMention
from scrapers.parsers.common import ParseError, dig, select_required, soup_of, source_url
from scrapers.parsers.json_api import mentions_from_records

_DECODER = json.JSONDecoder()


def _assignment(variable: str) -> re.Pattern:
    # `var markers =`, `const markers=`, `window.markers =`; not `othermarkers =` nor `markers ==`
    return re.compile(rf"(?:\b(?:var|let|const)\s+|\bwindow\.|(?<![\w.$])){re.escape(variable)}\s*=(?!=)\s*")


def _embedded_value(scripts: list, variable: str | None, url: str):
    if not variable:
        text = scripts[0].string or scripts[0].get_text()
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ParseError(f"script JSON on {url} is not valid JSON: {exc}") from exc
    pattern = _assignment(variable)
    for script in scripts:
        text = script.string or script.get_text()
        match = pattern.search(text)
        if match is None:
            continue
        try:
            value, _ = _DECODER.raw_decode(text, match.end())
        except ValueError as exc:
            raise ParseError(f"variable {variable!r} on {url} is not strict JSON: {exc}") from exc
        return value
    raise ParseError(f"no script assigns variable {variable!r} on {url}")


class ScriptJsonParser:
    name = "script_json"
    version = "1"

    def parse(self, response: FetchedResponse, options: dict) -> list[MemberMention]:
        url = source_url(response)
        scripts = select_required(soup_of(response), options.get("script") or "script", response)
        value = _embedded_value(scripts, options.get("variable"), url)
        path = options.get("records") or ""
        try:
            records = dig(value, path)
        except KeyError as exc:
            raise ParseError(f"no records at path {path!r} (missing key {exc.args[0]!r}) in the script "
                             f"data on {url}") from exc
        if not isinstance(records, list):
            raise ParseError(f"records at path {path!r} in the script data on {url} are a "
                             f"{type(records).__name__}, not a list")
        return mentions_from_records(records, options, url)
