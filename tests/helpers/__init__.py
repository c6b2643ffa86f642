"""What the tests share: the repository's paths, data dirs built once per session and copied, and the modules
beside this one (dbt runs on fixture databases, hand-made raw rows, loopback HTTP servers, the fault world)."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TCN = Path(sys.executable).parent / "tcn"


def built_once(tmp_path_factory, name: str, build) -> Path:
    """`build(folder)` run once per test session, whatever the number of xdist workers: the first worker to
    get here builds under a lock, the others wait and reuse the folder (read-only; tests copy from it)."""
    import fcntl

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the workers' common parent
    folder, done = shared / name, shared / f"{name}.done"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            done.touch()
    return folder


def copy_data_dir(source: Path, target: Path) -> Path:
    """A private copy of a data dir (working database, Dagster run storage, publication, dbt target)."""
    from orchestration.settings import write_dagster_yaml

    shutil.copytree(source, target, symlinks=True)
    write_dagster_yaml(target / "dagster_home")  # its event log path names the copy, as tcn would set it
    return target
