"""Wall time, peak memory and machine load of one benchmark stage, without psutil.

Peak memory of this process comes from /proc/self/status (VmHWM), reset before each stage by writing 5 to
/proc/self/clear_refs (Linux); a subprocess's peak comes from os.wait4, which reports that child alone.
"""
from __future__ import annotations

import os
import subprocess
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator


@dataclass
class Stage:
    stage: str
    wall_s: float = 0.0
    peak_rss_mb: float = 0.0
    rows: int | None = None
    load1: float = 0.0            # 1-minute load average when the stage started (2 cores: 2.0 = busy)
    note: str = ""
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        out = asdict(self)
        out["wall_s"] = round(self.wall_s, 2)
        out["peak_rss_mb"] = round(self.peak_rss_mb, 1)
        return out


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def own_peak_mb() -> float:
    """This process's peak resident memory since the last reset (MB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def stage(name: str, rows: int | None = None) -> Iterator[Stage]:
    """Time a stage run in this process; the caller may set .rows and .note on the yielded record."""
    record = Stage(name, rows=rows, load1=round(os.getloadavg()[0], 2))
    _reset_peak()
    started = time.perf_counter()
    try:
        yield record
    finally:
        record.wall_s = time.perf_counter() - started
        record.peak_rss_mb = own_peak_mb()


def run_child(name: str, args: list[str], env: dict | None = None, cwd: Path | None = None,
              output: Path | None = None) -> tuple[Stage, int]:
    """Run a subprocess to its end; its wall time and its own peak memory. Output goes to `output`."""
    record = Stage(name, load1=round(os.getloadavg()[0], 2))
    started = time.perf_counter()
    with open(output or os.devnull, "wb") as sink:
        proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    record.wall_s = time.perf_counter() - started
    record.peak_rss_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    return record, proc.returncode
