"""The one name-key function: gazetteer names and member names are matched on its output.

Keys fold everything that does not distinguish two places: Unicode form, case, script (transliterated to
ASCII), punctuation, format characters and repeated whitespace. Change NAME_KEY_VERSION whenever the output
changes, so the gazetteer's keys are rebuilt.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache

from anyascii import anyascii

NAME_KEY_VERSION = "1"

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1)
def _format_chars() -> dict[int, None]:
    # Cf = format characters: zero-width spaces and joiners, bidi overrides, soft hyphens (a translate
    # table: the gazetteer keys about a million strings, a per-character category test took half the time)
    return {cp: None for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Cf"}


def _drop_format_chars(text: str) -> str:
    return text.translate(_format_chars())


def name_key(text: str | None) -> str:
    """Match key of a place or member name; '' when nothing is left."""
    if not text:
        return ""
    if text.isascii():  # NFKC, casefold and transliteration leave ASCII text as it is (same key, faster)
        return _NON_ALNUM.sub(" ", text.lower()).strip()
    folded = unicodedata.normalize("NFKC", _drop_format_chars(text)).casefold()
    ascii_text = anyascii(folded).lower()
    return _NON_ALNUM.sub(" ", ascii_text).strip()
