"""Helpers every parser shares: decoding, name cleaning, role/date/kind mapping, required elements.

Parsers report members as published; the only changes made here are the ones that cannot be part of a
name (markup, invisible format characters, runs of whitespace) or that put a value into the shared
vocabulary (roles, ISO dates) when the page says the same thing in its own words.
"""
from __future__ import annotations

import html
import json
import re
import unicodedata

from bs4 import BeautifulSoup

from scrapers.fetch.encoding import detect_encoding
from scrapers.model import FetchedResponse

ROLES = frozenset({"member", "founding", "lead", "associate", "signatory", "steering", "partner"})


class ParseError(ValueError):
    """A page lacks what its parser needs; the message names the URL and what was missing."""


def source_url(response: FetchedResponse) -> str:
    return response.final_url or response.url


def decode_body(response: FetchedResponse) -> str:
    """The body as text: the fetcher's chosen charset, else the HTTP charset (then BOM, meta), else UTF-8."""
    encoding = response.encoding
    if not encoding:
        content_type = next((v for k, v in response.headers.items() if k.lower() == "content-type"), None)
        encoding = detect_encoding(content_type, response.body)
    try:
        return response.body.decode(encoding, errors="replace")
    except LookupError:  # an unknown charset label must not lose the page
        return response.body.decode("utf-8", errors="replace")


_HEAD_WINDOW = 4096  # where a page's <html> tag must appear for the cut-short check
_HTML_OPEN = re.compile(r"<html[\s>]", re.IGNORECASE)
_HTML_CLOSE = re.compile(r"</html\s*>", re.IGNORECASE)


def soup_of(response: FetchedResponse) -> BeautifulSoup:
    text = decode_body(response)
    # a page that opens <html> but never closes it was cut short (a proxy, a crashed CMS): its last member
    # would be half a name ("Frankf") and the rest would be missing, so none of it is used
    if _HTML_OPEN.search(text[:_HEAD_WINDOW]) and not _HTML_CLOSE.search(text):
        raise ParseError(f"page looks cut short: it opens <html> but never closes it ({len(response.body)} bytes "
                         f"from {source_url(response)})")
    # lxml, never html.parser: the two split unclosed <li> differently (see docs/lessons.md)
    return BeautifulSoup(text, "lxml")


def json_of(response: FetchedResponse):
    try:
        return json.loads(decode_body(response))
    except ValueError as exc:
        raise ParseError(f"invalid JSON on {source_url(response)}: {exc}") from exc
    except RecursionError:  # [[[[...]]]] thousands deep: a hostile or broken answer, not a member list
        raise ParseError(f"JSON nested too deeply to read on {source_url(response)}") from None


def select_required(root, selector: str, response: FetchedResponse) -> list:
    """All elements matching selector; ParseError when there are none."""
    found = root.select(selector)
    if not found:
        raise ParseError(f"no element matches {selector!r} on {source_url(response)}")
    return found


def require_option(options: dict, key: str, parser: str, response: FetchedResponse):
    value = options.get(key)
    if value in (None, ""):
        raise ParseError(f"parser {parser} needs option {key!r} (parsing {source_url(response)})")
    return value


_TAG = re.compile(r"<[A-Za-z/!][^>]*>")
_SPACE = re.compile(r"\s+")
_LEADING_BULLETS = "•◦▪‣·*"


def clean_text(value) -> str:
    """Text without markup, entities, format/control characters or repeated whitespace."""
    if value is None:
        return ""
    text = str(value)
    # most cells of a table are plain: no entity, no markup, printable (no tab, newline or odd space), single
    # spaces, already NFC; for them the steps below change nothing but the ends (100,000-row files: 2x faster)
    if ("&" not in text and "<" not in text and "  " not in text and text.isprintable()
            and unicodedata.is_normalized("NFC", text)):
        return text.strip()
    text = html.unescape(text)  # first, so escaped markup ("&lt;b&gt;") is seen as markup too
    if _TAG.search(text):  # markup inside a text field, e.g. "<b>Berlin</b>" in JSON
        text = _joined_text(BeautifulSoup(text, "lxml"))
    # Cf: zero-width space, bidi overrides (U+202E), soft hyphen, BOM; Cc: stray control characters;
    # Cs: lone surrogates (from JSON "\ud800"), which no UTF-8 database or file can store
    if not text.isprintable():  # False for every Cf, Cc and Cs character: most names skip the loop below
        text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc", "Cs") or ch in "\t\n\r")
    # one spelling per name: "Malmö" typed as o + combining diaeresis is the same name as the precomposed one
    return unicodedata.normalize("NFC", _SPACE.sub(" ", text).strip())


# UTF-8 read as cp1252 somewhere upstream: "MÃ¼nchen", "Ã˜rsted", "â€“" (the marks the dbt test looks for)
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
                       "\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]|â€")


def repair_mojibake(text: str) -> str:
    """Undo one round of UTF-8-read-as-cp1252 when the text carries its marks and the bytes decode back."""
    if not _MOJIBAKE.search(text):
        return text
    try:
        return text.encode("cp1252").decode("utf-8")
    except UnicodeError:  # not a clean round trip: leave it for the dbt no_mojibake test to report
        return text


def clean_name(value) -> str:
    """A member name as published, minus markup, invisible characters, bullets and list punctuation."""
    text = repair_mojibake(clean_text(value)).lstrip(_LEADING_BULLETS).strip()
    return text.rstrip(",;").strip()


def optional_text(value) -> str | None:
    text = clean_text(value)
    return text or None


def _joined_text(element) -> str:
    """Text as a browser shows it: inline tags add nothing ("Malm<span>ö</span>"), <br> is a space, and
    scripts and styles are not text at all."""
    for hidden in element.find_all(("script", "style", "noscript", "template")):
        hidden.decompose()
    for br in element.find_all("br"):
        br.replace_with(" ")
    return element.get_text("")


def element_text(element) -> str:
    return clean_text(_joined_text(element)) if element is not None else ""


def map_role(text: str | None, options: dict) -> str:
    """Published role wording -> role vocabulary, via options.role_map; blank -> options.default_role."""
    default = options.get("default_role", "member")
    label = clean_text(text).casefold()
    if not label:
        return default
    role_map = {clean_text(k).casefold(): v for k, v in (options.get("role_map") or {}).items()}
    if label in role_map:
        return role_map[label]
    return label if label in ROLES else default


def map_kind(label: str | None, kind_map: dict | None) -> str | None:
    """Published type wording (e.g. "Landkreis") -> member_kind; unknown or unmapped -> None."""
    text = clean_text(label)
    if not text or not kind_map:
        return None
    folded = {clean_text(k).casefold(): v for k, v in kind_map.items()}
    return folded.get(text.casefold())


_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_ISO_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}")
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_MY = re.compile(r"^(\d{1,2})[./](\d{4})$")


def normalize_joined(value) -> str | None:
    """ISO date or year when the page uses a common numeric format; otherwise the text as published."""
    text = clean_text(value)
    if not text:
        return None
    if _ISO.match(text):
        return text
    if m := _ISO_DATETIME.match(text):
        return m.group(1)
    if m := _DMY.match(text):
        return f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
    if m := _MY.match(text):
        return f"{m.group(2)}-{int(m.group(1)):02d}"
    return text


def date_of(element) -> str | None:
    """A date from an element: its datetime attribute (<time>) if present, else its text."""
    if element is None:
        return None
    return normalize_joined(element.get("datetime") or _joined_text(element))


def dig(data, path: str | None):
    """Follow a dotted path ("data.members", "items.0.city") into nested dicts/lists; KeyError if absent."""
    if not path:
        return data
    current = data
    for part in str(path).split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.lstrip("-").isdigit() and -len(current) <= int(part) < len(current):
            current = current[int(part)]
        else:
            raise KeyError(part)
    return current


def dig_optional(data, path: str | None):
    if not path:
        return None
    try:
        return dig(data, path)
    except KeyError:
        return None
