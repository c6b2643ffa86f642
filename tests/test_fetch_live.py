"""The live fetcher against real HTTP servers on 127.0.0.1 (never the internet).

Timing assertions are lower bounds only (a slow machine must not fail them); the one upper bound is a
hang guard far above anything the code under test should take.
"""
from __future__ import annotations

import threading
import time

import pytest

from helpers.loopback import LoopbackServer, Reply, Seen, closed_port, in_order
from scrapers.fetch import LiveOptions, make_fetcher
from scrapers.fetch.live import DEFAULT_USER_AGENT
from scrapers.fetch.robots import RobotsCache
from scrapers.fetch.session import build_retry

LOCAL = ("127.0.0.1",)
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def live():
    """Factory for live fetchers with test-sized delays and timeouts; closes them afterwards."""
    made = []

    def make(**overrides):
        options = dict(delay=0.0, jitter=0.0, connect_timeout=2.0, read_timeout=2.0, retries=3,
                       backoff_factor=0.01, retry_after_cap=0.5, trust_env=False)
        options.update(overrides)
        fetcher = make_fetcher(mode="live", **options)
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


def run_in_thread(fn, guard_seconds: float = 30.0):
    """Run fn in a thread; fail (instead of hanging) if it has not finished after guard_seconds."""
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("value", fn()), daemon=True)
    thread.start()
    thread.join(guard_seconds)
    assert not thread.is_alive(), f"still running after {guard_seconds} s (hang guard)"
    return result["value"]


# --- bodies and encodings -------------------------------------------------------------------------

def test_page_with_charset_keeps_bytes_and_decodes_with_that_charset(live):
    text = "<h1>Malmö – Zürich – Göteborg</h1>"  # the en dash exists in windows-1252, not in latin-1
    body = text.encode("cp1252")
    with LoopbackServer({"/members": Reply(200, {"Content-Type": "text/html; charset=windows-1252"},
                                           body)}) as server:
        response = live().fetch(server.url("/members"), LOCAL)
    assert response.error is None and response.ok
    assert response.status == 200
    assert response.body == body
    assert response.final_url == server.url("/members")
    assert response.encoding == "cp1252"
    assert response.text() == text
    assert response.headers["Content-Type"] == "text/html; charset=windows-1252"
    assert response.elapsed_ms >= 0


@pytest.mark.parametrize(
    ("content_type", "body", "expected_encoding"),
    [
        ("text/html", "<p>Malmö</p>".encode("utf-8"), "utf-8"),  # requests would guess ISO-8859-1
        ("text/html", '<meta charset="windows-1252"><p>Malmö</p>'.encode("cp1252"), "cp1252"),
        ("text/html", '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
                      "<p>Malmö</p>".encode("latin-1"), "cp1252"),
        ("text/html", "<p>Malmö</p>".encode("utf-16"), "utf-16"),  # encode() writes the BOM
        ("text/html", "<p>Malmö</p>".encode("utf-8-sig"), "utf-8-sig"),
        ("text/html; charset=bogus-charset", "<p>Malmö</p>".encode("utf-8"), "utf-8"),
    ],
)
def test_encoding_order_http_then_bom_then_meta_then_utf8(live, content_type, body, expected_encoding):
    with LoopbackServer({"/p": Reply(200, {"Content-Type": content_type}, body)}) as server:
        response = live().fetch(server.url("/p"), LOCAL)
    assert response.body == body
    assert response.encoding == expected_encoding
    assert response.text().lstrip("\ufeff") == response.text()  # no stray BOM
    assert "Malmö" in response.text()


def test_http_error_status_is_recorded_with_its_body(live):
    with LoopbackServer({"/gone": Reply(404, HTML, b"<p>nope</p>")}) as server:
        response = live().fetch(server.url("/gone"), LOCAL)
    assert response.error == "http_404"
    assert response.status == 404
    assert response.body == b"<p>nope</p>"
    assert not response.ok


# --- refusals before any request ------------------------------------------------------------------

def test_host_outside_allow_list_is_not_requested(live):
    with LoopbackServer({"/p": Reply(200, HTML, b"x")}) as server:
        response = live().fetch(server.url("/p"), ("example.org",))
        assert server.seen == []
    assert response.error == "host_not_allowed"
    assert response.status is None


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "127.0.0.1/x"])
def test_only_http_and_https_schemes(live, url):
    response = live().fetch(url, LOCAL)
    assert response.error == "scheme_not_allowed"
    assert response.status is None


# --- timeouts and retries -------------------------------------------------------------------------

def test_read_timeout_becomes_timeout_after_bounded_attempts(live):
    with LoopbackServer({"/slow": Reply(200, HTML, b"late", delay=2.0)}) as server:
        response = live(read_timeout=0.1, retries=1).fetch(server.url("/slow"), LOCAL)
        attempts = len(server.hits("/slow"))
    assert response.error == "timeout"
    assert response.status is None
    assert attempts == 2  # the first try and one retry


def test_429_with_retry_after_is_retried_after_waiting(live):
    route = in_order(Reply(429, {"Retry-After": "1"}, b"slow down"), Reply(200, HTML, b"<p>ok</p>"))
    with LoopbackServer({"/p": route}) as server:
        response = live(retry_after_cap=30.0).fetch(server.url("/p"), LOCAL)
        first, second = server.hits("/p")
    assert response.error is None
    assert response.status == 200
    assert response.body == b"<p>ok</p>"
    assert second.at - first.at >= 0.95  # Retry-After: 1 honoured (backoff alone would be ~0 s)


def test_retry_after_longer_than_the_cap_waits_only_the_cap(live):
    route = in_order(Reply(503, {"Retry-After": "3600"}, b"later"), Reply(200, HTML, b"<p>ok</p>"))
    with LoopbackServer({"/p": route}) as server:
        fetcher = live(retry_after_cap=0.2)
        response = run_in_thread(lambda: fetcher.fetch(server.url("/p"), LOCAL))
        first, second = server.hits("/p")
    assert response.status == 200 and response.error is None
    assert second.at - first.at >= 0.19


def test_capped_retry_keeps_its_cap_when_urllib3_copies_it():
    retry = build_retry(retries=3, backoff_factor=0.5, backoff_max=10, retry_after_cap=7)
    assert retry.parse_retry_after("3600") == 7
    assert retry.parse_retry_after("2") == 2
    assert retry.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # a date in the past
    copied = retry.new(total=1)
    assert copied.parse_retry_after("3600") == 7
    assert copied.parse_retry_after("not a date") == 0  # falls back to backoff instead of raising


def test_503_forever_gives_up_after_bounded_attempts(live):
    with LoopbackServer({"/p": Reply(503, HTML, b"<p>down</p>")}) as server:
        response = live(retries=2).fetch(server.url("/p"), LOCAL)
        attempts = len(server.hits("/p"))
    assert response.error == "retries_exhausted"
    assert response.status == 503
    assert response.body == b"<p>down</p>"
    assert attempts == 3


def test_unreachable_host_is_a_connection_error(live):
    response = live(retries=1).fetch(f"http://127.0.0.1:{closed_port()}/p", LOCAL)
    assert response.error == "connection_error"
    assert response.status is None


# --- redirects ------------------------------------------------------------------------------------

def test_redirects_inside_the_allow_list_are_followed(live):
    with LoopbackServer() as server:
        server.routes.update({
            "/old": Reply(301, {"Location": "/middle"}),
            "/middle": Reply(302, {"Location": server.url("/new")}),
            "/new": Reply(200, HTML, b"<p>here</p>"),
        })
        response = live().fetch(server.url("/old"), LOCAL)
    assert response.error is None
    assert response.final_url == server.url("/new")
    assert response.url == server.url("/old")
    assert response.body == b"<p>here</p>"


def test_redirect_to_a_host_not_allowed_is_refused(live):
    with LoopbackServer() as server:
        elsewhere = f"http://localhost:{server.port}/elsewhere"
        server.routes.update({"/p": Reply(302, {"Location": elsewhere}),
                              "/elsewhere": Reply(200, HTML, b"login page")})
        response = live().fetch(server.url("/p"), LOCAL)
        assert server.hits("/elsewhere") == []
    assert response.error == "redirect_not_allowed"
    assert response.status == 302
    assert response.headers["Location"] == elsewhere
    assert response.body == b""


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/members.csv"])
def test_redirect_to_a_non_http_scheme_is_refused(live, target):
    with LoopbackServer({"/p": Reply(302, {"Location": target})}) as server:
        response = live().fetch(server.url("/p"), LOCAL)
    assert response.error == "redirect_not_allowed"
    assert response.status == 302


def test_redirect_loop_stops_after_max_redirects(live):
    loop = {"/a": Reply(302, {"Location": "/b"}), "/b": Reply(302, {"Location": "/a"})}
    with LoopbackServer(loop) as server:
        response = live(max_redirects=5).fetch(server.url("/a"), LOCAL)
        requests_made = len(server.hits("/a")) + len(server.hits("/b"))
    assert response.error == "too_many_redirects"
    assert requests_made == 6  # the first request and five redirects


# --- size cap -------------------------------------------------------------------------------------

@pytest.mark.parametrize("send_length", [True, False], ids=["content-length", "until-close"])
def test_oversize_body_is_too_large(live, send_length):
    big = b"<li>city</li>" * 2000  # 26 kB
    with LoopbackServer({"/big": Reply(200, HTML, big, send_length=send_length)}) as server:
        response = live(max_bytes=10_000).fetch(server.url("/big"), LOCAL)
    assert response.error == "too_large"
    assert response.status == 200
    assert response.body == b""


def test_body_at_the_cap_is_kept(live):
    body = b"x" * 10_000
    with LoopbackServer({"/p": Reply(200, HTML, body, send_length=False)}) as server:
        response = live(max_bytes=10_000).fetch(server.url("/p"), LOCAL)
    assert response.error is None and response.body == body


# --- robots.txt -----------------------------------------------------------------------------------

def test_robots_disallow_is_obeyed_and_fetched_once(live):
    robots = Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private\n")
    with LoopbackServer({"/robots.txt": robots, "/private/members": Reply(200, HTML, b"secret"),
                         "/public": Reply(200, HTML, b"open")}) as server:
        fetcher = live()
        denied = fetcher.fetch(server.url("/private/members"), LOCAL)
        allowed = fetcher.fetch(server.url("/public"), LOCAL)
        assert server.hits("/private/members") == []
        assert len(server.hits("/robots.txt")) == 1  # cached per host
    assert denied.error == "robots_disallowed"
    assert denied.status is None
    assert allowed.error is None and allowed.body == b"open"


def test_robots_group_for_our_user_agent_applies(live):
    robots = b"User-agent: *\nAllow: /\n\nUser-agent: tcn-warehouse\nDisallow: /\n"
    with LoopbackServer({"/robots.txt": Reply(200, {}, robots), "/p": Reply(200, HTML, b"x")}) as server:
        response = live().fetch(server.url("/p"), LOCAL)
    assert response.error == "robots_disallowed"


def test_robots_404_allows_everything(live):
    with LoopbackServer({"/p": Reply(200, HTML, b"x")}) as server:  # /robots.txt -> 404
        response = live().fetch(server.url("/p"), LOCAL)
        assert len(server.hits("/robots.txt")) == 1
    assert response.error is None


def test_robots_500_disallows_everything(live):
    with LoopbackServer({"/robots.txt": Reply(500, {}, b"oops"), "/p": Reply(200, HTML, b"x")}) as server:
        response = live(retries=1).fetch(server.url("/p"), LOCAL)
        assert server.hits("/p") == []
    assert response.error == "robots_disallowed"


def test_robots_can_be_switched_off(live):
    with LoopbackServer({"/robots.txt": Reply(200, {}, b"User-agent: *\nDisallow: /\n"),
                         "/p": Reply(200, HTML, b"x")}) as server:
        response = live(obey_robots=False).fetch(server.url("/p"), LOCAL)
        assert server.hits("/robots.txt") == []
    assert response.error is None


def test_robots_is_read_up_to_its_size_limit(live):
    # Rules past the limit are ignored (RFC 9309 asks crawlers to parse at least 500 KiB).
    padding = b"# padding\n" * 60_000  # 600 kB
    robots = b"User-agent: *\nDisallow: /early\n" + padding + b"Disallow: /late\n"
    with LoopbackServer({"/robots.txt": Reply(200, {}, robots), "/early": Reply(200, HTML, b"e"),
                         "/late": Reply(200, HTML, b"l")}) as server:
        fetcher = live(robots_max_bytes=500 * 1024)
        early = fetcher.fetch(server.url("/early"), LOCAL)
        late = fetcher.fetch(server.url("/late"), LOCAL)
    assert early.error == "robots_disallowed"
    assert late.error is None


def test_robots_answers_are_cached_for_the_ttl_and_failures_for_less():
    now = [0.0]
    answers = {"https://ok.example/robots.txt": (200, b"User-agent: *\nDisallow: /x\n", None),
               "https://down.example/robots.txt": (503, b"", None)}
    downloads = []

    def download(url, allowed_hosts):
        downloads.append(url)
        return answers[url]

    cache = RobotsCache(download, "tcn-warehouse", ttl=24 * 3600, error_ttl=600, clock=lambda: now[0])
    assert cache.denial("https://ok.example/x", ()) == "robots_disallowed"
    assert cache.denial("https://ok.example/y", ()) is None
    assert cache.denial("https://down.example/y", ()) == "robots_disallowed"
    now[0] = 601.0  # the failure expired, the good answer did not
    cache.denial("https://ok.example/y", ())
    cache.denial("https://down.example/y", ())
    assert downloads.count("https://ok.example/robots.txt") == 1
    assert downloads.count("https://down.example/robots.txt") == 2
    now[0] = 24 * 3600 + 1.0
    cache.denial("https://ok.example/y", ())
    assert downloads.count("https://ok.example/robots.txt") == 2


# --- politeness -----------------------------------------------------------------------------------

def test_sequential_fetches_to_one_host_are_spaced_by_the_delay(live):
    with LoopbackServer({"/a": Reply(200, HTML, b"a"), "/b": Reply(200, HTML, b"b")}) as server:
        fetcher = live(delay=0.3, jitter=0.05)
        fetcher.fetch(server.url("/a"), LOCAL)
        fetcher.fetch(server.url("/b"), LOCAL)
        (first,), (second,) = server.hits("/a"), server.hits("/b")
    assert second.at - first.at >= 0.3


def test_one_host_gets_one_request_at_a_time_across_threads(live):
    in_flight, peak, lock = [0], [0], threading.Lock()

    def slow(_: Seen) -> Reply:
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(0.2)
        with lock:
            in_flight[0] -= 1
        return Reply(200, HTML, b"x")

    with LoopbackServer({"/a": slow, "/b": slow}) as server:
        fetcher = live()
        threads = [threading.Thread(target=fetcher.fetch, args=(server.url(path), LOCAL))
                   for path in ("/a", "/b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert len(server.hits("/a")) == len(server.hits("/b")) == 1
    assert peak[0] == 1


def test_two_hosts_fetched_from_two_threads_do_not_wait_for_each_other(live):
    # Each handler only answers 200 once the other host's request has arrived too: if the fetcher
    # serialised the two hosts, the barrier would time out and the handlers answer 500.
    barrier = threading.Barrier(2, timeout=5)

    def meet(_: Seen) -> Reply:
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            return Reply(500, {}, b"alone")
        return Reply(200, HTML, b"together")

    with LoopbackServer({"/p": meet}) as one, LoopbackServer({"/p": meet}, url_host="localhost") as two:
        fetcher = live(delay=0.5, retries=0)  # each host waits after its robots.txt, not for the other host
        results = {}
        threads = [
            threading.Thread(target=lambda: results.setdefault("one", fetcher.fetch(one.url("/p"), LOCAL))),
            threading.Thread(target=lambda: results.setdefault(
                "two", fetcher.fetch(two.url("/p"), ("localhost",)))),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert results["one"].body == b"together" and results["one"].status == 200
    assert results["two"].body == b"together" and results["two"].status == 200


# --- headers: cookies, user agent, conditional GET ------------------------------------------------

def test_cookies_are_never_sent_back(live):
    with LoopbackServer() as server:
        server.routes.update({
            "/set": Reply(200, {"Set-Cookie": "consent=yes; Path=/"}, b"set"),
            "/hop": Reply(302, {"Set-Cookie": "session=abc; Path=/", "Location": "/check"}),
            "/check": Reply(200, HTML, b"checked"),
        })
        fetcher = live()
        fetcher.fetch(server.url("/set"), LOCAL)
        response = fetcher.fetch(server.url("/hop"), LOCAL)
        (check,) = server.hits("/check")
    assert response.body == b"checked"
    assert "cookie" not in check.headers


def test_user_agent_is_descriptive_and_configurable(live):
    with LoopbackServer({"/p": Reply(200, HTML, b"x")}) as server:
        live().fetch(server.url("/p"), LOCAL)
        live(user_agent="custom-bot/9 (+mailto:x@example.org)").fetch(server.url("/p"), LOCAL)
        default_agent, custom_agent = (seen.headers["user-agent"] for seen in server.hits("/p"))
    assert default_agent == DEFAULT_USER_AGENT
    assert default_agent.startswith("tcn-warehouse/") and "contact: data@tcn-warehouse.org" in default_agent
    assert custom_agent == "custom-bot/9 (+mailto:x@example.org)"


def test_conditional_get_returns_304_without_error(live):
    def cached(seen: Seen) -> Reply:
        if seen.headers.get("if-none-match") == '"v1"':
            return Reply(304, {"ETag": '"v1"'}, b"", send_length=False)
        return Reply(200, {"ETag": '"v1"', **HTML}, b"<p>full</p>")

    with LoopbackServer({"/p": cached}) as server:
        fetcher = live()
        fresh = fetcher.fetch(server.url("/p"), LOCAL)
        again = fetcher.fetch(server.url("/p"), LOCAL, if_none_match=fresh.headers["ETag"],
                              if_modified_since="Wed, 21 Oct 2025 07:28:00 GMT")
        second = server.hits("/p")[1]
    assert fresh.status == 200 and fresh.body == b"<p>full</p>"
    assert again.status == 304 and again.error is None and again.body == b""
    assert second.headers["if-modified-since"] == "Wed, 21 Oct 2025 07:28:00 GMT"


def test_unexpected_304_without_a_conditional_request_is_an_error(live):
    with LoopbackServer({"/p": Reply(304, {}, b"", send_length=False)}) as server:
        response = live().fetch(server.url("/p"), LOCAL)
    assert response.error == "http_304"


# --- recording live responses as snapshots --------------------------------------------------------

def test_recorded_live_responses_replay_identically(live, tmp_path):
    body = "<ul><li>Malmö</li></ul>".encode("utf-8")
    with LoopbackServer({"/members": Reply(200, {"Content-Type": "text/html; charset=utf-8",
                                                 "Set-Cookie": "t=1"}, body),
                         "/missing": Reply(404, HTML, b"no"),
                         "/big": Reply(200, HTML, b"x" * 5000)}) as server:
        fetcher = live(record_dir=tmp_path, max_bytes=1000)
        fetched = fetcher.fetch(server.url("/members"), LOCAL, network_id="demo-network")
        fetcher.fetch(server.url("/missing"), LOCAL, network_id="demo-network")
        fetcher.fetch(server.url("/big"), LOCAL, network_id="demo-network")  # too_large: not recorded
        replay = make_fetcher(mode="replay", snapshot_dir=tmp_path)
        replayed = replay.fetch(server.url("/members"), LOCAL)
        missing = replay.fetch(server.url("/missing"), LOCAL)
        big = replay.fetch(server.url("/big"), LOCAL)
    assert (replayed.status, replayed.body, replayed.encoding) == (fetched.status, fetched.body, "utf-8")
    assert replayed.text() == "<ul><li>Malmö</li></ul>"
    assert "Set-Cookie" not in replayed.headers
    assert missing.error == "http_404"
    assert big.error == "not_in_snapshot"
    manifest = (tmp_path / "demo-network" / "manifest.json").read_text(encoding="utf-8")
    assert "captured live" in manifest


def test_options_are_checked():
    with pytest.raises(TypeError):
        make_fetcher(mode="live", dealy=1.0)
    with pytest.raises(ValueError, match="unknown fetch mode"):
        make_fetcher(mode="offline")
    assert LiveOptions().delay == 1.0 and LiveOptions().max_bytes == 5 * 1024 * 1024
