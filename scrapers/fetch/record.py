"""Write live responses as snapshot files + manifest entries, so a live run can refresh replay data."""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
from pathlib import Path

from scrapers.fetch import base
from scrapers.model import FetchedResponse

PROVENANCE = "captured live"
_KEPT_HEADERS = ("content-type", "content-language", "etag", "last-modified")  # no cookies, no dates
_EXTENSIONS = {"html": ".html", "json": ".json", "csv": ".csv", "xml": ".xml", "plain": ".txt"}
_SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9.-]*$")


def _extension(content_type: str) -> str:
    for key, ext in _EXTENSIONS.items():
        if key in content_type.lower():
            return ext
    return ".bin"


def _write_atomic(path: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as tmp:
        tmp.write(data)
    os.replace(tmp.name, path)


class SnapshotRecorder:
    def __init__(self, record_dir: Path):
        self.record_dir = Path(record_dir)
        self._lock = threading.Lock()  # manifests are read-modify-write

    def record(self, response: FetchedResponse, network_id: str | None = None) -> Path:
        """Store one response; the folder is the network id, or the host when none is given."""
        folder = network_id or base.host_of(response.url)
        if not _SAFE_ID.match(folder):
            raise ValueError(f"cannot record {response.url}: unsafe snapshot folder name {folder!r}")
        headers = {k: v for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS}
        content_type = base.header(headers, "Content-Type") or ""
        body_file = hashlib.sha256(response.url.encode()).hexdigest()[:16] + _extension(content_type)
        entry = {
            "url": response.url,
            "final_url": response.final_url or response.url,
            "status": response.status,
            "headers": headers,
            "body_file": body_file,
            "recorded_at": response.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "provenance": PROVENANCE,
        }
        with self._lock:
            directory = self.record_dir / folder
            directory.mkdir(parents=True, exist_ok=True)
            manifest_path = directory / "manifest.json"
            manifest = (json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists()
                        else {"network_id": folder, "provenance": PROVENANCE, "sources": [], "responses": []})
            _write_atomic(directory / body_file, response.body)
            manifest["responses"] = [r for r in manifest["responses"] if r.get("url") != response.url]
            manifest["responses"].append(entry)
            if response.url not in manifest.setdefault("sources", []):
                manifest["sources"].append(response.url)
            _write_atomic(manifest_path, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
        return manifest_path
