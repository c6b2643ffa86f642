"""What the `auto` parser needs to know about places, without knowing where that knowledge lives.

The gazetteer belongs to the warehouse, which scrapers must not import: the warehouse hands an object with
these two methods to the collector (warehouse/place_recogniser.py), and tests can hand in their own.
"""
from __future__ import annotations

from typing import Protocol


class PlaceRecogniser(Protocol):
    def is_place(self, name: str, country: str | None, network_country: str | None) -> bool:
        """Whether `name` (with the country printed beside it, else the network's) is a place or a local
        government the gazetteer knows."""
        ...

    def country_code(self, text: str) -> str | None:
        """The ISO code when `text` is a country's name or code, else None."""
        ...
