"""The inbox's done-mark, written in the transaction of the work's own effects.

While a worker does an inbox item, a context variable carries its mark; an engine event puts the
`UPDATE inbox SET done_at ...` into the first transaction that writes anything, so the effects
and the mark commit together or not at all. If the row was already done (another process took
the item over and finished it), the transaction fails with InboxItemTaken and rolls back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.tables import inbox

_STATE_KEY = "studybot_inbox_mark"


class InboxItemTaken(Exception):
    """Another process finished this item first; this process's effects are rolled back."""


@dataclass
class Carried:
    """The item whose done-mark rides on the next writing transaction of the current task.

    `taken` turns true when another process had finished the item: the effects were rolled back
    and the work must not answer.
    """

    platform: str
    request_id: str
    now: datetime
    committed: bool = False
    taken: bool = False


_carried: ContextVar[Carried | None] = ContextVar("studybot_inbox_carried", default=None)


@contextlib.contextmanager
def carrying_mark(platform: str, request_id: str, *, now: datetime) -> Iterator[Carried]:
    mark = Carried(platform=platform, request_id=request_id, now=now)
    token = _carried.set(mark)
    try:
        yield mark
    finally:
        _carried.reset(token)


def done_statement(platform: str, request_id: str, now: datetime) -> Any:
    return (
        update(inbox)
        .where(
            inbox.c.platform == platform,
            inbox.c.request_id == request_id,
            inbox.c.done_at.is_(None),
        )
        .values(done_at=now)
    )


_WRITES = ("INSERT", "UPDATE", "DELETE")


def install_transaction_hooks(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine
    if event.contains(sync_engine, "before_cursor_execute", _mark_in_transaction):
        return
    event.listen(sync_engine, "before_cursor_execute", _mark_in_transaction)
    event.listen(sync_engine, "commit", _on_commit)
    event.listen(sync_engine, "rollback", _on_rollback)


def _mark_in_transaction(
    connection: Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    """Before the first write of a transaction carrying an item, mark the item done in it."""
    mark = _carried.get()
    if mark is None or mark.committed or mark.taken:
        return
    if connection.info.get(_STATE_KEY) is not None:
        return  # this transaction carries the mark already (or is writing it right now)
    if not statement.lstrip()[:6].upper().startswith(_WRITES):
        return
    connection.info[_STATE_KEY] = mark
    result = connection.execute(done_statement(mark.platform, mark.request_id, mark.now))
    if result.rowcount == 0:
        mark.taken = True
        raise InboxItemTaken(f"{mark.platform} request {mark.request_id} was done elsewhere")


def _on_commit(connection: Connection) -> None:
    mark = connection.info.pop(_STATE_KEY, None)
    if mark is not None:
        mark.committed = True


def _on_rollback(connection: Connection) -> None:
    connection.info.pop(_STATE_KEY, None)
