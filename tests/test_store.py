"""The store on SQLite always, and on PostgreSQL when STUDYBOT_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect

from bot.store.db import create_engine, normalise_url, upgrade_database
from bot.store.repos import Store, TipChoice

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def test_migrations_create_the_schema_and_are_idempotent(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade_database(engine)
        await upgrade_database(engine)  # a second start must be a no-op
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    finally:
        await engine.dispose()
    assert {"groups", "seen_tips", "key_values", "alembic_version"} <= names


async def test_groups_are_created_once_even_when_raced(store: Store) -> None:
    results = await asyncio.gather(
        *(store.ensure_group("slack:T1:C1", platform="slack", now=NOW) for _ in range(8))
    )
    assert {group.id for group in results} == {"slack:T1:C1"}
    group = results[0]
    assert (group.timezone, group.roadmap_week) == ("UTC", 1)
    await store.set_roadmap_week(group.id, 4)
    await store.set_group_timezone(group.id, "Europe/Berlin")
    again = await store.get_group(group.id)
    assert again is not None
    assert (again.timezone, again.roadmap_week) == ("Europe/Berlin", 4)


async def test_seen_tips_survive_a_reopen(database_url: str) -> None:
    first = Store(create_engine(database_url))
    await upgrade_database(first.engine)
    seen_before: list[set[str]] = []

    def pick(tip_id: str, forget: tuple[str, ...] = ()) -> Callable[[set[str]], TipChoice]:
        def choose(seen: set[str]) -> TipChoice:
            seen_before.append(seen)
            return TipChoice(tip_id=tip_id, topic="math", forget=forget)

        return choose

    await first.pick_tip("m1", pick("tip-a"), now=NOW)
    await first.pick_tip("m1", pick("tip-b"), now=NOW)
    await first.pick_tip("m1", pick("tip-a"), now=NOW)  # seen twice: still one row
    await first.close()
    assert seen_before == [set(), {"tip-a"}, {"tip-a", "tip-b"}]

    second = Store(create_engine(database_url))
    try:
        assert await second.seen_tip_ids("m1") == {"tip-a", "tip-b"}
        await second.pick_tip("m1", pick("tip-c", forget=("tip-a", "tip-b")), now=NOW)
        assert await second.seen_tip_ids("m1") == {"tip-c"}
        assert await second.seen_tip_ids("m2") == set()
    finally:
        await second.close()


async def test_datetimes_come_back_aware_utc(store: Store) -> None:
    berlin = timezone(timedelta(hours=1))
    await store.set_value("last-sync", "abc", now=datetime(2026, 3, 1, 13, 0, tzinfo=berlin))
    await store.set_value("last-sync", "def", now=NOW)
    assert await store.get_value("last-sync") == "def"
    assert await store.get_value("missing") is None
    group = await store.ensure_group("g", platform="console", now=NOW)
    assert group.id == "g"


async def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(Exception, match="naive datetimes"):
        await store.set_value("k", "v", now=datetime(2026, 1, 1))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@h/db", "postgresql+asyncpg://u:p@h/db"),
        ("postgresql://u@h:5432/db", "postgresql+asyncpg://u@h:5432/db"),
        ("sqlite:////tmp/x.db", "sqlite+inline:////tmp/x.db"),
        ("sqlite+aiosqlite:///rel.db", "sqlite+inline:///rel.db"),
    ],
)
def test_urls_get_async_drivers(url: str, expected: str) -> None:
    assert normalise_url(url) == expected
