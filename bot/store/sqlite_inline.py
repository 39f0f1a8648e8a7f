"""SQLite for the async engine without a thread hand-off per statement (`sqlite+inline://`).

aiosqlite runs every DB-API call on its own thread and wakes the event loop for each result: a
transaction of three statements costs six to eight hand-offs, measured at 3.4 ms for an empty
one on this project's machines, against about 0.06 ms for the same work on plain `sqlite3`.
This dialect gives SQLAlchemy's async engine the plain `sqlite3` module: each statement runs
inline on the event loop, in microseconds, and the engine's greenlet bridge never has to switch.

Two rules keep that safe, and `bot/store/db.py` applies both:
- One connection per engine (pool_size=1). Transactions of one process then never contend for
  SQLite's write lock, so SQLite's busy handler, which sleeps in the calling thread, never runs
  on the loop for a lock held by this very process. Tasks queue for the connection with asyncio.
- WAL mode with synchronous=NORMAL: readers never wait, and a commit writes to the WAL without
  an fsync. Only another process holding the write lock makes a statement wait (busy_timeout);
  several processes should share PostgreSQL instead (docs/deployment.md).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from types import ModuleType
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.util.concurrency import await_, in_greenlet


async def _nothing() -> None:
    return None


def _show_async() -> None:
    """Hand a finished coroutine to the engine's greenlet bridge.

    The async engine insists that a statement "awaited" something (AwaitRequired otherwise);
    a coroutine that returns at once satisfies it without yielding to the event loop.
    """
    if in_greenlet():
        await_(_nothing())


class InlineCursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> InlineCursor:
        _show_async()
        return super().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Iterable[Any], /) -> InlineCursor:
        _show_async()
        return super().executemany(sql, seq_of_parameters)

    async def _async_soft_close(self) -> None:
        """The async result's hook for drivers whose rows live elsewhere; ours are right here."""


class InlineConnection(sqlite3.Connection):
    def cursor(self, factory: Any = InlineCursor) -> Any:
        return super().cursor(factory)


def _connect(*args: Any, **kwargs: Any) -> InlineConnection:
    return sqlite3.connect(*args, **kwargs, factory=InlineConnection)


class _InlineModule(ModuleType):
    """The sqlite3 module, whose connections are InlineConnections."""

    def __getattr__(self, name: str) -> Any:
        return getattr(sqlite3, name)


_module = _InlineModule("sqlite_inline_dbapi")
_module.connect = _connect  # type: ignore[attr-defined]


class SQLiteDialect_inline(SQLiteDialect_pysqlite):  # noqa: N801 (SQLAlchemy's naming)
    driver = "inline"
    is_async = True
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> ModuleType:
        return _module

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        # Waiting for the connection must be an asyncio wait, not a blocked thread.
        return pool.AsyncAdaptedQueuePool


registry.register("sqlite.inline", __name__, "SQLiteDialect_inline")
