"""`tcn docs`: the dbt docs site of the published tables, under $TCN_DATA_DIR/published/docs/.

`dbt docs generate --static` writes static_index.html (manifest and catalog built in: open it straight from
disk, no server needed) next to the usual index.html, manifest.json and catalog.json. The catalog (column
types, row counts) is read from a private copy of the published DuckDB, never from the working database, so
building the docs neither blocks a running refresh nor is blocked by an analyst holding the published file.
Without a publication yet the site is built from the project alone (`--empty-catalog`).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from publication.reader import Publication

SITE_FILES = ("static_index.html", "index.html", "manifest.json", "catalog.json")


class DocsError(RuntimeError):
    pass


def build_docs(publication: Publication, project_dir: Path, dbt_executable: str = "dbt") -> Path:
    """Build the docs site into the publication's docs folder (replacing the previous one); returns its
    static_index.html."""
    publication.root.mkdir(parents=True, exist_ok=True)
    target = publication.docs_dir
    with tempfile.TemporaryDirectory(prefix=".docs-build-", dir=publication.root) as tmp:
        work = Path(tmp)
        catalog_db = work / "catalog.duckdb"
        extra = []
        if publication.duckdb.exists():
            shutil.copyfile(publication.duckdb, catalog_db)  # a rename over it later leaves this copy whole
        else:
            extra.append("--empty-catalog")
        env = {**os.environ, "TCN_DUCKDB_PATH": str(catalog_db), "DO_NOT_TRACK": "1"}
        proc = subprocess.run(
            [dbt_executable, "docs", "generate", "--static", *extra, "--project-dir", str(project_dir),
             "--profiles-dir", str(project_dir), "--target-path", str(work / "target"),
             "--log-path", str(work / "logs")],
            env=env, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            raise DocsError(f"dbt docs generate failed (exit {proc.returncode}):\n{proc.stdout[-4000:]}"
                            f"\n{proc.stderr[-2000:]}")
        site = work / "site"
        site.mkdir()
        for name in SITE_FILES:
            built = work / "target" / name
            if not built.exists():
                raise DocsError(f"dbt docs generate did not write {name} (dbt too old for --static?)")
            shutil.copy2(built, site / name)
        # swap: the old site is moved aside first, so the folder is never half written
        old = work / "previous"
        if target.exists():
            target.rename(old)
        site.rename(target)
    return publication.docs_index
