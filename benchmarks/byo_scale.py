"""Bring your own membership data at scale: a synthetic 100,000-row, 500-network membership file (Windows-1252,
`;`-separated, as Excel writes it; benchmarks/byo_members.py) through `tcn import` and `tcn refresh
--registry-only` in a new data dir. Prints wall time, CPU time and the peak memory of each command's process
tree: the import, the first refresh and a refresh in which nothing changed, and the row accounting.

  .venv/bin/python -m benchmarks.byo_scale [--rows 100000] [--networks 500] [--work DIR] [--json OUT.json]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from benchmarks.byo_members import generate
from benchmarks.measure import run_child

TCN = Path(sys.executable).parent / "tcn"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--networks", type=int, default=500)
    parser.add_argument("--work", help="folder for the file, the registry and the data dir (default: a temp dir)")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="tcn-byo-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    members, registry, data = work / "members.csv", work / "registry", work / "data"
    planted = generate(members, args.rows, args.networks)
    print(f"file: {members} ({members.stat().st_size / 1e6:.1f} MB), planted {json.dumps(planted)}")
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "TCN_DATA_DIR")}
    env["TCN_REGISTRY"] = str(registry)
    steps = [("import", [str(TCN), "import", str(members), "--out", str(registry), "--id-prefix", "byo-"]),
             ("first refresh", [str(TCN), "refresh", "--registry-only", "--data-dir", str(data)]),
             ("no-change refresh", [str(TCN), "refresh", "--registry-only", "--data-dir", str(data)])]
    results = []
    for name, command in steps:
        log = work / f"{name.replace(' ', '-')}.log"
        stage, code = run_child(name, command, env=env, output=log)
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        summary = [line for line in tail if line.startswith(("input rows:", "steps:", "run ")) or " rows read = " in line]
        print(f"{name:<18} exit {code}  wall {stage.wall_s:7.1f} s  cpu {stage.cpu_s:7.1f} s  "
              f"peak {stage.peak_rss_mb:7.0f} MB  (load {stage.load1})")
        for line in summary:
            print(f"    {line}")
        results.append({**stage.as_dict(), "exit": code, "summary": summary})
        if code not in (0, 3):
            print(f"{name} failed: see {log}", file=sys.stderr)
            break
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": args.rows, "networks": args.networks, "planted": planted,
                                               "stages": results}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
