"""Precision and recall on the gold set for the resolver and for plain exact matching (the baseline).

    python benchmarks/resolution_eval.py [--data-dir DIR] [--gold tests/gold/resolution_gold.csv]

Uses the gazetteer in DIR's working database (loaded first when missing). Prints both scores and every
remaining error of the resolver.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from warehouse.resolution.evaluation import (exact_baseline_answer, read_gold, resolver_answer,  # noqa: E402
                                             score)
from warehouse.resolution.store import open_resolver  # noqa: E402


def _typo(name: str) -> str:
    """One deterministic substitution in the middle of the name (a letter that is not there)."""
    i = len(name) // 2
    repl = "e" if name[i].lower() != "e" else "a"
    return name[:i] + repl + name[i + 1:]


def sweep(resolver, rows) -> None:
    """Precision/recall of fuzzy limits on gold names with a typo (and the gold set itself), and of the
    population margins on the gold set: the evidence for the defaults in resolver.Policy."""
    from dataclasses import replace

    from warehouse.resolution.evaluation import GoldRow
    from warehouse.resolution.resolver import Resolver

    typo_rows = [GoldRow(_typo(r.name), r.country_code, r.region, r.expected_geonameid, r.expected_kind,
                         "typo of " + r.name)
                 for r in rows if r.expected_geonameid is not None and len(r.country_code) == 2]
    negatives = [r for r in rows if r.expected_kind == "none"]
    print(f"\nfuzzy limits on {len(typo_rows)} typo'd gold names + {len(negatives)} gold negatives:")
    for min_length, long_key in ((4, 8), (5, 9), (6, 10), (7, 12), (99, 99)):
        policy = replace(resolver.policy, fuzzy_min_length=min_length, fuzzy_long_key=long_key)
        variant = Resolver(resolver.index, resolver.overrides, policy)
        s = score(typo_rows + negatives, resolver_answer(variant))
        g = score(rows, resolver_answer(variant))
        print(f"  min_length {min_length:2d} two edits from {long_key:2d}: typos precision {s.precision:.4f} "
              f"recall {s.recall:.4f} | gold precision {g.precision:.4f} recall {g.recall:.4f}")
    print("population margins on the gold set (country / region / world):")
    for rc, rr, rw in ((1.5, 2, 5), (2, 3, 5), (3, 3, 10), (3, 5, 10), (5, 10, 20)):
        policy = replace(resolver.policy, ratio_country=rc, ratio_region=rr, ratio_world=rw)
        g = score(rows, resolver_answer(Resolver(resolver.index, resolver.overrides, policy)))
        print(f"  {rc:>4} / {rr:>3} / {rw:>3}: precision {g.precision:.4f} recall {g.recall:.4f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="data directory (default $TCN_DATA_DIR or ./data)")
    parser.add_argument("--gold", default=str(REPO / "tests" / "gold" / "resolution_gold.csv"))
    parser.add_argument("--no-overrides", action="store_true", help="measure the rules alone")
    parser.add_argument("--sweep", action="store_true",
                        help="also measure the fuzzy limits and population margins on typo'd gold names")
    args = parser.parse_args(argv)
    from warehouse.paths import data_paths

    started = time.perf_counter()
    resolver = open_resolver(data_paths(args.data_dir).working_db,
                             overrides_path=Path("/dev/null") if args.no_overrides else None)
    rows = read_gold(Path(args.gold))
    ours = score(rows, resolver_answer(resolver))
    base = score(rows, exact_baseline_answer(resolver.index))
    print(f"gold rows {ours.rows} (answerable {ours.answerable}); {time.perf_counter() - started:.1f} s")
    for label, s in (("resolver", ours), ("exact baseline", base)):
        print(f"{label:15s} precision {s.precision:.4f} ({s.correct}/{s.answered})  "
              f"recall {s.recall:.4f} ({s.correct}/{s.answerable})")
    if args.sweep:
        sweep(resolver, rows)
    print("\nremaining resolver errors (wrong answers first, then misses):")
    for o in ours.errors():
        r = o.row
        got = o.geonameid if o.geonameid is not None else o.member_kind
        want = r.expected_geonameid if r.expected_geonameid is not None else r.expected_kind
        kind = "WRONG" if o.answered else "miss "
        print(f"  {kind} {r.name!r} [{r.country_code or r.region or '-'}] got {got} ({o.method}) want {want}"
              f"  # {r.note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
