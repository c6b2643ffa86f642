"""Every input row of a network's run accounted for: landed, merged into another row, or refused.

A parser reads rows and refuses some (a blank name); the rest are mentions. dbt then keeps one mention per
member of a network (int_member_observations: the same name key and country, first in fetch and page order)
and the others vanish from the marts. This module applies the same rule when the run is loaded, so each mention
that dbt will fold into another is recorded with the row it folds into and the values that differed (a second
join year, another phase): nothing is lost without a word. The key must stay the one dbt uses.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from warehouse.namekey import name_key

ACCOUNT_FIELDS = ("member_name", "country", "role", "joined", "left_on", "member_kind", "source_url", "attributes")
LANDED, MERGED, REFUSED = "landed", "merged", "refused"


@dataclass(frozen=True)
class FetchAccount:
    fetch_id: str
    rows_read: int
    rows_landed: int
    rows_merged: int
    rows_refused: int

    @property
    def unaccounted(self) -> int:
        return self.rows_read - self.rows_landed - self.rows_merged - self.rows_refused


def country_lookup(con) -> dict[str, str]:
    """Country name key -> ISO code, for keys that name one country only (as dbt's stg_country_names)."""
    return dict(con.execute(
        """SELECT name_key, min(country_code) FROM ref.country_names WHERE name_key <> ''
           GROUP BY name_key HAVING count(DISTINCT country_code) = 1""").fetchall())


@lru_cache(maxsize=4096)
def _country_key(text: str) -> str:  # a file names a few dozen countries, over and over
    return name_key(text)


def member_key(mention, countries: dict[str, str], network_country: str | None) -> tuple[str, str]:
    """(name key, country code) as int_member_observations partitions a network's mentions."""
    stated = countries.get(_country_key(mention.country)) if mention.country else None
    return name_key(mention.member_name), (stated or (network_country or "").upper())


def _row_number(mention, position: int) -> int:
    return mention.row if mention.row is not None else position + 1


def _differing(kept, merged) -> dict:
    out = {}
    for name in ACCOUNT_FIELDS:
        a, b = getattr(kept, name), getattr(merged, name)
        if a != b:
            out[name] = {"kept": a, "this_row": b}
    return out


def account_network(run_id: str, network_id: str, fetches: list[tuple[str, object]],
                    countries: dict[str, str], network_country: str | None) -> tuple[list[FetchAccount], list[list]]:
    """Counts per fetch and one detail row per merged or refused input row of one network's run.

    `fetches`: (fetch_id, FetchRecord) in the order dbt reads them (fetched_at, fetch_id); only records that
    parsed are given. Detail rows: fetch_id, run_id, network_id, row, outcome, member_name, reason,
    merged_into_fetch_id, merged_into_row, differing (JSON), cells (JSON)."""
    first: dict[tuple[str, str], tuple[str, int, object]] = {}
    accounts, details = [], []
    for fetch_id, record in fetches:
        landed = merged = 0
        for position, mention in enumerate(record.mentions):
            key = member_key(mention, countries, network_country)
            row = _row_number(mention, position)
            kept = first.get(key)
            if kept is None:
                first[key] = (fetch_id, row, mention)
                landed += 1
                continue
            merged += 1
            kept_fetch, kept_row, kept_mention = kept
            country = f", country {key[1]}" if key[1] else ""
            details.append([fetch_id, run_id, network_id, row, MERGED, mention.member_name,
                            f"same member as row {kept_row} ({kept_mention.member_name!r}{country})",
                            kept_fetch, kept_row, json.dumps(_differing(kept_mention, mention), ensure_ascii=False),
                            None])
        for refused in record.refused:
            details.append([fetch_id, run_id, network_id, refused.row, REFUSED, None, refused.reason, None, None,
                            None, json.dumps(refused.cells, ensure_ascii=False)])
        rows_read = record.rows_read if record.rows_read is not None else len(record.mentions)
        accounts.append(FetchAccount(fetch_id, rows_read, landed, merged, len(record.refused)))
    return accounts, details
