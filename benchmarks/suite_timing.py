"""How long `make test` takes, and where: the whole suite with per-module wall and CPU seconds, per worker.

    .venv/bin/python -m benchmarks.suite_timing [pytest args, e.g. -n 2]

Runs `.venv/bin/pytest` (the suite `make test` runs, with its configured workers) with this module as a plugin
that records, in each worker, when every test started and ended and the CPU seconds it and its subprocesses
used. Prints the suite's wall and CPU time, then each module: its worker, when it started and ended, its wall
and CPU seconds. Writes benchmarks/results/test_suite.json. Not a test: nothing here asserts a time.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.measure import speed_probe_s

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "test_suite.json"
OUT_ENV = "TCN_SUITE_TIMELINE"

# ---------------------------------------------------------------------------------- the pytest plugin

_started: dict[str, tuple[float, float]] = {}
_recording = False  # set per process in pytest_configure


def _cpu_s() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def pytest_configure(config):
    global _recording
    # the xdist controller sees every test's hooks too: only the process that runs a test records it
    controller = bool(getattr(config.option, "numprocesses", None)) and not os.environ.get("PYTEST_XDIST_WORKER")
    _recording = bool(os.environ.get(OUT_ENV)) and not controller


def pytest_runtest_logstart(nodeid, location):
    if _recording:
        _started[nodeid] = (time.time(), _cpu_s())


def pytest_runtest_logfinish(nodeid, location):
    if _recording and nodeid in _started:
        t0, cpu0 = _started.pop(nodeid)
        with open(os.environ[OUT_ENV], "a", encoding="utf-8") as log:
            log.write(json.dumps({"worker": os.environ.get("PYTEST_XDIST_WORKER", "main"), "test": nodeid,
                                  "start": t0, "end": time.time(), "cpu_s": _cpu_s() - cpu0}) + "\n")


# ---------------------------------------------------------------------------------------- the runner

def _modules(records: list[dict]) -> list[dict]:
    t0 = min(r["start"] for r in records)
    modules: dict[str, dict] = defaultdict(lambda: {"start": float("inf"), "end": 0.0, "cpu_s": 0.0, "tests": 0})
    for r in records:
        m = modules[r["test"].split("::")[0]]
        m["worker"] = r["worker"]
        m["start"], m["end"] = min(m["start"], r["start"] - t0), max(m["end"], r["end"] - t0)
        m["cpu_s"] += r["cpu_s"]
        m["tests"] += 1
    return sorted(({"module": k, **v, "wall_s": v["end"] - v["start"]} for k, v in modules.items()),
                  key=lambda m: (m["worker"], m["start"]))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    timeline = Path(tempfile.mkdtemp(prefix="tcn-suite-")) / "timeline.jsonl"
    env = {**os.environ, OUT_ENV: str(timeline), "PYTHONPATH": str(REPO)}
    probe_at_start = speed_probe_s()
    started, before = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([str(REPO / ".venv" / "bin" / "pytest"), "-p", "benchmarks.suite_timing", "-q", *argv],
                          cwd=REPO, env=env, capture_output=True, text=True)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = next((line for line in reversed(proc.stdout.splitlines()) if " in " in line and "passed" in line),
                   proc.stdout[-500:])
    records = [json.loads(line) for line in timeline.read_text(encoding="utf-8").splitlines()] \
        if timeline.exists() else []
    modules = _modules(records) if records else []
    result = {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "args": argv, "exit_code": proc.returncode,
              "summary": summary.strip("= "), "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
              "cores": os.cpu_count(), "load1_after": round(os.getloadavg()[0], 2),
              "speed_probe_s": {"start": probe_at_start, "end": speed_probe_s()},
              "modules": [{k: (round(v, 1) if isinstance(v, float) else v) for k, v in m.items()} for m in modules]}
    print(f"{result['summary']}\nwall {wall:.0f} s, CPU {cpu:.0f} s on {os.cpu_count()} cores "
          f"({cpu / wall / os.cpu_count():.0%} busy); speed probe {result['speed_probe_s']['start']} s at the "
          f"start, {result['speed_probe_s']['end']} s at the end (2.1-2.2 s at this machine's usual speed)")
    print(f"{'worker':7} {'module':42} {'start':>6} {'end':>6} {'wall s':>7} {'cpu s':>6} {'tests':>5}")
    for m in modules:
        print(f"{m['worker']:7} {m['module']:42} {m['start']:6.0f} {m['end']:6.0f} {m['wall_s']:7.1f} "
              f"{m['cpu_s']:6.1f} {m['tests']:5}")
    if proc.returncode:  # the failures, so that a slow run with a failing test is not mistaken for a good one
        result["failures"] = [line for line in proc.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
        print("\n".join(result["failures"]) or proc.stdout[-3000:])
        (RESULTS.parent / "test_suite_output.txt").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"results: {RESULTS}")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
