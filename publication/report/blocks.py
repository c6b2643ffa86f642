"""The page's building blocks besides charts: a table and a section grouping charts and tables."""
from __future__ import annotations

from dataclasses import dataclass, field

from publication.report.figures import Chart


@dataclass
class Table:
    title: str
    caption: str
    headers: list[str]
    rows: list[list]  # cells are plain values; the page escapes them
    empty_note: str = "none"


@dataclass
class Section:
    section_id: str
    title: str
    items: list[Chart | Table] = field(default_factory=list)
    intro: str = ""
