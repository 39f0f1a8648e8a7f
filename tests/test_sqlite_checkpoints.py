"""SQLite's WAL is checkpointed off the event loop, once commits pause or the WAL grows large."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from sqlalchemy import text

from bot.store.db import create_engine
from bot.store.sqlite_checkpoints import BackgroundCheckpoints
from tests.fakes.loopback import wait_until


def pages_in_file(path: Path) -> int:
    """Pages the database file itself holds; committed pages live in the WAL until a
    checkpoint copies them over."""
    return path.stat().st_size // 4096


def open_wal_database(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.execute("CREATE TABLE t (n INTEGER)")
    return connection


async def test_a_checkpoint_runs_once_commits_pause(tmp_path: Path) -> None:
    path = tmp_path / "quiet.db"
    connection = open_wal_database(path)
    checkpoints = BackgroundCheckpoints(str(path), quiet=0.05)
    for n in range(50):
        connection.execute("INSERT INTO t VALUES (?)", (n,))
        checkpoints.after_commit()
    assert checkpoints.completed == 0  # nothing ran inside the commits
    assert pages_in_file(path) == 1
    await wait_until(lambda: checkpoints.completed == 1, within=5, what="a checkpoint")
    assert pages_in_file(path) == 2  # the table's page was copied from the WAL
    await asyncio.sleep(0.2)
    assert checkpoints.completed == 1  # and nothing more while the database stays quiet
    connection.close()


async def test_a_wal_past_its_limit_is_checkpointed_without_waiting_for_a_pause(
    tmp_path: Path,
) -> None:
    path = tmp_path / "busy.db"
    connection = open_wal_database(path)
    checkpoints = BackgroundCheckpoints(str(path), quiet=3600, max_wal_bytes=1)
    for n in range(64):  # the size is looked at every 64 commits
        connection.execute("INSERT INTO t VALUES (?)", (n,))
        checkpoints.after_commit()
    await wait_until(lambda: checkpoints.completed == 1, within=5, what="a checkpoint")
    connection.close()


async def test_the_engine_leaves_checkpoints_to_the_background(tmp_path: Path) -> None:
    path = tmp_path / "engine.db"
    engine = create_engine(f"sqlite:///{path}")
    try:
        async with engine.begin() as connection:
            assert (await connection.execute(text("PRAGMA wal_autocheckpoint"))).scalar() == 0
            await connection.execute(text("CREATE TABLE t (n INTEGER)"))
        for n in range(20):
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
        assert pages_in_file(path) == 1
        await wait_until(
            lambda: pages_in_file(path) == 2, within=5, what="the WAL copied into the database"
        )
    finally:
        await engine.dispose()
