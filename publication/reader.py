"""The one reader of a publication: where its files are, and its manifest.

Everything that reads what a run published (the report, `tcn status`, `tcn docs`, the run summary's links)
comes through here, so the layout is known in one place (warehouse/paths.py writes it) and none of them
opens the working database.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from warehouse.paths import DataPaths


class PublicationMissing(RuntimeError):
    """Nothing (readable) is published yet."""


@dataclass(frozen=True)
class Publication:
    paths: DataPaths

    @property
    def root(self) -> Path:
        return self.paths.published

    @property
    def duckdb(self) -> Path:
        return self.paths.published_db

    @property
    def parquet_dir(self) -> Path:
        return self.paths.parquet

    @property
    def manifest_path(self) -> Path:
        return self.paths.published_manifest

    @property
    def docs_dir(self) -> Path:
        return self.paths.published_docs

    @property
    def docs_index(self) -> Path:
        return self.docs_dir / "static_index.html"

    @property
    def report_page(self) -> Path:
        return self.paths.published_report

    @property
    def workbook(self) -> Path:
        return self.paths.workbook

    @property
    def csv_dir(self) -> Path:
        return self.paths.published_csv

    def spreadsheets(self, manifest: dict | None = None) -> str:
        """Where the spreadsheet files of this publication are: the workbook, or the CSVs and why."""
        manifest = self.manifest() if manifest is None else manifest
        if manifest.get("workbook"):
            return str(self.root / manifest["workbook"]["path"])
        if manifest.get("csv"):
            return f"{self.csv_dir}/<table>.csv (no workbook: {manifest.get('workbook_skipped', '?')})"
        return "none in this publication (`tcn export --format xlsx` writes one)"

    def manifest(self) -> dict:
        """The manifest of the current publication; PublicationMissing when there is none or it is unreadable."""
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PublicationMissing(f"nothing published yet under {self.root}: run `tcn refresh`") from None
        except (OSError, ValueError) as exc:
            raise PublicationMissing(f"{self.manifest_path} cannot be read: {exc}") from exc

    def file_of(self, table: str) -> Path:
        """The Parquet file the manifest lists for `table`."""
        manifest = self.manifest()
        entry = next((t for t in manifest.get("tables", []) if t.get("table") == table), None)
        if entry is None:
            raise PublicationMissing(f"{self.manifest_path} lists no table {table!r}: "
                                     "the publication predates it; run `tcn refresh`")
        path = self.root / entry["path"]
        if not path.exists():
            raise PublicationMissing(f"{path} is missing although {self.manifest_path.name} lists it")
        return path

    def published_by(self, run_id: str) -> bool:
        """Whether the current publication was written by `run_id`."""
        try:
            return self.manifest().get("run_id") == run_id
        except PublicationMissing:
            return False
