"""Security checks: the fetcher stays on a network's hosts and sends nothing it was not configured with, SQL
is built from parameters and reviewed identifiers only, CSV exports cannot run formulas, and the data dir's
files have the permissions the README promises. Traffic goes to loopback servers only.

Checks already made elsewhere (hosts and schemes before any request, redirects off the allow-list or to
file:, cookies, the byte cap) are in tests/test_fetch_live.py and listed in docs/reliability.md.
"""
from __future__ import annotations

import ast
import csv
import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO
from helpers.loopback import LoopbackServer, Reply
from scrapers.fetch import make_fetcher
from scrapers.fetch.base import host_allowed

LOCAL = ("127.0.0.1",)
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def live():
    made = []

    def make(**overrides):
        options = dict(delay=0.0, jitter=0.0, connect_timeout=2.0, read_timeout=2.0, retries=0, trust_env=False)
        made.append(make_fetcher("live", **{**options, **overrides}))
        return made[-1]

    yield make
    for fetcher in made:
        fetcher.close()


# ------------------------------------------------------------------------------- hosts and schemes

@pytest.mark.parametrize("url", [
    "http://localhost:{port}\\@127.0.0.1/members",  # urllib3 connects to localhost, urlsplit says 127.0.0.1
    "http://127.0.0.1.localhost:{port}/members",     # an allowed host as a prefix of another
    "http://localhost:{port}/members#@127.0.0.1",   # an allowed host in the fragment
    "http://127.0.0.1@localhost:{port}/members",    # an allowed host as the user name
], ids=["backslash before the at sign", "allowed host as a prefix", "allowed host in the fragment",
        "allowed host as the user name"])
def test_a_url_naming_an_allowed_host_but_connecting_elsewhere_is_refused(live, url):
    with LoopbackServer({"/members": Reply(200, HTML, b"<p>x</p>")}, url_host="localhost") as server:
        target = url.format(port=server.port)
        response = live().fetch(target, LOCAL)
        assert server.seen == []  # localhost (not allowed) was never contacted
    assert response.error in ("host_not_allowed", "invalid_url")
    assert not host_allowed(target, LOCAL)


def test_a_redirect_hop_after_an_allowed_one_still_cannot_leave(live):
    with LoopbackServer() as allowed, LoopbackServer({"/login": Reply(200, HTML, b"login")},
                                                      url_host="localhost") as elsewhere:
        allowed.routes.update({
            "/members": Reply(301, {"Location": "/moved"}),
            "/moved": Reply(302, {"Location": f"http://localhost:{elsewhere.port}\\@127.0.0.1/login"}),
        })
        response = live().fetch(allowed.url("/members"), LOCAL)
        assert elsewhere.seen == []
        assert len(allowed.hits("/moved")) == 1
    assert response.error == "redirect_not_allowed"


def test_robots_txt_redirected_off_the_allow_list_is_not_followed(live):
    with LoopbackServer({"/robots.txt": Reply(200, {}, b"User-agent: *\nAllow: /\n")},
                        url_host="localhost") as elsewhere, LoopbackServer() as allowed:
        allowed.routes.update({"/robots.txt": Reply(302, {"Location": elsewhere.url("/robots.txt")}),
                               "/members": Reply(200, HTML, b"<p>x</p>")})
        response = live().fetch(allowed.url("/members"), LOCAL)
        assert elsewhere.seen == []
    assert response.error is None  # an unfollowable robots redirect counts as "no robots.txt" (RFC 9309)


# --------------------------------------------------------------------------------- credentials

def test_no_credentials_from_netrc_or_a_redirect_url_are_sent(live, tmp_path, monkeypatch):
    """requests adds Authorization from ~/.netrc (trust_env) and from user:password@ in a URL."""
    (tmp_path / ".netrc").write_text("machine 127.0.0.1 login alice password s3cret\n", encoding="utf-8")
    os.chmod(tmp_path / ".netrc", 0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NETRC", str(tmp_path / ".netrc"))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "*")
    with LoopbackServer() as server:
        server.routes.update({
            "/members": Reply(200, HTML, b"<p>x</p>"),
            "/hop": Reply(302, {"Location": f"http://bob:pw@127.0.0.1:{server.port}/members"}),
        })
        fetcher = live(trust_env=True)
        fetcher.fetch(server.url("/members"), LOCAL)
        fetcher.fetch(server.url("/hop"), LOCAL)
        fetcher.fetch(f"http://carol:pw@127.0.0.1:{server.port}/members", LOCAL)
        seen = server.hits("/members")
    assert len(seen) == 3
    assert [s.headers.get("authorization") for s in seen] == [None, None, None]
    assert all("cookie" not in s.headers for s in seen)


def test_only_the_configured_headers_are_sent(live):
    with LoopbackServer({"/members": Reply(200, HTML, b"<p>x</p>")}) as server:
        live().fetch(server.url("/members"), LOCAL)
        (seen,) = server.hits("/members")
    assert set(seen.headers) <= {"host", "user-agent", "accept-encoding", "accept", "connection"}


# --------------------------------------------------------------------------------- SQL

SQL_CALLS = {"execute": 0, "executemany": 0, "sql": 0, "query": 0, "rows": 1}  # method -> position of the SQL
# Every expression interpolated into SQL text, by file, reviewed: each yields an identifier, a placeholder
# list or a quoted path, never a value from a page, a registry file or a user. A new one fails this test
# until it is reviewed and added here.
REVIEWED_SQL_INTERPOLATIONS = {
    ("warehouse/gazetteer.py", "table"): "loops over a constant tuple of ref table names",
    ("warehouse/publish.py", "relation"): "_quote()d schema.table from information_schema of marts/metrics",
    ("warehouse/publish.py", "_quote(schema)"): "identifier quoted by _quote (doubles any quote)",
    ("warehouse/publish.py", "_quote(table)"): "identifier quoted by _quote",
    ("warehouse/publish.py", "_sql_path(tmp)"): "our own temporary file path; COPY/ATTACH take no parameters",
    ("warehouse/publish.py", "_sql_path(copy)"): "our own temporary file path; ATTACH takes no parameters",
    ("warehouse/publish.py", "PUBLISHED_STORAGE_VERSION"): "a constant storage version",
    ("warehouse/publish.py", "_quote(column)"): "identifier from duckdb_columns(), quoted by _quote",
    ("warehouse/publish.py", "_sql_literal(description)"): "dbt description as a string literal (quotes doubled); "
                                                           "COMMENT ON takes no parameters",
    ("warehouse/publish.py", "_sql_literal(text)"): "the same, for a column's description",
    ("warehouse/spreadsheet.py", "_quote(catalog)"): "the catalog alias we attached, quoted by _quote",
    ("warehouse/spreadsheet.py", "_quote(schema)"): "identifier from duckdb_tables(), quoted by _quote",
    ("warehouse/spreadsheet.py", "_quote(table)"): "identifier from duckdb_tables(), quoted by _quote",
    ("warehouse/spreadsheet.py", "_select(con, catalog, schema, table, 'csv')"):
        "a SELECT of _quote()d columns of a table from duckdb_tables()",
    ("warehouse/spreadsheet.py", "path"): "our own temporary file path, quotes doubled; COPY takes no parameters",
    ("warehouse/raw_load.py", "FETCH_COLUMNS"): "constant column list",
    ("warehouse/raw_load.py", "', '.join('?' * 17)"): "placeholders",
    ("warehouse/raw_load.py", "', '.join('?' * 11)"): "placeholders",
    ("warehouse/resolution/store.py", "', '.join('?' * 20)"): "placeholders",
    ("warehouse/resolution/store.py", "', '.join(KEY_COLUMNS)"): "constant column list",
    ("warehouse/summary.py", "relation"): "quoted schema.table from information_schema",
    ("warehouse/db.py", "target"): "insert_rows: table and column list, constants at every call (checked below)",
    ("warehouse/db.py", "select"): "insert_rows: unnest($n) placeholders, one per column",
    ("warehouse/resolution/store.py", "_INPUTS_SQL"): "a constant query",
}


def _sql_interpolations(base: Path = REPO) -> set[tuple[str, str]]:
    found = set()
    for root in ("orchestration", "warehouse", "scrapers", "benchmarks"):
        for path in sorted((base / root).rglob("*.py")):
            relative = str(path.relative_to(base))
            tree = ast.parse(path.read_text(encoding="utf-8"), relative)
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in SQL_CALLS):
                    continue
                position = SQL_CALLS[node.func.attr]
                for arg in node.args[position:position + 1]:
                    for sub in ast.walk(arg):
                        if isinstance(sub, ast.FormattedValue):
                            found.add((relative, ast.unparse(sub.value)))
                        elif isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Add):
                            for side in (sub.left, sub.right):
                                if not isinstance(side, (ast.Constant, ast.BinOp, ast.JoinedStr)):
                                    found.add((relative, ast.unparse(side)))
                        elif isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Mod):
                            found.add((relative, "%-format: " + ast.unparse(sub)))
                        elif (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)
                              and sub.func.attr == "format" and isinstance(sub.func.value, ast.Constant)):
                            found.add((relative, ".format: " + ast.unparse(sub)))
    return found


def test_sql_text_interpolates_only_reviewed_identifiers():
    found = _sql_interpolations()
    unreviewed = sorted(found - set(REVIEWED_SQL_INTERPOLATIONS))
    assert not unreviewed, f"SQL built from unreviewed expressions (use ? parameters): {unreviewed}"
    assert len(found) >= 8  # the scan itself works: it sees the reviewed ones


def test_insert_rows_gets_constant_table_and_column_names():
    """warehouse.db.insert_rows puts its table and columns into the SQL text: only constants may go there."""
    calls = 0
    for root in ("orchestration", "warehouse", "scrapers", "benchmarks"):
        for path in sorted((REPO / root).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                func = getattr(node, "func", None)
                name = getattr(func, "id", None) or getattr(func, "attr", None)
                if not (isinstance(node, ast.Call) and name == "insert_rows"):
                    continue
                calls += 1
                table = node.args[1] if len(node.args) > 1 else None
                assert isinstance(table, ast.Constant) and isinstance(table.value, str), (path, ast.unparse(node))
                columns = node.args[3] if len(node.args) > 3 else None
                assert columns is None or isinstance(columns, ast.Constant) or (
                    isinstance(columns, ast.Name) and columns.id.isupper()), (path, ast.unparse(node))
    assert calls == 0 or calls >= 3


def test_the_sql_scan_catches_a_value_in_an_f_string(tmp_path):
    (tmp_path / "warehouse").mkdir()
    (tmp_path / "warehouse" / "probe.py").write_text(
        'def f(con, name, city):\n'
        '    con.execute(f"SELECT * FROM t WHERE name = \'{name}\'")\n'
        '    con.execute("SELECT * FROM t WHERE city = \'" + city + "\'")\n', encoding="utf-8")
    assert _sql_interpolations(tmp_path) == {("warehouse/probe.py", "name"), ("warehouse/probe.py", "city")}


def test_dbt_vars_reach_sql_only_quoted_or_as_checked_numbers():
    """String vars go through sql_string() (quotes doubled); numeric vars are refused unless numbers
    (macros/check_vars.sql, run on-run-start), so no var can carry SQL."""
    import re

    macros_and_models = list((REPO / "dbt_project").rglob("*.sql"))
    raw_uses = []
    for path in macros_and_models:
        for match in re.finditer(r"\{\{\s*var\('(\w+)'\)\s*\}\}", path.read_text(encoding="utf-8")):
            raw_uses.append(match.group(1))
    checked = (REPO / "dbt_project" / "macros" / "check_vars.sql").read_text(encoding="utf-8")
    assert raw_uses
    for name in set(raw_uses):
        assert f"'{name}'" in checked, f"var {name} is put into SQL unquoted but not checked to be a number"
    project = (REPO / "dbt_project" / "dbt_project.yml").read_text(encoding="utf-8")
    assert "check_vars()" in project.split("on-run-start:", 1)[1].split("\n\n", 1)[0]


# --------------------------------------------------------------------------------- CSV exports

FORMULAS = ['=HYPERLINK("http://evil.example","Kiel")', "+Bonn", "-2+3", "@SUM(A1)", "\tJena", "\rUlm", "Kiel"]


def test_tcn_resolve_output_escapes_formula_cells(tmp_path, gazetteer_db):
    from warehouse.resolution.csv_io import resolve_csv
    from warehouse.resolution.store import open_resolver

    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["name", "country_code", "=note"])
        for name in FORMULAS:
            writer.writerow([name, "DE", "@x"])
    out = io.StringIO()
    counts = resolve_csv(source, out, open_resolver(gazetteer_db))
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert counts["rows"] == len(FORMULAS)
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (cell, row)
    assert rows[0][2] == "'=note"
    assert [r[0] for r in rows[1:]] == ["'" + n if n[0] in "=+-@\t\r" else n for n in FORMULAS]
    assert rows[-1][0] == "Kiel" and rows[-1][3]  # a plain name is untouched, and resolved


def test_published_files_are_not_csv():
    """The only other exports are Parquet, DuckDB (typed, never evaluated) and the spreadsheet files, whose text
    is neutralised (tests/test_publish_for_spreadsheets.py): no other CSV writer, but the gazetteer's temporary
    bulk-load files, which only DuckDB reads."""
    writers = []
    for root in ("orchestration", "warehouse"):
        for path in (REPO / root).rglob("*.py"):
            if "csv.writer" in path.read_text(encoding="utf-8"):
                writers.append(str(path.relative_to(REPO)))
    assert sorted(writers) == ["warehouse/gazetteer.py", "warehouse/resolution/csv_io.py", "warehouse/spreadsheet.py"]


# --------------------------------------------------------------------------------- permissions

PERMISSIONS_SCRIPT = """
import os, sys
os.umask(int(sys.argv[2], 8))
from orchestration.settings import configure_environment
from warehouse.db import connect
from warehouse.migrations import migrate
from warehouse.publish import publish
paths = configure_environment(sys.argv[1])
migrate(paths.working_db)
with connect(paths.working_db) as con:
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute("CREATE OR REPLACE TABLE marts.dim_city AS SELECT range AS city_id FROM range(3)")
publish(paths, "run-perm")
"""


@pytest.mark.parametrize("umask", ["000", "077"])
def test_published_files_are_group_readable_and_nothing_is_world_writable(tmp_path, umask):
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "TCN_DATA_DIR")}
    proc = subprocess.run([sys.executable, "-c", PERMISSIONS_SCRIPT, str(data), umask], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    published = data / "published"
    files = [p for p in data.rglob("*")]
    assert files
    for path in files:
        mode = path.stat().st_mode
        assert not mode & stat.S_IWOTH, f"{path} is writable by others ({oct(mode)})"
    for path in [published, *published.rglob("*")]:
        mode = path.stat().st_mode
        assert mode & stat.S_IRGRP, f"{path} is not readable by the group ({oct(mode)})"
        if path.is_dir():
            assert mode & stat.S_IXGRP, f"{path}: the group cannot enter it ({oct(mode)})"
    assert (published / "parquet" / "dim_city.parquet").exists() and (published / "manifest.json").exists()
