"""The port between the scheduler and a kind of private message (a check-in's question, a
reminder, a note): the private half of bot/core/scheduled.py.

Features plan a message into the private ledger (a row per member, unique by key) with the
instant it may go out; the scheduler claims it when due, holds it for the member's hours, asks
its kind what to say at that moment, and sends it exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.model import Reply


@dataclass(frozen=True, kw_only=True)
class PrivateDelivery:
    """One message to one member that this process owns and must send."""

    message_id: int
    key: str
    platform: str
    group_id: str
    member_id: str
    kind: str
    payload: str | None
    due_at: datetime
    # When an earlier owner handed it to the platform (None: never sent).
    attempted_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class PrivatePost:
    reply: Reply
    # Said in the group's channel instead when the member does not take private messages
    # (DMs closed or turned off): names only, never a ping. None: nothing to fall back to.
    fallback: Reply | None = None
    # Sent to one conversation shared by these members (the ledger row's member among them)
    # instead of a DM: an accountability pair's group DM or private thread.
    shared_with: tuple[str, ...] = ()


class PrivateKind(Protocol):
    @property
    def name(self) -> str: ...

    async def compose(self, message: PrivateDelivery) -> PrivatePost | None:
        """What to send now; None when there is nothing to say any more (e.g. the member
        answered before their reminder was due)."""
        ...
