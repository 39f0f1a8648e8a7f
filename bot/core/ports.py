"""What the core needs from an adapter to send messages nobody asked for (scheduled posts)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.model import Reply


@dataclass(frozen=True, kw_only=True)
class Pace:
    """How fast an adapter's platform lets a bot post.

    `per_second` caps posts across the whole bot; `per_conversation_per_second` caps posts into
    one channel; `concurrency` caps requests in flight. None means no cap.
    """

    per_second: float | None = None
    per_conversation_per_second: float | None = None
    concurrency: int = 8
    # Whom `per_second` applies to: the whole bot ("platform", Discord's global limit) or each
    # workspace on its own ("workspace", Slack's limits are per workspace).
    limit_scope: str = "platform"


class PostFailed(Exception):
    """The platform said no (an HTTP error, a missing channel…): nothing was posted."""

    def __init__(self, reason: str, *, retryable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class DirectMessagesClosed(PostFailed):
    """The member does not take private messages from the bot (closed, blocked, deactivated):
    re-sending cannot help, and what was meant for them belongs in the channel instead."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=False)


class PostOutcomeUnknown(Exception):
    """The request may or may not have reached the platform (e.g. a timeout after sending)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class HistoryUnavailable(Exception):
    """The platform cannot tell whether a post arrived (no permission, no record kept)."""


class Outbox(Protocol):
    """One adapter's way of posting into a group's conversation."""

    platform: str
    pace: Pace
    # True when the platform deduplicates by `idempotency_key` (Discord's enforced nonce), so a
    # post whose outcome is unknown may be sent again safely.
    idempotent: bool

    async def post(self, group_id: str, reply: Reply, *, idempotency_key: str) -> str | None:
        """Post `reply`; return the platform's message reference if it has one.

        Raises PostFailed when nothing was posted, PostOutcomeUnknown when that is not known.
        """
        ...

    async def find_posted(
        self, group_id: str, idempotency_key: str, *, since: datetime
    ) -> str | None:
        """Settle an attempt whose outcome was lost: the reference of the message posted with
        this key since `since`, or None if there is none. Raises HistoryUnavailable when the
        conversation cannot be read (or the platform keeps no such record)."""
        ...

    async def post_private(
        self, member_id: str, reply: Reply, *, idempotency_key: str
    ) -> str | None:
        """Send `reply` to one member only, in their direct conversation with the bot. Raises
        DirectMessagesClosed when the member does not take private messages, else as `post`."""
        ...

    async def find_posted_private(
        self, member_id: str, idempotency_key: str, *, since: datetime
    ) -> str | None:
        """`find_posted` for the member's direct conversation with the bot."""
        ...

    async def post_shared(
        self, group_id: str, member_ids: Sequence[str], reply: Reply, *, idempotency_key: str
    ) -> str | None:
        """Start a private conversation between these members of the group (and the bot) with
        `reply`: Slack a group DM, Discord a private thread in the group's channel."""
        ...

    async def find_posted_shared(
        self, group_id: str, member_ids: Sequence[str], idempotency_key: str, *, since: datetime
    ) -> str | None:
        """`find_posted` for that shared conversation."""
        ...
