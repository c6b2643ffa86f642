"""Rewrite the generated part of a hand-written doc: the text between two marker lines."""
from __future__ import annotations

from pathlib import Path


def replace_section(doc: Path, begin: str, end: str, body: str, title: str) -> Path:
    """Put `body` between the `begin` and `end` markers of `doc` (markers appended, or the doc created with
    `title`, when missing); the text around them is kept as written."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else f"# {title}\n\n{begin}\n{end}\n"
    if begin not in text or end not in text:
        text = text.rstrip("\n") + f"\n\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(f"{head}{begin}\n{body}\n{end}{tail}", encoding="utf-8")
    return doc
