"""The replay fetcher over snapshot folders written by each test (tmp dirs, never the bundled ones)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import scrapers
from scrapers.fetch import SnapshotError, make_fetcher
from scrapers.fetch.replay import DEFAULT_SNAPSHOT_DIR

MEMBERS_HTML = "<ul><li>Malmö</li><li>Zürich</li></ul>".encode("cp1252")


def write_snapshot(root: Path, network_id: str, responses: list[dict], bodies: dict[str, bytes]) -> None:
    folder = root / network_id
    folder.mkdir(parents=True)
    for name, data in bodies.items():
        (folder / name).write_bytes(data)
    manifest = {"network_id": network_id, "provenance": "written by a test", "sources": [],
                "responses": responses}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.fixture
def snapshots(tmp_path) -> Path:
    write_snapshot(
        tmp_path, "alpha",
        [{"url": "https://alpha.example.org/members", "status": 200,
          "headers": {"Content-Type": "text/html; charset=windows-1252"},
          "body_file": "members.html", "recorded_at": "2026-01-01T00:00:00Z"},
         {"url": "https://alpha.example.org/old", "status": 404, "headers": {},
          "body_file": "old.html", "recorded_at": "2026-01-01T00:00:00Z"}],
        {"members.html": MEMBERS_HTML, "old.html": b"<p>not found</p>"},
    )
    write_snapshot(
        tmp_path, "beta",
        [{"url": "https://beta.example.org/list.json", "status": 200,
          "headers": {"content-type": "application/json"}, "body_file": "list.json",
          "recorded_at": "2026-01-01T00:00:00Z"}],
        {"list.json": '[{"name": "Göteborg"}]'.encode("utf-8")},
    )
    return tmp_path


def test_recorded_response_comes_back_byte_for_byte(snapshots):
    fetcher = make_fetcher(mode="replay", snapshot_dir=snapshots)
    response = fetcher.fetch("https://alpha.example.org/members", ("alpha.example.org",))
    assert response.ok and response.error is None
    assert response.status == 200
    assert response.body == MEMBERS_HTML
    assert response.final_url == "https://alpha.example.org/members"
    assert response.headers == {"Content-Type": "text/html; charset=windows-1252"}
    assert response.encoding == "cp1252"
    assert response.text() == "<ul><li>Malmö</li><li>Zürich</li></ul>"


def test_every_manifest_is_indexed(snapshots):
    fetcher = make_fetcher(mode="replay", snapshot_dir=snapshots)
    response = fetcher.fetch("https://beta.example.org/list.json", ("beta.example.org",))
    assert response.status == 200
    assert response.encoding == "utf-8"
    assert json.loads(response.text()) == [{"name": "Göteborg"}]


def test_recorded_error_status_is_an_http_error(snapshots):
    response = make_fetcher(mode="replay", snapshot_dir=snapshots).fetch(
        "https://alpha.example.org/old", ("alpha.example.org",))
    assert response.status == 404
    assert response.error == "http_404"
    assert response.body == b"<p>not found</p>"


@pytest.mark.parametrize("url", ["https://alpha.example.org/members?page=2",
                                 "https://alpha.example.org/members/",
                                 "https://alpha.example.org/unknown"])
def test_unknown_url_is_not_in_snapshot(snapshots, url):
    response = make_fetcher(mode="replay", snapshot_dir=snapshots).fetch(url, ("alpha.example.org",))
    assert response.error == "not_in_snapshot"
    assert response.status is None
    assert response.body == b""
    assert not response.ok


def test_host_not_allowed_even_when_recorded(snapshots):
    fetcher = make_fetcher(mode="replay", snapshot_dir=snapshots)
    response = fetcher.fetch("https://alpha.example.org/members", ("www.alpha.example.org",))
    assert response.error == "host_not_allowed"
    assert response.status is None
    assert response.body == b""


def test_recorded_redirect_off_the_allow_list_is_refused(tmp_path):
    write_snapshot(
        tmp_path, "gamma",
        [{"url": "https://gamma.example.org/members", "final_url": "https://login.example.com/",
          "status": 200, "headers": {}, "body_file": "login.html", "recorded_at": "2026-01-01T00:00:00Z"}],
        {"login.html": b"<form>sign in</form>"},
    )
    response = make_fetcher(mode="replay", snapshot_dir=tmp_path).fetch(
        "https://gamma.example.org/members", ("gamma.example.org",))
    assert response.error == "redirect_not_allowed"


def test_missing_body_file_names_the_file(tmp_path):
    entry = {"url": "https://d.example.org/", "status": 200, "headers": {}, "body_file": "gone.html"}
    write_snapshot(tmp_path, "delta", [entry], {})
    with pytest.raises(SnapshotError, match="gone.html"):
        make_fetcher(mode="replay", snapshot_dir=tmp_path)


def test_malformed_manifest_names_the_manifest(tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "manifest.json").write_text('{"responses": [{"status": 200}]}', encoding="utf-8")
    with pytest.raises(SnapshotError, match="broken"):
        make_fetcher(mode="replay", snapshot_dir=tmp_path)


def test_same_url_in_two_manifests_is_an_error(tmp_path):
    entry = {"url": "https://x.example.org/", "status": 200, "headers": {}, "body_file": "a.html"}
    write_snapshot(tmp_path, "one", [entry], {"a.html": b"1"})
    write_snapshot(tmp_path, "two", [entry], {"a.html": b"2"})
    with pytest.raises(SnapshotError, match="two manifests"):
        make_fetcher(mode="replay", snapshot_dir=tmp_path)


def test_missing_snapshot_dir_is_an_error(tmp_path):
    with pytest.raises(SnapshotError, match="nowhere"):
        make_fetcher(mode="replay", snapshot_dir=tmp_path / "nowhere")


def test_default_snapshot_dir_is_inside_the_package():
    assert DEFAULT_SNAPSHOT_DIR == Path(scrapers.__file__).resolve().parent / "snapshots"


def test_replay_accepts_live_options_but_rejects_typos(snapshots):
    make_fetcher(mode="replay", snapshot_dir=snapshots, delay=2.0).close()
    with pytest.raises(TypeError):
        make_fetcher(mode="replay", snapshot_dir=snapshots, dealy=2.0)
