"""The place recogniser the scrapers' `auto` parser is handed: the pipeline's own resolver over the gazetteer.

A name counts as recognised when the resolver ties it to a GeoNames place, a municipality, an
administrative division (county, province, state) or a district; associations and unknown names do not
count, so a list of headlines or menu entries scores low.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.resolution.countries import parse_country
from warehouse.resolution.resolver import Resolver

RECOGNISED_DENOTES = frozenset({"place", "municipality", "administrative_unit", "part_of_city"})
# English names pages still print for countries GeoNames now calls otherwise
FORMER_NAMES = {"cape verde": "CV", "swaziland": "SZ", "burma": "MM"}


@dataclass
class ResolverPlaces:
    resolver: Resolver

    def is_place(self, name: str, country: str | None, network_country: str | None) -> bool:
        if not name or len(name) > 120:
            return False
        decision = self.resolver.resolve(name, country, network_country)
        return decision.resolved or decision.denotes in RECOGNISED_DENOTES

    def country_code(self, text: str) -> str | None:
        if not text or len(text) > 60:
            return None
        by_key = self.resolver.index.country_by_key
        # GeoNames keys some countries with their article ("the netherlands"); pages mostly print them without
        return (parse_country(text, by_key) or parse_country(f"the {text}", by_key)
                or FORMER_NAMES.get(text.strip().casefold()))


def open_places(db_path: Path) -> ResolverPlaces:
    """A recogniser over the working database's gazetteer (loaded first when the database has none)."""
    from warehouse.resolution.store import open_resolver

    return ResolverPlaces(open_resolver(db_path))


@dataclass
class LazyPlaces:
    """Opens the resolver (about 2 s) the first time a page needs it: a run of fixed selectors never does."""
    db_path: Path
    _places: ResolverPlaces | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _get(self) -> ResolverPlaces:
        with self._lock:
            if self._places is None:
                self._places = open_places(self.db_path)
            return self._places

    def is_place(self, name: str, country: str | None, network_country: str | None) -> bool:
        return self._get().is_place(name, country, network_country)

    def country_code(self, text: str) -> str | None:
        return self._get().country_code(text)
