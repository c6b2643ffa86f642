"""Precision and recall of a resolver on a hand-checked gold set (tests/gold/resolution_gold.csv).

A row expects a GeoNames id, a non-city member kind (the member must not be resolved to a place), or
`none` (nothing in the gazetteer is this member: any answer is wrong).
  answered  the resolver gave a place, or claimed a non-city kind
  correct   the place is the expected one, or the claimed kind is the expected kind
  precision = correct / answered        recall = correct / rows expecting a place or a kind
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from warehouse.namekey import name_key
from warehouse.resolution.kinds import NON_CITY_KINDS


@dataclass(frozen=True)
class GoldRow:
    name: str
    country_code: str
    region: str
    expected_geonameid: int | None
    expected_kind: str  # '' when a place is expected; a non-city kind; or 'none'
    note: str


@dataclass(frozen=True)
class Outcome:
    row: GoldRow
    geonameid: int | None
    member_kind: str
    method: str

    @property
    def answered(self) -> bool:
        return self.geonameid is not None or self.member_kind in NON_CITY_KINDS

    @property
    def correct(self) -> bool:
        if self.row.expected_geonameid is not None:
            return self.geonameid == self.row.expected_geonameid
        if self.row.expected_kind in NON_CITY_KINDS:
            return self.geonameid is None and self.member_kind == self.row.expected_kind
        return False  # expected none: answering is never right, abstaining is not counted


@dataclass(frozen=True)
class Scores:
    rows: int
    answerable: int
    answered: int
    correct: int
    outcomes: list[Outcome]

    @property
    def precision(self) -> float:
        return self.correct / self.answered if self.answered else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.answerable if self.answerable else 0.0

    def errors(self) -> list[Outcome]:
        """Wrong answers (precision) first, then expected answers not given (recall)."""
        wrong = [o for o in self.outcomes if o.answered and not o.correct]
        missed = [o for o in self.outcomes if not o.answered and o.row.expected_kind != "none"]
        return wrong + missed


def read_gold(path: Path) -> list[GoldRow]:
    with Path(path).open(encoding="utf-8", newline="") as f:
        return [GoldRow(r["name"], r["country_code"], r["region"],
                        int(r["expected_geonameid"]) if r["expected_geonameid"] else None,
                        r["expected_member_kind"], r["note"]) for r in csv.DictReader(f)]


def score(rows: list[GoldRow], resolve: Callable[[GoldRow], tuple[int | None, str, str]]) -> Scores:
    outcomes = [Outcome(row, *resolve(row)) for row in rows]
    answerable = sum(1 for r in rows if r.expected_geonameid is not None or r.expected_kind in NON_CITY_KINDS)
    return Scores(len(rows), answerable, sum(o.answered for o in outcomes), sum(o.correct for o in outcomes),
                  outcomes)


def resolver_answer(resolver) -> Callable[[GoldRow], tuple[int | None, str, str]]:
    def answer(row: GoldRow):
        d = resolver.resolve(row.name, row.country_code or None, network_region=row.region or None)
        return d.geonameid, d.member_kind, d.method
    return answer


def exact_baseline_answer(index, world_ratio: float = 10.0) -> Callable[[GoldRow], tuple[int | None, str, str]]:
    """Plain exact matching, as the walking skeleton did in SQL: the name key equals a place name key in the
    stated country (gazetteer country aliases only), the most populous wins; without a country the most
    populous place anywhere, by `world_ratio` over the next."""
    def answer(row: GoldRow):
        cc = index.country_by_key.get(name_key(row.country_code)) if row.country_code else None
        found = index.lookup(name_key(row.name), frozenset({cc}) if cc else None)
        if row.country_code and not cc:
            found = []
        ranked = sorted((p for p, _ in found), key=lambda p: (-p.population, p.geonameid))
        if not ranked:
            return None, "unknown", "unresolved"
        if cc or len(ranked) == 1 or (ranked[0].population > 0
                                      and ranked[0].population >= world_ratio * ranked[1].population):
            return ranked[0].geonameid, "city", "exact"
        return None, "unknown", "unresolved"
    return answer


def read_split(path: Path, split: str | None) -> list[GoldRow]:
    """Gold rows of one split ('dev', 'heldout'); all rows when `split` is None or the file has no split."""
    with Path(path).open(encoding="utf-8", newline="") as f:
        raw = list(csv.DictReader(f))
    keep = [r for r in raw if split is None or r.get("split", split) == split]
    return [GoldRow(r["name"], r["country_code"], r["region"],
                    int(r["expected_geonameid"]) if r["expected_geonameid"] else None,
                    r["expected_member_kind"], r["note"]) for r in keep]


def answer_label(o: Outcome) -> str:
    """The method that produced an answer; a claimed non-city kind counts as 'kind'."""
    if o.geonameid is None and o.member_kind in NON_CITY_KINDS:
        return "kind"
    return o.method


def by_method(s: Scores) -> dict[str, tuple[int, int]]:
    """method -> (answered, correct)."""
    out: dict[str, list[int]] = {}
    for o in s.outcomes:
        if o.answered:
            entry = out.setdefault(answer_label(o), [0, 0])
            entry[0] += 1
            entry[1] += o.correct
    return {k: (a, c) for k, (a, c) in sorted(out.items())}


def by_country(s: Scores) -> dict[str, tuple[int, int, int]]:
    """country code -> (answerable, answered, correct)."""
    out: dict[str, list[int]] = {}
    for o in s.outcomes:
        entry = out.setdefault(o.row.country_code or o.row.region or "-", [0, 0, 0])
        entry[0] += o.row.expected_geonameid is not None or o.row.expected_kind in NON_CITY_KINDS
        entry[1] += o.answered
        entry[2] += o.correct
    return {k: tuple(v) for k, v in sorted(out.items(), key=lambda kv: -kv[1][0])}


# -- the domain gold (tests/gold/domain_gold.csv): local governments and names without a country -----------

@dataclass(frozen=True)
class DomainRow:
    name: str
    country_code: str
    region: str
    expected_geonameid: int | None
    expected_admin: int | None
    expected_kind: str    # '' a place; municipality (a division, no town); county/state/region; none
    member_class: str     # local_government | county | place | no_country
    label_country: str
    split: str
    stated_kind: str = ""  # the kind the page states ("state" in a list of sanctuary jurisdictions)


@dataclass(frozen=True)
class DomainOutcome:
    row: DomainRow
    geonameid: int | None
    admin: int | None
    member_kind: str
    method: str

    @property
    def answerable(self) -> bool:
        return self.row.expected_kind != "none"

    @property
    def answered(self) -> bool:
        """A town, a division, or a non-city kind; a division given for a 'none' row is not scored."""
        if self.geonameid is not None or self.member_kind in NON_CITY_KINDS:
            return True
        return self.admin is not None and self.answerable

    @property
    def correct(self) -> bool:
        r = self.row
        if r.expected_geonameid is not None:
            return self.geonameid == r.expected_geonameid and (r.expected_admin is None or self.admin in
                                                              (None, r.expected_admin))
        if r.expected_kind == "municipality":
            return self.geonameid is None and self.admin is not None and (r.expected_admin is None
                                                                          or self.admin == r.expected_admin)
        if r.expected_kind in NON_CITY_KINDS:
            return self.geonameid is None and self.member_kind == r.expected_kind
        return False


def read_domain_gold(path: Path, split: str | None = None) -> list[DomainRow]:
    def num(text: str) -> int | None:
        return int(text) if text else None

    with Path(path).open(encoding="utf-8", newline="") as f:
        return [DomainRow(r["name"], r["country_code"], r["region"], num(r["expected_geonameid"]),
                          num(r["expected_admin_geonameid"]), r["expected_member_kind"], r["member_class"],
                          r["label_country"], r["split"], r.get("stated_kind", ""))
                for r in csv.DictReader(f) if split is None or r["split"] == split]


def score_domain(rows: list[DomainRow], resolver) -> list[DomainOutcome]:
    out = []
    for row in rows:
        d = resolver.resolve(row.name, row.country_code or None, network_region=row.region or None,
                             stated_kind=row.stated_kind or None)
        out.append(DomainOutcome(row, d.geonameid, d.admin_geonameid, d.member_kind, d.method))
    return out


def domain_table(outcomes: list[DomainOutcome], group) -> dict[str, tuple[int, int, int]]:
    """group -> (answerable, answered, correct)."""
    table: dict[str, list[int]] = {}
    for o in outcomes:
        entry = table.setdefault(group(o), [0, 0, 0])
        entry[0] += o.answerable
        entry[1] += o.answered
        entry[2] += o.answered and o.correct
    return {k: tuple(v) for k, v in sorted(table.items(), key=lambda kv: -kv[1][0])}
