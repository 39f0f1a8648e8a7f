"""An in-memory Outbox with injectable failures, for scheduler tests and benchmarks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.model import Reply
from bot.core.ports import DirectMessagesClosed, HistoryUnavailable, Pace


@dataclass
class Post:
    group_id: str
    reply: Reply
    key: str


@dataclass
class FakeOutbox:
    platform: str = "test"
    pace: Pace = field(default_factory=lambda: Pace(concurrency=64))
    idempotent: bool = False
    posts: list[Post] = field(default_factory=list)
    attempts: list[str] = field(default_factory=list)
    # Raised, in order, by the next posts; an entry of None lets that attempt succeed.
    failures: list[Exception | None] = field(default_factory=list)
    # Like a platform whose history can be read (Slack): find_posted looks at `posts`.
    keeps_history: bool = True
    history_reads: int = 0
    # Private messages, as posts whose group_id is the member's id.
    private: list[Post] = field(default_factory=list)
    # Members whose DMs are closed: post_private raises DirectMessagesClosed.
    closed_dms: set[str] = field(default_factory=set)
    # Posts into conversations shared by several members (group_id holds "a,b").
    shared: list[Post] = field(default_factory=list)

    async def post(self, group_id: str, reply: Reply, *, idempotency_key: str) -> str | None:
        self.attempts.append(idempotency_key)
        if self.failures:
            failure = self.failures.pop(0)
            if failure is not None:
                raise failure
        if self.idempotent and any(p.key == idempotency_key for p in self.posts):
            return idempotency_key  # the platform drops the repeat, like Discord's nonce
        self.posts.append(Post(group_id=group_id, reply=reply, key=idempotency_key))
        return f"msg-{len(self.posts)}"

    async def find_posted(
        self, group_id: str, idempotency_key: str, *, since: datetime
    ) -> str | None:
        self.history_reads += 1
        if not self.keeps_history:
            raise HistoryUnavailable("this fake keeps no history")
        for index, post in enumerate(self.posts, start=1):
            if post.group_id == group_id and post.key == idempotency_key:
                return f"msg-{index}"
        return None

    async def post_private(
        self, member_id: str, reply: Reply, *, idempotency_key: str
    ) -> str | None:
        self.attempts.append(idempotency_key)
        if member_id in self.closed_dms:
            raise DirectMessagesClosed("this member's DMs are closed")
        if self.idempotent and any(p.key == idempotency_key for p in self.private):
            return idempotency_key
        self.private.append(Post(group_id=member_id, reply=reply, key=idempotency_key))
        return f"dm-{len(self.private)}"

    async def find_posted_private(
        self, member_id: str, idempotency_key: str, *, since: datetime
    ) -> str | None:
        self.history_reads += 1
        if not self.keeps_history:
            raise HistoryUnavailable("this fake keeps no history")
        for index, post in enumerate(self.private, start=1):
            if post.group_id == member_id and post.key == idempotency_key:
                return f"dm-{index}"
        return None

    async def post_shared(
        self, group_id: str, member_ids: Sequence[str], reply: Reply, *, idempotency_key: str
    ) -> str | None:
        self.attempts.append(idempotency_key)
        conversation = ",".join(member_ids)
        self.shared.append(Post(group_id=conversation, reply=reply, key=idempotency_key))
        return f"shared-{len(self.shared)}"

    async def find_posted_shared(
        self, group_id: str, member_ids: Sequence[str], idempotency_key: str, *, since: datetime
    ) -> str | None:
        self.history_reads += 1
        if not self.keeps_history:
            raise HistoryUnavailable("this fake keeps no history")
        found = [p for p in self.shared if p.key == idempotency_key]
        return "shared" if found else None

    def titles(self) -> list[str]:
        return [post.reply.title or "" for post in self.posts]
