"""Simulated live run: N networks on N loopback hosts, each a paginated listing behind 50 ms of latency.

Prints the wall time of a real `scrape_run` in live mode (robots.txt, per-host delay, retries, real HTTP)
against the sum of the per-host politeness delays. Hosts are collected in parallel, so the wall time should
be close to the slowest single host, not the sum.

    python -m benchmarks.live_politeness [--hosts 6] [--pages 4] [--delay 0.5] [--latency 0.05]
"""
from __future__ import annotations

import argparse
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from scrapers.fetch import make_fetcher
from scrapers.registry import load_registry
from warehouse.ingest import scrape_run


def _handler(pages: int, latency: float):
    class Listing(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server API)
            time.sleep(latency)
            if self.path == "/robots.txt":
                self.send_response(404)
                self.end_headers()
                return
            page = int(self.path.rsplit("/", 1)[-1] or 1)
            host = self.server.server_address[0]
            items = "".join(f"<li>Town {host} {page}-{i}</li>" for i in range(10))
            nxt = f'<a class="next" href="/members/{page + 1}">next</a>' if page < pages else ""
            body = f"<html><body><ul class='members'>{items}</ul>{nxt}</body></html>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Listing


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=6)
    ap.add_argument("--pages", type=int, default=4)
    ap.add_argument("--delay", type=float, default=0.5)
    ap.add_argument("--latency", type=float, default=0.05)
    args = ap.parse_args(argv)

    servers = []
    with tempfile.TemporaryDirectory() as tmp:
        registry_dir = Path(tmp) / "registry"
        registry_dir.mkdir()
        for i in range(args.hosts):
            host = f"127.0.0.{i + 2}"  # distinct loopback addresses are distinct hosts to the fetcher
            server = ThreadingHTTPServer((host, 0), _handler(args.pages, args.latency))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
            network_id = f"bench-host-{i}"
            (registry_dir / f"{network_id}.yaml").write_text(yaml.safe_dump({
                "id": network_id, "name": f"Benchmark network {i}", "scope": "global",
                "sources": [{"url": f"http://{host}:{server.server_address[1]}/members/1", "kind": "html",
                             "parser": "html_list", "allowed_hosts": [host],
                             "options": {"items": "ul.members li", "next": "a.next"}}]}))
        registry = load_registry(extra=[registry_dir])
        ids = [f"bench-host-{i}" for i in range(args.hosts)]
        db = Path(tmp) / "bench.duckdb"
        for attempt in ("warm-up", "measured"):  # the warm-up loads the gazetteer, once per version
            fetcher = make_fetcher("live", delay=args.delay, jitter=0.0, trust_env=False)
            started = time.perf_counter()
            outcomes = scrape_run(db, str(uuid.uuid4()), registry, "live", ids, fetcher=fetcher)
            wall = time.perf_counter() - started
            fetcher.close()
        for server in servers:
            server.shutdown()

    requests_per_host = args.pages + 1  # robots.txt + the pages
    per_host_delay = (requests_per_host - 1) * args.delay
    per_host_floor = per_host_delay + requests_per_host * args.latency
    print(f"hosts={args.hosts} pages/host={args.pages} delay={args.delay}s latency={args.latency}s")
    print(f"statuses: {sorted({o.status for o in outcomes})}, mentions: {sum(o.mentions for o in outcomes)}")
    print(f"sum of per-host politeness delays: {per_host_delay * args.hosts:.2f} s")
    print(f"slowest single host (delays + latency): {per_host_floor:.2f} s")
    print(f"wall time of the run (incl. DuckDB load): {wall:.2f} s")


if __name__ == "__main__":
    main()
