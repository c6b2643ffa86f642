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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="data directory (default $TCN_DATA_DIR or ./data)")
    parser.add_argument("--gold", default=str(REPO / "tests" / "gold" / "resolution_gold.csv"))
    parser.add_argument("--no-overrides", action="store_true", help="measure the rules alone")
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
