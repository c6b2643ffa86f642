"""The one name-key function: gazetteer names and member names are matched on its output.

Keys fold everything that does not distinguish two places: Unicode form, case, script (transliterated to
ASCII), punctuation, format characters and repeated whitespace. Change NAME_KEY_VERSION whenever the output
changes, so the gazetteer's keys are rebuilt.
"""
from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

NAME_KEY_VERSION = "1"

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def _drop_format_chars(text: str) -> str:
    # Cf = format characters: zero-width spaces and joiners, bidi overrides, soft hyphens.
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def name_key(text: str | None) -> str:
    """Match key of a place or member name; '' when nothing is left."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", _drop_format_chars(text)).casefold()
    ascii_text = anyascii(folded).lower()
    return _NON_ALNUM.sub(" ", ascii_text).strip()
