"""The durable inbox: what a platform was told we received is stored before it is told so.

A platform adapter calls `accept` before it acknowledges an interaction; the row carries the
platform's own request id, so a second copy of the same request (a retry, or a request reaching
two processes) is stored once. Rows arriving together are written in one transaction (a group
commit): an acknowledgement then costs a share of one commit instead of one commit each.

The work is done from the row, under `carrying(item)`: the first transaction of the work that
writes anything also marks the row done (see `_mark_in_transaction`), so the effects and the mark
commit together or not at all. A process that dies leaves its rows leased to it; once the lease
runs out, any process takes them over with the ledger's rules (a conditional update under
FOR UPDATE SKIP LOCKED / BEGIN IMMEDIATE), so no two processes ever both take a row. The lease
is the process's, not each row's (one row in `inbox_owners`, written with the process's first
rows and renewed every third of a lease), so renewing and looking for abandoned rows cost the
same with a backlog of thousands as with none.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.db import WRITE_INTENT, dialect_insert, in_one_hop
from bot.store.inbox_marks import (
    Carried,
    InboxItemTaken,
    carrying_mark,
    done_statement,
    install_transaction_hooks,
)
from bot.store.tables import inbox, inbox_owners

log = logging.getLogger(__name__)

# How long a process owns the rows it accepted or took over without renewing the lease. A process
# renews every third of it, so only a process that stopped (or stalled that long) loses its rows.
DEFAULT_LEASE = timedelta(seconds=20)
# A row whose work failed this many times is given up (logged), so one poisonous request cannot
# bring every process that takes it over down with it.
MAX_ATTEMPTS = 3


@dataclass(frozen=True, kw_only=True)
class InboxItem:
    platform: str
    request_id: str
    payload: str
    received_at: datetime
    attempts: int = 0


@dataclass
class _Arrival:
    platform: str
    request_id: str
    payload: str
    received_at: datetime
    future: asyncio.Future[InboxItem | None] = field(repr=False)


class Inbox:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        owner: str,
        clock: Callable[[], datetime],
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self.engine = engine
        self.owner = owner
        self.clock = clock
        self.lease = lease
        self._arrivals: list[_Arrival] = []
        # The one task writing arrivals: requests parsed in the same loop turn reach it together
        # and share a commit.
        self._writer: asyncio.Task[None] | None = None
        self._leased = False  # this process's row in inbox_owners is written
        install_transaction_hooks(engine)

    # Accepting ------------------------------------------------------------------------------

    async def accept(self, *, platform: str, request_id: str, payload: str) -> InboxItem | None:
        """Store one received request; None if this request id was stored before."""
        future: asyncio.Future[InboxItem | None] = asyncio.get_running_loop().create_future()
        self._arrivals.append(_Arrival(platform, request_id, payload, self.clock(), future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write_arrivals())
        return await future

    async def _write_arrivals(self) -> None:
        # Whatever arrives while one batch commits forms the next batch.
        while self._arrivals:
            await self._write_batch()

    async def _write_batch(self) -> None:
        batch, self._arrivals = self._arrivals, []
        try:
            stored = await self._insert(batch)
        except Exception as error:  # every waiting acknowledgement must hear of it
            for arrival in batch:
                if not arrival.future.done():
                    arrival.future.set_exception(error)
            return
        for arrival in batch:
            if not arrival.future.done():
                arrival.future.set_result(stored.get(id(arrival)))

    async def _insert(self, batch: list[_Arrival]) -> dict[int, InboxItem]:
        """Insert the batch in one transaction; only if a request id was stored before (a retry,
        rare) fall back to one transaction per row to find out which."""
        first: dict[tuple[str, str], _Arrival] = {}
        for arrival in batch:
            first.setdefault((arrival.platform, arrival.request_id), arrival)
        arrivals = list(first.values())
        try:
            await self._store(arrivals)
            kept = arrivals
        except IntegrityError:
            kept = []
            for arrival in arrivals:
                try:
                    await self._store([arrival])
                    kept.append(arrival)
                except IntegrityError:
                    pass  # received before
        return {
            id(arrival): InboxItem(
                platform=arrival.platform,
                request_id=arrival.request_id,
                payload=arrival.payload,
                received_at=arrival.received_at,
            )
            for arrival in kept
        }

    async def _store(self, arrivals: list[_Arrival]) -> None:
        rows = [self._row(arrival) for arrival in arrivals]
        # A row is only ever abandoned through its owner's lease, so the first rows of a process
        # bring the lease with them.
        lease = None if self._leased else self._lease_statement(arrivals[0].received_at)

        def write(connection: Connection) -> None:
            if lease is not None:
                connection.execute(lease)
            connection.execute(insert(inbox), rows)

        await in_one_hop(self.engine, write)
        self._leased = True

    def _row(self, arrival: _Arrival) -> dict[str, Any]:
        return {
            "platform": arrival.platform,
            "request_id": arrival.request_id,
            "payload": arrival.payload,
            "received_at": arrival.received_at,
            "claimed_by": self.owner,
            "lease_until": arrival.received_at + self.lease,
        }

    # Doing the work -------------------------------------------------------------------------

    @contextlib.contextmanager
    def carrying(self, item: InboxItem) -> Iterator[Carried]:
        """Within this block, the first writing transaction also marks `item` done."""
        with carrying_mark(item.platform, item.request_id, now=self.clock()) as mark:
            yield mark

    async def finish(self, mark: Carried) -> bool:
        """Mark the item done if its work wrote nothing; False if another process had done it."""
        if mark.committed:
            return True
        if mark.taken:
            return False
        async with self.engine.begin() as connection:
            result = await connection.execute(
                done_statement(mark.platform, mark.request_id, mark.now)
            )
        return result.rowcount > 0

    async def give_up(self, item: InboxItem) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(done_statement(item.platform, item.request_id, self.clock()))

    # Leases ---------------------------------------------------------------------------------

    async def renew(self) -> None:
        """Keep this process's unfinished rows its own: one row, however many it holds."""
        async with self.engine.begin() as connection:
            await connection.execute(self._lease_statement(self.clock()))
        self._leased = True

    def _lease_statement(self, now: datetime) -> Any:
        until = now + self.lease
        return (
            dialect_insert(self.engine, inbox_owners)
            .values(owner=self.owner, lease_until=until)
            .on_conflict_do_update(index_elements=["owner"], set_={"lease_until": until})
        )

    async def take_abandoned(self, *, limit: int = 200) -> list[InboxItem]:
        """Unfinished rows whose owner stopped renewing its lease, now owned by this process."""
        now = self.clock()
        stopped = select(inbox_owners.c.owner).where(inbox_owners.c.lease_until < now)
        abandoned = (inbox.c.done_at.is_(None), inbox.c.claimed_by.in_(stopped))
        async with self.engine.connect() as raw:
            connection = await raw.execution_options(**{WRITE_INTENT: True})
            async with connection.begin():
                rows = (
                    await connection.execute(
                        select(inbox)
                        .where(*abandoned)
                        .order_by(inbox.c.id)
                        .limit(limit)
                        .with_for_update(skip_locked=True)
                    )
                ).all()
                if not rows:
                    return []
                # The rows are locked (PostgreSQL) or the database is (SQLite's BEGIN
                # IMMEDIATE); the conditions still guard against a row finished meanwhile.
                await connection.execute(
                    update(inbox)
                    .where(inbox.c.id.in_([row.id for row in rows]), *abandoned)
                    .values(
                        claimed_by=self.owner,
                        lease_until=now + self.lease,
                        attempts=inbox.c.attempts + 1,
                    )
                )
        return [
            InboxItem(
                platform=row.platform,
                request_id=row.request_id,
                payload=row.payload,
                received_at=row.received_at,
                attempts=row.attempts + 1,
            )
            for row in rows
        ]

    async def purge(self, *, older_than: timedelta) -> int:
        """Forget finished rows (the request-id guard need only outlive the platform's
        retries) and the leases of processes long gone."""
        cutoff = self.clock() - older_than
        async with self.engine.begin() as connection:
            result = await connection.execute(
                delete(inbox).where(inbox.c.done_at.is_not(None), inbox.c.done_at < cutoff)
            )
            await connection.execute(
                delete(inbox_owners).where(inbox_owners.c.lease_until < cutoff)
            )
        return result.rowcount


__all__ = ["Carried", "Inbox", "InboxItem", "InboxItemTaken"]
