"""Dagster's SQLite event log, keeping its database connections open between events.

The stock SqliteEventLogStorage creates an engine and opens a new connection for every event it stores (two
or three for an asset or check event, which it mirrors into the cross-run index). A refresh stores ~900
events (a planned event per asset and per check, then the run's own), so opening files cost seconds of every
run. This storage keeps one engine per database file and reuses its connection, and remembers the tables it
found (the stock one opens the index file again to ask whether a table exists, for every check event); the
files, their layout and the data are the stock ones, so the UI, the daemon and earlier runs read them as
before. Commits use SQLite's synchronous=NORMAL in WAL mode: a killed process loses nothing it committed;
only a power cut can lose the last events.
"""
from __future__ import annotations

from collections import OrderedDict
from contextlib import contextmanager
from typing import Iterator

import sqlalchemy as db
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS

OPEN_RUN_SHARDS = 4  # a long-lived process (the UI) reads many runs: keep only the latest few open


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, db.engine.Engine] = OrderedDict()
        self._tables_found: set[str] = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> db.engine.Engine:
        if shard in self._engines:
            self._engines.move_to_end(shard)
            return self._engines[shard]
        engine = db.create_engine(self.conn_string_for_shard(shard), pool_size=1,
                                  connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
        db.event.listen(engine, "connect", _relaxed_sync)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        run_shards = [s for s in self._engines if s != INDEX_SHARD_NAME]
        for old in run_shards[:-OPEN_RUN_SHARDS]:  # the least recently used first
            self._engines.pop(old).dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[db.engine.Connection]:
        with self._db_lock:  # as the stock storage: one thread at a time (the UI's watchers are threads)
            with self._engine(shard).connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        if table_name not in self._tables_found and super().has_table(table_name):
            self._tables_found.add(table_name)  # a table, once there, stays (a wipe forgets them all)
        return table_name in self._tables_found

    def _close_engines(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def wipe(self) -> None:  # it deletes the run files: close them first
        self._close_engines()
        self._tables_found.clear()
        super().wipe()

    def dispose(self) -> None:
        self._close_engines()
        super().dispose()


def _relaxed_sync(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")
