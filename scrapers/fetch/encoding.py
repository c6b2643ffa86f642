"""Pick the charset for a body: HTTP charset -> BOM -> <meta charset> -> utf-8.

requests guesses ISO-8859-1 for text/html without a charset, which turns UTF-8 names into mojibake;
this order follows what browsers do closely enough for member lists.
"""
from __future__ import annotations

import codecs
import re
from email.message import Message

# The codecs named here read and drop the BOM themselves, so text() does not start with U+FEFF.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
_META_WINDOW = 4096  # browsers look for <meta charset> in the first 1024 bytes; allow some slack
# Browsers decode these labels as windows-1252 (WHATWG Encoding), and real pages rely on it.
_BROWSER_ALIASES = {"latin-1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252"}


def _known(label: str | None) -> str | None:
    """Python's canonical codec name for a label, or None if Python does not know it."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return _BROWSER_ALIASES.get(name, name)


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    return _known(message.get_param("charset"))


def detect_encoding(content_type: str | None, body: bytes) -> str:
    """The charset to decode `body` with; always a name `bytes.decode` accepts."""
    from_header = charset_from_content_type(content_type)
    if from_header:
        return from_header
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    match = _META_CHARSET.search(body[:_META_WINDOW])
    if match:
        from_meta = _known(match.group(1).decode("ascii", "ignore"))
        if from_meta:
            return from_meta
    return "utf-8"
