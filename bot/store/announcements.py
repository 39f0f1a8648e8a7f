"""Marks that make a row's one announcement go out exactly once: a poll's results, a check-in's
digest or reminder. The row is made ready first (closed, or its reminder claimed); its
announcement is then handed out like a delivery:

- claimed by one sweep (a token per claim, taken over once its lease has run out),
- marked attempted right before the request (which also restarts the lease),
- marked posted once settled (sent, found already posted, or given up with a notice).

A process killed in between leaves the row to be taken over; an attempted one is first looked for
in the conversation (or re-sent where the platform drops repeats). A command that closes a row
answers with the announcement itself and marks it posted at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.db import WRITE_INTENT


class AnnouncementMarks:
    """The `<prefix>_claimed_by`, `_claimed_at`, `_attempted_at` and `_posted_at` columns of a
    table with an integer `id` and a `platform`. A row's announcement is due once its `ready`
    column (by default `closed_at`) is set."""

    def __init__(
        self, engine: AsyncEngine, table: Table, *, prefix: str, ready: str = "closed_at"
    ) -> None:
        self.engine = engine
        self.table = table
        columns = table.c
        self.ready = columns[ready]
        self.claimed_by = columns[f"{prefix}_claimed_by"]
        self.claimed_at = columns[f"{prefix}_claimed_at"]
        self.attempted_at = columns[f"{prefix}_attempted_at"]
        self.posted_at = columns[f"{prefix}_posted_at"]

    def _unheld(self, now: datetime, lease: timedelta) -> ColumnElement[bool]:
        return or_(self.claimed_at.is_(None), self.claimed_at < now - lease)

    async def claim(
        self, *, platforms: Sequence[str], claimer: str, now: datetime, lease: timedelta
    ) -> list[tuple[Any, datetime | None]]:
        """Closed rows whose announcement is not posted and that nobody holds: claimed for
        `claimer`, each row with when an earlier owner attempted it (None: never)."""
        table = self.table
        async with self.engine.connect() as raw:
            connection = await raw.execution_options(**{WRITE_INTENT: True})
            async with connection.begin():
                candidates = (
                    await connection.execute(
                        select(table.c.id).where(
                            self.ready.is_not(None),
                            self.posted_at.is_(None),
                            table.c.platform.in_(list(platforms)),
                            self._unheld(now, lease),
                        )
                    )
                ).scalars()
                claimed = []
                for row_id in list(candidates):
                    # Conditional, so two processes racing for one row cannot both win it.
                    row = (
                        await connection.execute(
                            update(table)
                            .where(
                                table.c.id == row_id,
                                self.posted_at.is_(None),
                                self._unheld(now, lease),
                            )
                            .values({self.claimed_by: claimer, self.claimed_at: now})
                            .returning(*table.c)
                        )
                    ).first()
                    if row is not None:
                        claimed.append((row, row._mapping[self.attempted_at]))
                return claimed

    async def mark_attempted(self, row_id: int, *, claimer: str, now: datetime) -> bool:
        """Right before the announcement goes out; False if another claim has taken it over."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                update(self.table)
                .where(
                    self.table.c.id == row_id,
                    self.claimed_by == claimer,
                    self.posted_at.is_(None),
                )
                # The lease restarts too: the post itself is quick, the wait for a turn is not.
                .values({self.attempted_at: now, self.claimed_at: now})
            )
            return result.rowcount == 1

    async def mark_posted(self, row_id: int, *, now: datetime) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                update(self.table)
                .where(self.table.c.id == row_id, self.posted_at.is_(None))
                .values({self.posted_at: now})
            )
