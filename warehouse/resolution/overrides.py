"""Manual decisions that win over everything: overrides.csv (name, country, geonameid or member_kind, note).

`country` is an ISO2 code or blank (the override then applies whatever the country); the name is matched
on its name key, so case and accents do not matter. Editing the file changes the resolver version, so the
pipeline re-resolves every member on its next run.
"""
from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from warehouse.namekey import name_key
from warehouse.resolution.kinds import NON_CITY_KINDS

DEFAULT_OVERRIDES = Path(__file__).with_name("overrides.csv")


@dataclass(frozen=True)
class Override:
    geonameid: int | None
    member_kind: str
    note: str


@dataclass(frozen=True)
class Overrides:
    entries: dict[tuple[str, str], Override]
    digest: str  # of the file's bytes: part of the resolver version

    def find(self, name: str, country_code: str | None) -> Override | None:
        key = name_key(name)
        return self.entries.get((key, country_code or "")) or self.entries.get((key, ""))


def load_overrides(path: Path | None = None) -> Overrides:
    path = Path(path or DEFAULT_OVERRIDES)
    data = path.read_bytes() if path.exists() else b""
    entries: dict[tuple[str, str], Override] = {}
    rows = csv.DictReader(data.decode("utf-8-sig").splitlines()) if data else []
    for line, row in enumerate(rows, start=2):
        name, country = (row.get("name") or "").strip(), (row.get("country") or "").strip().upper()
        gid, kind = (row.get("geonameid") or "").strip(), (row.get("member_kind") or "").strip()
        if not name_key(name):
            raise ValueError(f"{path}:{line}: override without a name")
        if not gid and not kind:
            raise ValueError(f"{path}:{line}: override for {name!r} needs a geonameid or a member_kind")
        if gid and not gid.isdigit():
            raise ValueError(f"{path}:{line}: geonameid {gid!r} for {name!r} is not a number")
        if kind and kind not in ("city", *NON_CITY_KINDS):
            raise ValueError(f"{path}:{line}: unknown member_kind {kind!r} for {name!r}")
        if gid and kind and kind != "city":
            raise ValueError(f"{path}:{line}: {name!r}: a geonameid goes with member_kind city (or blank)")
        entries[(name_key(name), country)] = Override(int(gid) if gid else None, kind or "city",
                                                      (row.get("note") or "").strip())
    return Overrides(entries, hashlib.sha256(data).hexdigest()[:12])
