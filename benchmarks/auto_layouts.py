"""Recall and precision of the auto parser's best candidate on pages in layouts it was not written for.

    .venv/bin/python -m benchmarks.auto_layouts [--data-dir DIR] [--seeds 2]

Pages are generated from the bundled member lists (tests/helpers/layouts.py: cards, table, bullets, script,
paginated, and the bundled snapshots restyled into tables) and served by a loopback HTTP server; each is read
as `tcn probe URL` reads it. Prints, per layout, pages, mean and minimum recall and precision, and the pages
below 0.9 recall or 0.95 precision.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from scrapers.fetch import make_fetcher
from scrapers.probe import fetch_pages, merged_candidates
from scrapers.registry import load_registry
from tests.helpers.loopback import LoopbackServer, Reply
from tests.helpers.layouts import LAYOUTS, generate, networks_with_lists, scores, snapshot_tables
from warehouse.paths import data_paths
from warehouse.place_recogniser import open_places


def measure(page, places, network) -> tuple[float, float]:
    routes = {path: Reply(200, {"Content-Type": "text/html; charset=utf-8"}, body.encode("utf-8"))
              for path, body in page.pages.items()}
    with LoopbackServer(routes) as server:
        fetcher = make_fetcher("live", delay=0.0, jitter=0.0, trust_env=False, retries=0, read_timeout=5)
        try:
            pages = fetch_pages(server.url(page.entry), fetcher)
        finally:
            fetcher.close()
    ranked = merged_candidates(pages, places, network.stated_member_count, network.country_code)
    found = [m.name for m in ranked[0].members] if ranked else []
    return scores(found, page.expected)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="data dir whose working database holds the gazetteer")
    parser.add_argument("--seeds", type=int, default=1, help="pages per network and layout (class names differ)")
    args = parser.parse_args()
    places = open_places(Path(data_paths(args.data_dir).working_db))
    registry = load_registry()
    results: dict[str, list[tuple[str, float, float]]] = {}
    started = time.perf_counter()
    for seed in range(args.seeds):
        for layout in LAYOUTS:
            for network_id in networks_with_lists():
                page = generate(network_id, layout, seed)
                recall, precision = measure(page, places, registry.get(network_id))
                results.setdefault(layout, []).append((network_id, recall, precision))
        for page in snapshot_tables(seed):
            recall, precision = measure(page, places, registry.get(page.network_id))
            results.setdefault("snapshot_table", []).append((page.network_id, recall, precision))
    print(f"{'layout':<16} {'pages':>5} {'recall':>7} {'min':>6} {'precision':>9} {'min':>6}  below target")
    for layout, rows in results.items():
        recalls, precisions = [r for _, r, _ in rows], [p for _, _, p in rows]
        below = [f"{n} ({r:.2f}/{p:.2f})" for n, r, p in rows if r < 0.9 or p < 0.95]
        print(f"{layout:<16} {len(rows):>5} {sum(recalls) / len(rows):>7.3f} {min(recalls):>6.2f} "
              f"{sum(precisions) / len(rows):>9.3f} {min(precisions):>6.2f}  {', '.join(below) or '-'}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
