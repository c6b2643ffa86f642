"""Where the warehouse keeps its files: everything lives under one data directory ($TCN_DATA_DIR).

The layout of a publication (published/...) is spelled here once: warehouse/publish.py writes it and
publication/reader.py is how everything else reads it."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @property
    def working_db(self) -> Path:
        """The pipeline's own database; analysts never open it (it would block the writer)."""
        return self.root / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        return self.root / "published"

    @property
    def parquet(self) -> Path:
        return self.published / "parquet"

    @property
    def published_db(self) -> Path:
        return self.published / "warehouse.duckdb"

    @property
    def workbook(self) -> Path:
        """Every published table as one Excel workbook (while each fits a sheet)."""
        return self.published / "warehouse.xlsx"

    @property
    def published_csv(self) -> Path:
        """One CSV per published table, written instead of the workbook when a table is over Excel's limit."""
        return self.published / "csv"

    @property
    def published_manifest(self) -> Path:
        """What a publication holds (tables, rows, sha256, run): written last, so it names only whole files."""
        return self.published / "manifest.json"

    @property
    def published_docs(self) -> Path:
        return self.published / "docs"

    @property
    def published_report(self) -> Path:
        return self.published / "report" / "index.html"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    @property
    def dbt_target(self) -> Path:
        """dbt's target folder for this data dir: kept between runs, so dbt parses only what changed."""
        return self.root / "dbt_target"


def data_paths(root: str | os.PathLike | None = None) -> DataPaths:
    """Paths under `root`, else $TCN_DATA_DIR, else ./data; the folder is created."""
    chosen = Path(root or os.environ.get("TCN_DATA_DIR") or "data").resolve()
    chosen.mkdir(parents=True, exist_ok=True)
    return DataPaths(chosen)
