"""One refresh at a time per data dir: an exclusive lock on <data dir>/.refresh.lock.

DuckDB lets one process write a file; a second refresh would fail somewhere in the middle with a lock error
(or, between two steps, write into the other run's data). The lock makes the second one stop before it starts,
with a message naming the process that holds it. It is an flock, so the kernel releases it when the holder
exits, however it exits (a SIGKILL or a crash leaves no stale lock behind).
"""
from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

LOCK_NAME = ".refresh.lock"


class RefreshLocked(RuntimeError):
    """Another refresh holds the data dir; the message names its pid and the lock file."""


def _holder(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 200).decode("utf-8", "replace").strip()
    return text or "unknown"


@contextmanager
def refresh_lock(root: Path, wait_s: float = 0.0, poll_s: float = 0.2) -> Iterator[Path]:
    """Hold the data dir's refresh lock; wait up to `wait_s` for it, then raise RefreshLocked."""
    path = Path(root) / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        give_up_at = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= give_up_at:
                    raise RefreshLocked(
                        f"another refresh is running on {root} (pid {_holder(fd)}, lock {path}); "
                        f"wait for it to finish or stop it, then run again") from None
                time.sleep(poll_s)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the lock
