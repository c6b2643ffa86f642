"""The requests Session used for live fetching: retries with a capped Retry-After, no cookies."""
from __future__ import annotations

from http.cookiejar import DefaultCookiePolicy

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class CappedRetry(Retry):
    """urllib3 Retry whose Retry-After wait never exceeds `retry_after_cap` seconds.

    urllib3 caps Retry-After at 6 hours by default (and older 2.x releases have no setting at all),
    so one server could park a run for hours.
    """

    def __init__(self, *args, retry_after_cap: float = 30.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.retry_after_cap = retry_after_cap

    def new(self, **kwargs) -> "CappedRetry":
        # Retry.new() rebuilds the object from the arguments it knows about; carry ours over.
        retry = super().new(**kwargs)
        retry.retry_after_cap = self.retry_after_cap
        return retry

    def parse_retry_after(self, retry_after: str) -> float:
        try:
            seconds = super().parse_retry_after(retry_after)
        except InvalidHeader:
            return 0.0  # unparseable: fall back to the exponential backoff
        return min(seconds, self.retry_after_cap)


def build_retry(retries: int, backoff_factor: float, backoff_max: float,
                retry_after_cap: float) -> CappedRetry:
    return CappedRetry(
        total=retries,
        backoff_factor=backoff_factor,
        backoff_max=backoff_max,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=False,  # hand back the last response so its status and body get recorded
        retry_after_cap=retry_after_cap,
    )


def _no_credentials(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """Set as the session's auth, so requests looks for no other: no ~/.netrc entry (read when trust_env
    is on) and no user:password@ from a URL (a redirect can carry one) becomes an Authorization header."""
    request.headers.pop("Authorization", None)
    return request


def build_session(user_agent: str, retry: Retry, trust_env: bool) -> requests.Session:
    session = requests.Session()
    session.trust_env = trust_env
    session.auth = _no_credentials
    session.headers["User-Agent"] = user_agent
    # Reject every cookie: a consent or session cookie must not change what the next fetch sees.
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
