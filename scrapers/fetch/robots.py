"""robots.txt per RFC 9309: rules parsed by protego, the status policy and cache are ours.

2xx -> obey the rules; 4xx -> allow all (429 excepted: it means "slow down", so it counts as
unreachable); 5xx or no response -> disallow all. Cached per origin (24 h by default).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from scrapers.fetch import base

# download(robots_url, allowed_hosts) -> (status or None, body bytes, error code or None)
Download = Callable[[str, tuple[str, ...]], tuple[int | None, bytes, str | None]]


@dataclass(frozen=True)
class RobotsVerdict:
    rules: Protego | None  # None: the same answer for every path
    allow_all: bool
    failure: str | None  # why everything is disallowed when no robots.txt could be read
    expires_at: float

    def denial(self, url: str, user_agent_token: str) -> str | None:
        """None when `url` may be fetched, otherwise the error code to report."""
        if self.rules is not None:
            return None if self.rules.can_fetch(url, user_agent_token) else base.ROBOTS_DISALLOWED
        if self.allow_all:
            return None
        # Unreachable hosts report the network error: more useful than "robots_disallowed".
        return self.failure or base.ROBOTS_DISALLOWED


def verdict_for(status: int | None, body: bytes, error: str | None, now: float, ttl: float,
                error_ttl: float) -> RobotsVerdict:
    def disallow_all(failure: str) -> RobotsVerdict:
        # Failures expire sooner: a short outage should not block a host for a whole day.
        return RobotsVerdict(None, allow_all=False, failure=failure, expires_at=now + min(ttl, error_ttl))

    if status is None:
        return disallow_all(error or base.ROBOTS_DISALLOWED)
    if 200 <= status < 300:
        if error is not None:  # the body was cut short: do not guess at the rules
            return disallow_all(base.ROBOTS_DISALLOWED)
        rules = Protego.parse(body.decode("utf-8", errors="replace"))
        return RobotsVerdict(rules, allow_all=False, failure=None, expires_at=now + ttl)
    if status == 429 or status >= 500:
        return disallow_all(base.ROBOTS_DISALLOWED)
    # 4xx, or redirects we could not follow (RFC 9309 2.3.1.2: treat as unavailable).
    return RobotsVerdict(None, allow_all=True, failure=None, expires_at=now + ttl)


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


class RobotsCache:
    def __init__(self, download: Download, user_agent_token: str, ttl: float = 24 * 3600,
                 error_ttl: float = 600, clock: Callable[[], float] = time.monotonic):
        self._download = download
        self._token = user_agent_token
        self._ttl = ttl
        self._error_ttl = error_ttl
        self._clock = clock
        self._verdicts: dict[str, RobotsVerdict] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def _lock(self, origin: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(origin, threading.Lock())

    def denial(self, url: str, allowed_hosts: tuple[str, ...]) -> str | None:
        """None when robots.txt lets us fetch `url`, otherwise the error code."""
        origin = robots_url(url)
        with self._lock(origin):  # one download per origin even when threads race
            verdict = self._verdicts.get(origin)
            if verdict is None or verdict.expires_at <= self._clock():
                status, body, error = self._download(origin, allowed_hosts)
                verdict = verdict_for(status, body, error, self._clock(), self._ttl, self._error_ttl)
                self._verdicts[origin] = verdict
        return verdict.denial(url, self._token)
