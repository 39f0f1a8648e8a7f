"""The durable inbox on SQLite and PostgreSQL: stored once, done once, taken over once."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from bot.adapters.intake import Intake
from bot.store.inbox import Carried, Inbox, InboxItem, InboxItemTaken
from bot.store.repos import Store
from bot.store.tables import inbox, inbox_owners, key_values
from tests.fakes.clock import FakeClock

LEASE = timedelta(seconds=20)


def make_inbox(store: Store, clock: FakeClock, owner: str) -> Inbox:
    return Inbox(store.engine, owner=owner, clock=clock, lease=LEASE)


async def remember(store: Store, key: str) -> None:
    """A stand-in for a feature's effect: one write transaction."""
    async with store.engine.begin() as connection:
        await connection.execute(
            insert(key_values).values(key=key, value="x", updated_at=datetime.now(UTC))
        )


async def keys(store: Store) -> list[str]:
    async with store.engine.connect() as connection:
        return list((await connection.execute(select(key_values.c.key))).scalars())


async def open_rows(store: Store) -> int:
    async with store.engine.connect() as connection:
        query = select(func.count()).select_from(inbox).where(inbox.c.done_at.is_(None))
        return (await connection.execute(query)).scalar_one()


async def test_a_request_id_is_stored_once_even_within_one_batch(
    store: Store, clock: FakeClock
) -> None:
    box = make_inbox(store, clock, "p1")
    stored = await asyncio.gather(
        *(box.accept(platform="slack", request_id=f"r{i % 3}", payload="{}") for i in range(9))
    )
    assert [item is not None for item in stored] == [True] * 3 + [False] * 6
    later = await box.accept(platform="slack", request_id="r1", payload="{}")
    assert later is None  # a retry after the batch: still recognised
    other = await box.accept(platform="discord", request_id="r1", payload="{}")
    assert other is not None  # ids are per platform
    assert await open_rows(store) == 4


async def test_the_done_mark_commits_with_the_effects_or_not_at_all(
    store: Store, clock: FakeClock
) -> None:
    box = make_inbox(store, clock, "p1")
    item = await box.accept(platform="slack", request_id="t1", payload="{}")
    assert item is not None
    with box.carrying(item) as carried:
        await remember(store, "first")
    assert carried.committed
    assert await box.finish(carried)
    assert await open_rows(store) == 0
    # The same item worked again (another process that took it over): its effect rolls back.
    with box.carrying(item) as again, pytest.raises(InboxItemTaken):
        await remember(store, "second")
    assert again.taken
    assert not await box.finish(again)
    assert await keys(store) == ["first"]


async def test_a_rolled_back_transaction_leaves_the_item_open(
    store: Store, clock: FakeClock
) -> None:
    box = make_inbox(store, clock, "p1")
    item = await box.accept(platform="slack", request_id="t1", payload="{}")
    assert item is not None

    async def fail_half_way() -> None:
        async with store.engine.begin() as connection:
            await connection.execute(
                insert(key_values).values(key="k", value="v", updated_at=clock())
            )
            raise RuntimeError("the feature failed half-way")

    with box.carrying(item) as carried:
        with pytest.raises(RuntimeError):
            await fail_half_way()
        assert not carried.committed
        assert await open_rows(store) == 1
        await remember(store, "retry")  # the next writing transaction carries the mark
    assert carried.committed
    assert await open_rows(store) == 0


async def test_work_left_by_a_stopped_process_is_taken_over_once_after_its_lease(
    store: Store, clock: FakeClock
) -> None:
    dead = make_inbox(store, clock, "dead")
    received = clock()
    await dead.accept(platform="slack", request_id="t1", payload='{"n": 1}')
    first, second = make_inbox(store, clock, "a"), make_inbox(store, clock, "b")
    assert await first.take_abandoned() == []  # the lease still runs
    clock.advance(LEASE + timedelta(seconds=1))
    taken = await asyncio.gather(first.take_abandoned(), second.take_abandoned())
    assert sorted(len(items) for items in taken) == [0, 1]
    [item] = taken[0] or taken[1]
    assert item.payload == '{"n": 1}'
    assert item.attempts == 1
    assert item.received_at == received  # stored as every other time column is, read back exact
    # The owner renews; nobody else takes the item while it does.
    owner = first if taken[0] else second
    clock.advance(LEASE - timedelta(seconds=1))
    await owner.renew()
    clock.advance(timedelta(seconds=5))
    assert await make_inbox(store, clock, "c").take_abandoned() == []


async def test_a_live_process_keeps_its_backlog_by_renewing_one_lease(
    store: Store, clock: FakeClock
) -> None:
    busy = make_inbox(store, clock, "busy")
    for number in range(3):
        await busy.accept(platform="slack", request_id=f"t{number}", payload="{}")
    clock.advance(LEASE / 2)
    await busy.renew()
    async with store.engine.connect() as connection:
        owners = (await connection.execute(select(func.count()).select_from(inbox_owners))).one()
    assert owners == (1,)  # one row for the process, not one update per held row
    clock.advance(LEASE / 2 + timedelta(seconds=1))  # past the lease its first rows brought
    other = make_inbox(store, clock, "other")
    assert await other.take_abandoned() == []
    clock.advance(LEASE / 2)  # and now the owner's has too: it stopped renewing
    assert len(await other.take_abandoned()) == 3


async def test_the_intake_resumes_abandoned_work_and_gives_up_on_poison(
    store: Store, clock: FakeClock
) -> None:
    dead = make_inbox(store, clock, "dead")
    await dead.accept(platform="slack", request_id="good", payload=json.dumps("good"))
    await dead.accept(platform="slack", request_id="poison", payload=json.dumps("poison"))
    async with store.engine.begin() as connection:  # the poison crashed two processes already
        await connection.execute(
            inbox.update().where(inbox.c.request_id == "poison").values(attempts=2)
        )
    clock.advance(LEASE + timedelta(seconds=1))
    handled: list[str] = []

    async def handle(item: InboxItem, carried: Carried) -> None:
        handled.append(json.loads(item.payload))
        await remember(store, item.request_id)

    intake = Intake(make_inbox(store, clock, "new"), handle, workers=2)
    await intake.start()
    await intake.drain()
    await intake.stop()
    assert handled == ["good"]
    assert await keys(store) == ["good"]
    assert await open_rows(store) == 0


async def test_finished_rows_are_purged_after_a_day(store: Store, clock: FakeClock) -> None:
    box = make_inbox(store, clock, "p1")
    item = await box.accept(platform="slack", request_id="t1", payload="{}")
    assert item is not None
    with box.carrying(item) as carried:
        pass
    assert await box.finish(carried)  # read-only work is marked done on its own
    assert await box.purge(older_than=timedelta(days=1)) == 0
    clock.advance(timedelta(days=1, seconds=1))
    assert await box.purge(older_than=timedelta(days=1)) == 1


def test_matplotlib_is_not_imported_at_start_up() -> None:
    probe = "import sys, bot.app, bot.cli; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
