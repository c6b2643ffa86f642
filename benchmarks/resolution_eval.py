"""Precision and recall on the gold sets for the resolver and for plain exact matching (the baseline).

    python benchmarks/resolution_eval.py [--data-dir DIR] [--gold FILE] [--sweep] [--errors]

Uses the gazetteer in DIR's working database (loaded first when missing). Two golds:
  tests/gold/resolution_gold.csv     the reference lists the rules were built on (713 rows)
  tests/gold/independent_gold.csv    an independent list (French "Petites villes de demain" members and
                                     their intercommunal bodies, tests/gold/build_independent_gold.py),
                                     split dev / held-out: rules may only be tuned on dev
Prints precision and recall overall, per method and per country, for every gold and split; answers given
on names absent from the gazetteer (tests/gold/independent_absent.csv); --sweep the fuzzy calibration;
--errors every remaining error of the resolver.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from warehouse.resolution.evaluation import (by_country, by_method, exact_baseline_answer,  # noqa: E402
                                             read_gold, read_split, resolver_answer, score)
from warehouse.resolution.store import open_resolver  # noqa: E402


ABSENT_PER_TYPO = 10  # a cautious mix: the issue's researchers' lists held ~8 % absent names, typos far fewer


def _typo(name: str) -> str:
    """One deterministic substitution in the middle of the name (a letter that is not there)."""
    i = len(name) // 2
    repl = "e" if name[i].lower() != "e" else "a"
    return name[:i] + repl + name[i + 1:]


def sweep(resolver, rows, absent) -> None:
    """Fuzzy limits on typo'd dev names (positives) against names absent from the gazetteer (negatives), and
    population margins on the dev split: the evidence for the defaults in resolver.Policy / fuzzy.py."""
    from dataclasses import replace

    from warehouse.resolution.evaluation import GoldRow
    from warehouse.resolution.resolver import Resolver

    typo_rows = [GoldRow(_typo(r.name), r.country_code, r.region, r.expected_geonameid, r.expected_kind,
                         "typo of " + r.name)
                 for r in rows if r.expected_geonameid is not None and len(r.country_code) == 2]
    print(f"\nfuzzy limits on {len(typo_rows)} typo'd dev names + {len(absent)} names absent from the gazetteer"
          " (fuzzy answers only: answered, correct, precision):")
    for min_length, long_key, min_pop in ((6, 10, 0), (6, 99, 0), (7, 99, 0), (8, 99, 0), (8, 99, 2_000),
                                          (8, 99, 5_000), (9, 99, 5_000), (10, 99, 10_000)):
        policy = replace(resolver.policy, fuzzy=True, fuzzy_min_length=min_length, fuzzy_long_key=long_key,
                         fuzzy_min_population=min_pop)
        variant = Resolver(resolver.index, resolver.overrides, policy)
        s = score(typo_rows + absent, resolver_answer(variant))
        fz = [o for o in s.outcomes if o.method == "fuzzy"]
        ok = sum(o.correct for o in fz)
        wrong_typo = sum(1 for o in fz if not o.correct and o.row.expected_kind != "none")
        wrong_absent = sum(1 for o in fz if o.row.expected_kind == "none")
        # What precision that means on a real member list depends on how many absent names it holds per
        # typo. Absent names are common (merged communes, municipalities GeoNames lists only as units,
        # places under 500, bodies no marker reveals), typos rare: at ABSENT_PER_TYPO absent names per typo,
        # with the absent-name false-positive rate bounded above by the rule of three when none was seen
        hit = ok / len(typo_rows)
        fp_rate = max(wrong_absent, 3) / len(absent)
        implied = hit / (hit + wrong_typo / len(typo_rows) + ABSENT_PER_TYPO * fp_rate)
        print(f"  min_length {min_length:2d} two edits from {long_key:2d} min population {min_pop:6d}: "
              f"fuzzy {len(fz):4d} answered, {ok:4d} correct (typo recall {hit:.3f}), wrong {wrong_typo} on typos,"
              f" {wrong_absent} on absent names; precision here {ok / len(fz) if fz else 1:.4f}, "
              f"at {ABSENT_PER_TYPO} absent names per typo at most {implied:.3f}")
    print("population margins on the dev split (country / region / world):")
    for rc, rr, rw in ((1.5, 2, 5), (2, 3, 5), (3, 3, 10), (5, 5, 10), (10, 10, 20)):
        policy = replace(resolver.policy, ratio_country=rc, ratio_region=rr, ratio_world=rw)
        g = score(rows, resolver_answer(Resolver(resolver.index, resolver.overrides, policy)))
        print(f"  {rc:>4} / {rr:>3} / {rw:>3}: precision {g.precision:.4f} recall {g.recall:.4f}")


def report(label: str, rows, resolver, show_errors: bool) -> None:
    ours = score(rows, resolver_answer(resolver))
    base = score(rows, exact_baseline_answer(resolver.index))
    print(f"\n== {label}: {ours.rows} rows (answerable {ours.answerable})")
    for name, s in (("resolver", ours), ("exact baseline", base)):
        print(f"  {name:15s} precision {s.precision:.4f} ({s.correct}/{s.answered})  "
              f"recall {s.recall:.4f} ({s.correct}/{s.answerable})")
    print("  per method (answered, correct, precision):")
    for method, (answered, correct) in by_method(ours).items():
        print(f"    {method:9s} {answered:5d} {correct:5d}  {correct / answered:.4f}")
    print("  per country (answerable, answered, correct, precision, recall):")
    for cc, (answerable, answered, correct) in list(by_country(ours).items())[:25]:
        print(f"    {cc:12.12s} {answerable:5d} {answered:5d} {correct:5d}  "
              f"{correct / answered if answered else 1:.4f}  {correct / answerable if answerable else 0:.4f}")
    errors = ours.errors()
    wrong = sum(1 for o in errors if o.answered)
    print(f"  errors: {wrong} wrong answers, {len(errors) - wrong} misses")
    for o in errors if show_errors else [o for o in errors if o.answered]:
        r = o.row
        got = o.geonameid if o.geonameid is not None else o.member_kind
        want = r.expected_geonameid if r.expected_geonameid is not None else r.expected_kind
        kind = "WRONG" if o.answered else "miss "
        print(f"    {kind} {r.name!r} [{r.country_code or r.region or '-'}] got {got} ({o.method}) want {want}"
              f"  # {r.note}")


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.4f}" if b else "  -   "


def domain_report(resolver, show_errors: bool) -> None:
    from warehouse.resolution.evaluation import domain_table, read_domain_gold, score_domain

    path = REPO / "tests" / "gold" / "domain_gold.csv"
    for split in ("dev", "heldout"):
        outcomes = score_domain(read_domain_gold(path, split), resolver)
        total = domain_table(outcomes, lambda o: "all")["all"]
        print(f"\n== domain gold (local governments, names without a country), {split} split: {len(outcomes)} rows")
        print(f"  resolver precision {_ratio(total[2], total[1])} ({total[2]}/{total[1]})  "
              f"recall {_ratio(total[2], total[0])} ({total[2]}/{total[0]})")
        for label, group in (("member class", lambda o: o.row.member_class),
                             ("country", lambda o: o.row.label_country if o.row.member_class != "no_country"
                              else "(no country)"),
                             ("method", lambda o: "kind" if o.geonameid is None and o.answered and o.admin is None
                              else "division" if o.geonameid is None and o.answered else o.method)):
            print(f"  per {label} (answerable, answered, correct, precision, recall):")
            for k, (answerable, answered, correct) in domain_table(outcomes, group).items():
                print(f"    {k:18.18s} {answerable:4d} {answered:4d} {correct:4d}  {_ratio(correct, answered)}  "
                      f"{_ratio(correct, answerable)}")
        for o in outcomes:
            if (o.answered and not o.correct) or (show_errors and o.answerable and not o.answered):
                r = o.row
                print(f"    {'WRONG' if o.answered else 'miss '} {r.name!r} [{r.country_code or r.region}] got "
                      f"{o.geonameid}/{o.admin}/{o.member_kind} ({o.method}) want "
                      f"{r.expected_geonameid}/{r.expected_admin}/{r.expected_kind}")


def no_country_report(resolver) -> None:
    """The dominance rule's precision: gold names whose place is known, resolved with the country removed."""
    from warehouse.resolution.evaluation import read_domain_gold

    gold_dir = REPO / "tests" / "gold"
    sets = {"reference gold": [(r.name, r.expected_geonameid) for r in read_gold(gold_dir / "resolution_gold.csv")],
            "independent gold (dev)": [(r.name, r.expected_geonameid)
                                       for r in read_split(gold_dir / "independent_gold.csv", "dev")],
            "domain gold": [(r.name, r.expected_geonameid) for r in read_domain_gold(gold_dir / "domain_gold.csv")]}
    from dataclasses import replace

    from warehouse.resolution.resolver import Resolver

    never = 10 ** 12  # the same resolver without the dominance rule: what the rule alone answers
    without = Resolver(resolver.index, resolver.overrides,
                       replace(resolver.policy, dominance_min_population=never, dominance_big_population=never))
    print("\n== names with the country removed (no country, no region): answered, correct, precision, recall;"
          " then the answers the dominance rule alone adds")
    for label, pairs in sets.items():
        pairs = [(n, g) for n, g in pairs if g is not None]
        answered = correct = rule_answered = rule_correct = 0
        rule_wrong = []
        for name, gid in pairs:
            d = resolver.resolve(name)
            if d.geonameid is not None:
                answered += 1
                correct += d.geonameid == gid
                if without.resolve(name).geonameid is None:
                    rule_answered += 1
                    rule_correct += d.geonameid == gid
                    if d.geonameid != gid:
                        rule_wrong.append(f"{name} ({d.matched_country})")
        print(f"  {label:24s} {len(pairs):5d} names: {answered:5d} answered, {correct:5d} correct, "
              f"precision {_ratio(correct, answered)}, recall {_ratio(correct, len(pairs))}; dominance rule "
              f"{rule_answered} answered, {rule_correct} correct ({_ratio(rule_correct, rule_answered)})"
              + (f", wrong: {', '.join(rule_wrong)}" if rule_wrong else ""))


def region_only_report(resolver) -> None:
    """Names of a national list written without a country in a European network: the independent gold's
    dev names with the region Europe instead of their country (French and Italian small towns and their
    namesakes across Europe)."""
    from warehouse.resolution.evaluation import GoldRow

    rows = [GoldRow(r.name, "", "Europe", r.expected_geonameid, r.expected_kind, r.note)
            for r in read_split(REPO / "tests" / "gold" / "independent_gold.csv", "dev") if r.expected_geonameid]
    s = score(rows, resolver_answer(resolver))
    print(f"\n== independent gold (dev) with the region Europe instead of the country: {s.rows} names, "
          f"precision {s.precision:.4f} ({s.correct}/{s.answered}), recall {s.recall:.4f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="data directory (default $TCN_DATA_DIR or ./data)")
    parser.add_argument("--gold", default=None, help="one gold file only (default: both golds)")
    parser.add_argument("--no-overrides", action="store_true", help="measure the rules alone")
    parser.add_argument("--sweep", action="store_true",
                        help="also measure the fuzzy limits and population margins (on the dev split)")
    parser.add_argument("--errors", action="store_true", help="list misses too, not only wrong answers")
    args = parser.parse_args(argv)
    from warehouse.paths import data_paths

    started = time.perf_counter()
    resolver = open_resolver(data_paths(args.data_dir).working_db,
                             overrides_path=Path("/dev/null") if args.no_overrides else None)
    gold_dir = REPO / "tests" / "gold"
    print(f"resolver {resolver.version}; gazetteer read in {time.perf_counter() - started:.1f} s")
    if args.gold:
        report(args.gold, read_gold(Path(args.gold)), resolver, args.errors)
        return 0
    report("reference gold (rules built on it)", read_gold(gold_dir / "resolution_gold.csv"), resolver, args.errors)
    independent = gold_dir / "independent_gold.csv"
    for split in ("dev", "heldout"):
        report(f"independent gold, {split} split", read_split(independent, split), resolver, args.errors)
    domain_report(resolver, args.errors)
    no_country_report(resolver)
    region_only_report(resolver)
    absent = read_split(gold_dir / "independent_absent.csv", None)
    s = score(absent, resolver_answer(resolver))
    answered = [o for o in s.outcomes if o.answered]
    print(f"\n== names absent from the gazetteer: {len(absent)} rows, {len(answered)} answered (each needs a look)")
    for o in answered:
        print(f"    {o.row.name!r} got {o.geonameid or o.member_kind} ({o.method})  # {o.row.note}")
    if args.sweep:
        sweep(resolver, read_split(independent, "dev"), absent)
    print(f"\ntotal {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
