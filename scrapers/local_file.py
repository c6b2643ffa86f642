"""Curated files on disk (source specs with `path:`) as FetchedResponses, so they parse like pages.

The fetchers stay HTTP-only with their strict host allow-list; a local file never goes through them.
"""
from __future__ import annotations

import threading
from datetime import datetime, timezone
from pathlib import Path

from scrapers.model import FetchedResponse, SourceSpec

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FILE_NOT_FOUND = "file_not_found"
FILE_UNREADABLE = "file_unreadable"


def curated_url(network_id: str, path: Path) -> str:
    """A stable label for the file in raw.fetches: no local directories, same on every machine."""
    return f"file-curated://{network_id}/{path.name}"


def read_local(spec: SourceSpec) -> FetchedResponse:
    """The file's bytes with status 200, or an error code (status None) when it cannot be read."""
    fetched_at = datetime.now(timezone.utc)
    headers = {"Content-Type": CONTENT_TYPES.get(spec.kind, "application/octet-stream")}
    try:
        body = _read_bytes(Path(spec.path))
    except FileNotFoundError:
        return FetchedResponse(spec.url, None, None, {}, b"", FILE_NOT_FOUND, fetched_at)
    except OSError:
        return FetchedResponse(spec.url, None, None, {}, b"", FILE_UNREADABLE, fetched_at)
    return FetchedResponse(url=spec.url, final_url=spec.url, status=200, headers=headers, body=body,
                           error=None, fetched_at=fetched_at)


_cache_lock = threading.Lock()
_cache: dict[tuple, bytes] = {}  # (path, mtime_ns, size) -> bytes, the latest few files
_CACHE_FILES = 4


def _read_bytes(path: Path) -> bytes:
    """The file's bytes; the same bytes object again while the file is unchanged. Many networks imported from
    one file (`tcn import`) read it in one run: the parser parses it once per object (table_input.read_table)."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        body = _cache.get(key)
    if body is None:
        body = path.read_bytes()
        with _cache_lock:
            _cache[key] = body
            while len(_cache) > _CACHE_FILES:
                del _cache[next(iter(_cache))]
    return body
