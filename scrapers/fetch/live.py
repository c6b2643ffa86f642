"""Live HTTP fetching with politeness: robots.txt, per-host delay, retries, host allow-list, byte cap."""
from __future__ import annotations

import importlib.metadata
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import requests
import urllib3

from scrapers.fetch import base
from scrapers.fetch.encoding import detect_encoding
from scrapers.fetch.politeness import HostGate
from scrapers.fetch.record import SnapshotRecorder
from scrapers.fetch.robots import RobotsCache
from scrapers.fetch.session import RETRY_STATUSES, build_retry, build_session

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


def _version() -> str:
    try:
        return importlib.metadata.version("tcn-warehouse")
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0"


DEFAULT_USER_AGENT = (
    f"tcn-warehouse/{_version()} (+https://github.com/tcn-warehouse; contact: data@tcn-warehouse.org)"
)


@dataclass(frozen=True)
class LiveOptions:
    user_agent: str = DEFAULT_USER_AGENT
    delay: float = 1.0  # seconds between requests to one host
    jitter: float = 0.5  # up to this many extra seconds, random
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # between two bytes; a server dripping a byte at a time never trips it...
    max_seconds: float = 120.0  # ...so one response (redirects included) also has this much time in all
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3
    backoff_factor: float = 1.0
    backoff_max: float = 60.0
    retry_after_cap: float = 30.0
    obey_robots: bool = True
    robots_ttl: float = 24 * 3600
    robots_error_ttl: float = 600
    robots_max_bytes: int = 500 * 1024
    record_dir: Path | None = None
    trust_env: bool = True  # proxies / CA bundle from the environment


@dataclass
class _Hop:
    """One GET without redirects."""

    url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    location: str | None = None
    body: bytes = b""
    error: str | None = None
    elapsed_ms: int = 0
    gave_up_retrying: bool = False


def classify_exception(exc: BaseException) -> str:
    """Map a requests/urllib3/socket exception (and whatever it wraps) to an error code."""
    seen: set[int] = set()
    pending = [exc]
    while pending:
        err = pending.pop()
        if id(err) in seen:
            continue
        seen.add(id(err))
        if isinstance(err, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                            requests.exceptions.InvalidSchema, urllib3.exceptions.LocationParseError)):
            return base.INVALID_URL
        if isinstance(err, urllib3.exceptions.NewConnectionError):  # subclasses ConnectTimeoutError
            return base.CONNECTION_ERROR
        if isinstance(err, (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)):
            return base.TIMEOUT
        if isinstance(err, (requests.exceptions.ContentDecodingError, urllib3.exceptions.DecodeError)):
            return base.DECODE_ERROR
        wrapped = [getattr(err, "reason", None), err.__cause__, err.__context__, *err.args]
        pending.extend(w for w in wrapped if isinstance(w, BaseException))
    return base.CONNECTION_ERROR


_NETWORK_ERRORS = (requests.RequestException, urllib3.exceptions.HTTPError, OSError)


class LiveFetcher(base.Fetcher):
    def __init__(self, options: LiveOptions | None = None):
        self.options = options or LiveOptions()
        o = self.options
        retry = build_retry(o.retries, o.backoff_factor, o.backoff_max, o.retry_after_cap)
        self._session = build_session(o.user_agent, retry, o.trust_env)
        self._gate = HostGate(o.delay, o.jitter)
        agent_token = o.user_agent.split("/", 1)[0].strip()
        self._robots = RobotsCache(self._download_robots, agent_token, o.robots_ttl, o.robots_error_ttl)
        self._recorder = SnapshotRecorder(o.record_dir) if o.record_dir is not None else None

    def close(self) -> None:
        self._session.close()

    def fetch(
        self,
        url: str,
        allowed_hosts: tuple[str, ...],
        *,
        if_none_match: str | None = None,
        if_modified_since: str | None = None,
        network_id: str | None = None,
    ) -> base.FetchedResponse:
        fetched_at = base.utc_now()
        try:
            if not base.scheme_allowed(url):
                return base.refusal(url, base.SCHEME_NOT_ALLOWED, fetched_at)
            if not base.host_allowed(url, allowed_hosts):
                return base.refusal(url, base.HOST_NOT_ALLOWED, fetched_at)
        except ValueError:  # e.g. a malformed IPv6 host
            return base.refusal(url, base.INVALID_URL, fetched_at)
        conditional = {name: value for name, value in
                       (("If-None-Match", if_none_match), ("If-Modified-Since", if_modified_since)) if value}
        hop, elapsed_ms = self._follow(url, allowed_hosts, conditional, self.options.max_bytes,
                                       truncate=False, obey_robots=self.options.obey_robots)
        response = base.FetchedResponse(
            url=url,
            final_url=hop.url if hop.status is not None else None,
            status=hop.status,
            headers=hop.headers,
            body=hop.body,
            error=hop.error if hop.error else self._status_error(hop, bool(conditional)),
            fetched_at=fetched_at,
            elapsed_ms=elapsed_ms,
            encoding=self._encoding(hop),
        )
        self._maybe_record(response, network_id)
        return response

    def _maybe_record(self, response: base.FetchedResponse, network_id: str | None) -> None:
        """Keep only complete answers for replay: no 304s, no refused or cut-off bodies."""
        if self._recorder is None or response.status is None or response.status == 304:
            return
        if response.error in (None, base.http_error(response.status)):
            self._recorder.record(response, network_id)

    @staticmethod
    def _encoding(hop: _Hop) -> str | None:
        if hop.status is None:
            return None
        return detect_encoding(base.header(hop.headers, "Content-Type"), hop.body)

    def _status_error(self, hop: _Hop, sent_conditional: bool) -> str | None:
        if hop.status is None:
            return base.CONNECTION_ERROR  # not reached: a missing status always comes with an error
        if 200 <= hop.status < 300 or (hop.status == 304 and sent_conditional):
            return None
        if hop.gave_up_retrying:
            return base.RETRIES_EXHAUSTED
        return base.http_error(hop.status)

    def _follow(self, url: str, allowed_hosts: tuple[str, ...], headers: dict[str, str], max_bytes: int,
                truncate: bool, obey_robots: bool) -> tuple[_Hop, int]:
        """GET `url`, following up to max_redirects redirects inside allowed_hosts."""
        hop = _Hop(url)
        elapsed_ms = 0
        current = url
        for _ in range(self.options.max_redirects + 1):
            if obey_robots:
                denied = self._robots.denial(current, allowed_hosts)
                if denied:
                    hop.error, hop.body = denied, b""  # keeps the redirect's status, if there was one
                    return hop, elapsed_ms
            hop = self._get_once(current, headers, max_bytes, truncate)
            elapsed_ms += hop.elapsed_ms
            if hop.error or hop.status not in REDIRECT_STATUSES or not hop.location:
                return hop, elapsed_ms
            target = urljoin(current, hop.location)
            try:
                allowed = base.scheme_allowed(target) and base.host_allowed(target, allowed_hosts)
            except ValueError:
                allowed = False
            if not allowed:
                hop.error = base.REDIRECT_NOT_ALLOWED
                return hop, elapsed_ms
            current = target
        hop.error = base.TOO_MANY_REDIRECTS
        return hop, elapsed_ms

    def _get_once(self, url: str, headers: dict[str, str], max_bytes: int, truncate: bool) -> _Hop:
        o = self.options
        hop = _Hop(url)
        with self._gate.turn(base.host_of(url)):
            started = time.monotonic()
            try:
                resp = self._session.get(url, headers=headers, timeout=(o.connect_timeout, o.read_timeout),
                                         allow_redirects=False, stream=True)
            except _NETWORK_ERRORS as exc:
                hop.error = classify_exception(exc)
            else:
                hop.status, hop.headers = resp.status_code, dict(resp.headers)
                hop.location = resp.headers.get("Location")
                # raise_on_status=False returns the last retryable response once retries run out.
                hop.gave_up_retrying = resp.status_code in RETRY_STATUSES and o.retries > 0
                try:
                    hop.body, hop.error = _read_capped(resp, max_bytes, truncate, started + o.max_seconds)
                except _NETWORK_ERRORS as exc:
                    hop.error = classify_exception(exc)
                finally:
                    resp.close()
            finally:
                self._session.cookies.clear()  # belt and braces with the reject-all cookie policy
            hop.elapsed_ms = int((time.monotonic() - started) * 1000)
        return hop

    def _download_robots(self, robots_url: str, allowed_hosts: tuple[str, ...]):
        hop, _ = self._follow(robots_url, allowed_hosts, {}, self.options.robots_max_bytes,
                              truncate=True, obey_robots=False)
        return hop.status, hop.body, hop.error


def _read_capped(resp: requests.Response, max_bytes: int, truncate: bool,
                 give_up_at: float = float("inf")) -> tuple[bytes, str | None]:
    """Stream the body; past max_bytes either cut it (truncate) or drop it and report too_large; past
    `give_up_at` (time.monotonic()) drop it and report a timeout."""
    declared = resp.headers.get("Content-Length", "")
    if not truncate and declared.isdigit() and int(declared) > max_bytes:
        return b"", base.TOO_LARGE
    body = bytearray()
    while True:
        if time.monotonic() > give_up_at:
            return b"", base.TIMEOUT
        # read1: whatever one read of the socket brings (decoded), so a slow drip is checked between bytes
        chunk = resp.raw.read1(_CHUNK, decode_content=True)
        if not chunk:
            break
        body += chunk
        if len(body) > max_bytes:
            if truncate:
                return bytes(body[:max_bytes]), None
            return b"", base.TOO_LARGE
    return bytes(body), None
