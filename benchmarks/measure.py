"""Wall time, CPU time, peak memory and machine load of one benchmark stage, without psutil.

Peak memory of this process comes from /proc/self/status (VmHWM), reset before each stage by writing 5 to
/proc/self/clear_refs (Linux). A subprocess's peak is sampled from /proc (the summed VmRSS of it and its
descendants, every SAMPLE_S): its rusage maxrss would include this process's memory at the fork, which Linux
carries across exec.
"""
from __future__ import annotations

import os
import resource
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
    cpu_s: float | None = None    # CPU seconds (user + system): less sensitive than wall time to a busy machine
    peak_rss_mb: float = 0.0
    rows: int | None = None
    load1: float = 0.0            # 1-minute load average when the stage started (2 cores: 2.0 = busy)
    note: str = ""
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        out = asdict(self)
        out["wall_s"] = round(self.wall_s, 2)
        out["cpu_s"] = None if self.cpu_s is None else round(self.cpu_s, 2)
        out["peak_rss_mb"] = round(self.peak_rss_mb, 1)
        return out


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def own_cpu_s() -> float:
    """CPU seconds this process has used so far, all its threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


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
    started, cpu = time.perf_counter(), own_cpu_s()
    try:
        yield record
    finally:
        record.wall_s = time.perf_counter() - started
        record.cpu_s = own_cpu_s() - cpu
        record.peak_rss_mb = own_peak_mb()


SAMPLE_S = 0.2


def _tree_rss_mb(root: int) -> float:
    """Resident memory of process `root` and its descendants right now (MB)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):  # the process ended meanwhile
            continue
    tree, grown = {root}, True
    while grown:
        before = len(tree)
        tree |= {pid for pid, parent in parents.items() if parent in tree}
        grown = len(tree) > before
    total_kb = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


def run_child(name: str, args: list[str], env: dict | None = None, cwd: Path | None = None,
              output: Path | None = None) -> tuple[Stage, int]:
    """Run a subprocess to its end: wall time, CPU time (it and the children it waited for) and the peak of
    its process tree's memory. Output goes to `output`."""
    record = Stage(name, load1=round(os.getloadavg()[0], 2))
    started = time.perf_counter()
    peak = 0.0
    with open(output or os.devnull, "wb") as sink:
        proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _tree_rss_mb(proc.pid))
            time.sleep(SAMPLE_S)
        proc.returncode = os.waitstatus_to_exitcode(status)
    record.wall_s = time.perf_counter() - started
    record.cpu_s = usage.ru_utime + usage.ru_stime
    record.peak_rss_mb = peak
    return record, proc.returncode


def speed_probe_s() -> float:
    """Seconds a fixed pure-Python loop takes: how fast this machine runs Python at the moment. It varies by 25%
    and more within a day here, so every benchmark records it at its start and end, and figures measured at
    different moments can be compared."""
    started = time.perf_counter()
    sum(i * i for i in range(3 * 10**7))
    return round(time.perf_counter() - started, 2)
