"""Answer fetches from recorded snapshots: offline, deterministic, same shape as live responses."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from scrapers.fetch import base
from scrapers.fetch.encoding import detect_encoding
from scrapers.model import FetchedResponse

DEFAULT_SNAPSHOT_DIR = Path(__file__).resolve().parent.parent / "snapshots"


class SnapshotError(ValueError):
    """A manifest or body file is missing or malformed; the message names the file."""


@dataclass(frozen=True)
class RecordedResponse:
    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body_path: Path
    manifest: Path


def _entries(manifest: Path) -> list[RecordedResponse]:
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        raw_entries = data["responses"]
        entries = [
            RecordedResponse(
                url=item["url"],
                final_url=item.get("final_url") or item["url"],
                status=int(item["status"]),
                headers={str(k): str(v) for k, v in (item.get("headers") or {}).items()},
                body_path=manifest.parent / item["body_file"],
                manifest=manifest,
            )
            for item in raw_entries
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SnapshotError(f"bad snapshot manifest {manifest}: {exc!r}") from exc
    for entry in entries:
        if not entry.body_path.is_file():
            raise SnapshotError(f"snapshot manifest {manifest}: body file missing: {entry.body_path}")
    return entries


def index_snapshots(snapshot_dir: Path) -> dict[str, RecordedResponse]:
    """Every recorded response under snapshot_dir/*/manifest.json, keyed by exact URL."""
    if not Path(snapshot_dir).is_dir():
        raise SnapshotError(f"snapshot directory not found: {snapshot_dir}")
    index: dict[str, RecordedResponse] = {}
    for manifest in sorted(Path(snapshot_dir).glob("*/manifest.json")):
        for entry in _entries(manifest):
            earlier = index.get(entry.url)
            if earlier is not None and earlier.manifest != manifest:
                raise SnapshotError(
                    f"URL {entry.url} is recorded in two manifests: {earlier.manifest} and {manifest}"
                )
            index[entry.url] = entry  # within one manifest the later entry wins (a refresh)
    return index


class ReplayFetcher(base.Fetcher):
    def __init__(self, snapshot_dir: Path | None = None):
        self.snapshot_dir = Path(snapshot_dir) if snapshot_dir is not None else DEFAULT_SNAPSHOT_DIR
        self._index = index_snapshots(self.snapshot_dir)

    def fetch(
        self,
        url: str,
        allowed_hosts: tuple[str, ...],
        *,
        if_none_match: str | None = None,
        if_modified_since: str | None = None,
        network_id: str | None = None,
    ) -> FetchedResponse:
        fetched_at = base.utc_now()
        if not base.scheme_allowed(url):
            return base.refusal(url, base.SCHEME_NOT_ALLOWED, fetched_at)
        if not base.host_allowed(url, allowed_hosts):
            return base.refusal(url, base.HOST_NOT_ALLOWED, fetched_at)
        entry = self._index.get(url)
        if entry is None:
            return base.refusal(url, base.NOT_IN_SNAPSHOT, fetched_at)
        if entry.final_url != url and not base.host_allowed(entry.final_url, allowed_hosts):
            return base.refusal(url, base.REDIRECT_NOT_ALLOWED, fetched_at)
        body = entry.body_path.read_bytes()
        return FetchedResponse(
            url=url,
            final_url=entry.final_url,
            status=entry.status,
            headers=dict(entry.headers),
            body=body,
            error=None if 200 <= entry.status < 300 else base.http_error(entry.status),
            fetched_at=fetched_at,
            elapsed_ms=0,
            encoding=detect_encoding(base.header(entry.headers, "Content-Type"), body),
        )
