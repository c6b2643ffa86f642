"""One request at a time per host, spaced by a delay plus jitter; hosts never wait for each other."""
from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class _HostState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_done: float | None = None  # time.monotonic() when the previous request to this host finished


class HostGate:
    def __init__(self, delay: float = 1.0, jitter: float = 0.5, sleep=time.sleep):
        if delay < 0 or jitter < 0:
            raise ValueError(f"delay and jitter must be >= 0, got delay={delay} jitter={jitter}")
        self.delay = delay
        self.jitter = jitter
        self._sleep = sleep
        self._hosts: dict[str, _HostState] = {}
        self._hosts_lock = threading.Lock()  # guards the dict only, never held while waiting

    def _state(self, host: str) -> _HostState:
        with self._hosts_lock:
            return self._hosts.setdefault(host, _HostState())

    @contextmanager
    def turn(self, host: str) -> Iterator[None]:
        """Hold the host's slot for one request; waits for the previous one plus delay (+ jitter)."""
        state = self._state(host)
        with state.lock:
            if state.last_done is not None:
                gap = self.delay + random.uniform(0, self.jitter)
                wait = state.last_done + gap - time.monotonic()
                if wait > 0:
                    self._sleep(wait)
            try:
                yield
            finally:
                # Measured from the end of the request, so a slow server also gets its full pause.
                state.last_done = time.monotonic()
