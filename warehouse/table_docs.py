"""What dbt says about each published table: its description, its columns' descriptions and the columns its
contract declares NOT NULL, read from dbt's manifest.json (the parse the pipeline builds its assets from).

The publication carries them into the DuckDB copy (COMMENT ON, NOT NULL) and the workbook's column sheet, so
an analyst reads the documentation in whatever tool opens the data, not only in the dbt docs site.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


class TableDocsError(ValueError):
    pass


@dataclass(frozen=True)
class TableDoc:
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # column -> description
    not_null: frozenset[str] = frozenset()


def load_table_docs(manifest_path: Path, schemas: tuple[str, ...]) -> dict[tuple[str, str], TableDoc]:
    """(schema, table) -> TableDoc for every dbt model built into one of `schemas`."""
    try:
        manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
        nodes = manifest["nodes"].values()
    except (OSError, ValueError, KeyError, AttributeError) as exc:
        raise TableDocsError(f"{manifest_path}: not a readable dbt manifest ({exc})") from exc
    docs: dict[tuple[str, str], TableDoc] = {}
    for node in nodes:
        if node.get("resource_type") != "model" or node.get("schema") not in schemas:
            continue
        table = node.get("alias") or node["name"]
        columns = node.get("columns") or {}
        not_null = {name for name, col in columns.items()
                    if any(c.get("type") == "not_null" for c in col.get("constraints") or [])}
        # a model-level constraint names its columns
        for constraint in node.get("constraints") or []:
            if constraint.get("type") == "not_null":
                not_null.update(constraint.get("columns") or [])
        docs[(node["schema"], table)] = TableDoc(
            description=(node.get("description") or "").strip(),
            columns={name: (col.get("description") or "").strip() for name, col in columns.items()},
            not_null=frozenset(not_null))
    return docs
