"""Engine creation and schema upgrades."""

from __future__ import annotations

import functools
import logging
import os
import socket
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from platformdirs import user_data_dir
from sqlalchemy import Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.util import greenlet_spawn

from bot.settings import ConfigurationError
from bot.store import sqlite_inline  # noqa: F401  (registers the sqlite+inline dialect)
from bot.store.sqlite_checkpoints import BackgroundCheckpoints
from bot.store.sqlite_checkpoints import connection_pragmas as checkpoints_pragmas

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def process_identity() -> str:
    """Who holds a claim or a lease: unique per process life, readable in the database."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def default_database_url() -> str:
    folder = Path(user_data_dir("studybot", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'studybot.db'}"


def normalise_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://) and pick our async drivers."""
    parsed = make_url(url)
    driver = parsed.drivername
    if driver in {"postgres", "postgresql", "postgresql+psycopg2", "postgresql+psycopg"}:
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif driver in {"sqlite", "sqlite+aiosqlite", "sqlite+pysqlite"}:
        # Statements run inline on the loop instead of through aiosqlite's thread; see
        # bot/store/sqlite_inline.py for why that is faster and when it is safe.
        parsed = parsed.set(drivername="sqlite+inline")
    return parsed.render_as_string(hide_password=False)


def dialect_insert(connection: AsyncConnection | AsyncEngine, table: Table) -> Any:
    """An INSERT in the connection's (or engine's) own dialect, so it has
    `on_conflict_do_nothing` and `on_conflict_do_update` (PostgreSQL and SQLite spell them
    alike)."""
    module: Any = postgresql if connection.dialect.name == "postgresql" else sqlite
    return module.insert(table)


T = TypeVar("T")


async def in_one_hop(
    engine: AsyncEngine, work: Callable[[Connection], T], *, write_intent: bool = False
) -> T:
    """Run `work` on the engine's synchronous connection, in one transaction, in one hop.

    `async with engine.begin()` crosses into SQLAlchemy's greenlet once for the connection, once
    for BEGIN, once per statement, once for COMMIT and once more (in a task of its own) to give
    the connection back: about 150 µs of overhead per transaction on SQLite, measured, against
    about 60 µs for the commit itself. For the hottest small transactions (the inbox's write
    before every acknowledgement, a /tip) one crossing does it all. `work` must not await; with
    PostgreSQL its statements still go through asyncpg, from the same greenlet. `write_intent`
    is WRITE_INTENT: read-then-write work takes SQLite's write lock up front.
    """

    def in_transaction() -> T:
        with engine.sync_engine.connect() as connection:
            if write_intent:
                connection = connection.execution_options(**{WRITE_INTENT: True})
            with connection.begin():
                return work(connection)

    return await greenlet_spawn(in_transaction)


def create_engine(url: str) -> AsyncEngine:
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        # One connection: see bot/store/sqlite_inline.py.
        engine = create_async_engine(url, connect_args={"timeout": 30}, pool_size=1, max_overflow=0)
        database = make_url(url).database or ""
        pragmas: tuple[str, ...] = SQLITE_PRAGMAS
        if database and database != ":memory:" and not database.startswith("file:"):
            # Off the loop: see bot/store/sqlite_checkpoints.py.
            checkpoints = BackgroundCheckpoints(database)
            pragmas += checkpoints_pragmas()
            event.listen(engine.sync_engine, "commit", lambda _c: checkpoints.after_commit())
        event.listen(engine.sync_engine, "connect", functools.partial(_sqlite_pragmas, pragmas))
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


# WAL lets readers proceed while a writer commits; busy_timeout makes a second process wait
# for the lock instead of failing at once; synchronous=NORMAL is durable across process
# crashes in WAL mode, which is the failure we guard against (kill -9).
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=30000",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)


def _sqlite_pragmas(pragmas: tuple[str, ...], dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins (_sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in pragmas:
        cursor.execute(pragma)
    cursor.close()


# Execution option for transactions that read and then write (claiming due schedules). In WAL
# mode a deferred transaction that read an older snapshot cannot upgrade to a writer once another
# process committed ("database is locked"); BEGIN IMMEDIATE takes the write lock up front instead.
WRITE_INTENT = "studybot_write_intent"


def _sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(WRITE_INTENT, False)
    # Straight to the DB-API connection: SQLAlchemy's statement machinery (execution context,
    # events) costs as much as the rest of a small transaction, and BEGIN needs none of it.
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    finally:
        cursor.close()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


# Any fixed number: every studybot process takes the same PostgreSQL advisory lock to migrate.
MIGRATION_LOCK_KEY = 0x57D9B07


async def upgrade_database(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply migrations up to `revision` on the engine's database, one process at a time.

    Processes started together on a new database would otherwise all try to create the same
    tables: PostgreSQL serialises them with a transaction-scoped advisory lock (released at
    commit), SQLite with BEGIN IMMEDIATE, which takes the write lock before alembic reads the
    current revision (a deferred transaction that read first fails with "database is locked"
    instead of waiting). Whoever comes second finds the schema current and goes on.
    """

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.connect() as raw:
        connection = await raw.execution_options(**{WRITE_INTENT: True})
        async with connection.begin():
            if engine.dialect.name == "postgresql":
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            await connection.run_sync(run)
    log.debug("database schema is at %s", revision)


class DatabaseUnavailable(ConfigurationError):
    """The database STUDYBOT_DATABASE_URL names cannot be opened or upgraded."""


async def open_database(url: str) -> AsyncEngine:
    """An engine on an up-to-date schema, or DatabaseUnavailable with one clear line (the URL is
    shown without its password)."""
    engine = create_engine(url)
    try:
        await upgrade_database(engine)
    except (OSError, TimeoutError, DBAPIError) as error:
        await engine.dispose()
        where = make_url(normalise_url(url)).render_as_string(hide_password=True)
        raise DatabaseUnavailable(
            f"cannot open the database STUDYBOT_DATABASE_URL names ({where}): {_reason(error)}"
        ) from None
    except BaseException:
        await engine.dispose()
        raise
    return engine


def _reason(error: BaseException) -> str:
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    return text[:200]
