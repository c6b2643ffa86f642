"""Dagster resources: the data directory every asset reads and writes."""
from __future__ import annotations

import dagster as dg

from warehouse.paths import DataPaths, data_paths


class DataDir(dg.ConfigurableResource):
    """The data directory: the working database, the publication, dbt's target folder. `tcn` sets `path` in
    each run's config; left empty (the Dagster UI), it is $TCN_DATA_DIR, else ./data."""

    path: str = ""

    @property
    def paths(self) -> DataPaths:
        return data_paths(self.path or None)
