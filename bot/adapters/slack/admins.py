"""What Slack says about a member's standing: a workspace admin or owner (users.info), the
creator of the channel (conversations.info). Remembered for a while; asked again when unsure."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

ADMIN_CACHE_SECONDS = 300.0


class AdminCache:
    def __init__(
        self,
        *,
        ttl: float = ADMIN_CACHE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self._monotonic = monotonic
        self._known: dict[tuple[str, str], tuple[float, bool]] = {}

    async def is_admin(self, client: AsyncWebClient, team_id: str, user_id: str) -> bool:
        key = (team_id, user_id)
        cached = self._known.get(key)
        now = self._monotonic()
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        try:
            response = await client.users_info(user=user_id)
            user = response.get("user") or {}
            is_admin = bool(
                user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")
            )
        except SlackApiError as error:
            # Fail closed: without an answer nobody gets admin rights. Not cached, so the next
            # command asks again.
            log.warning(
                "users.info failed (%s); treating the member as not an admin",
                error.response.get("error"),
            )
            return False
        self._known[key] = (now, is_admin)
        return is_admin


class ChannelCreators:
    """Who created each channel (conversations.info's `creator`): a group's organizer even when
    they are no workspace admin, which in a company workspace they rarely are."""

    def __init__(
        self,
        *,
        ttl: float = ADMIN_CACHE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self._monotonic = monotonic
        self._known: dict[tuple[str, str], tuple[float, str | None]] = {}

    async def created(
        self, client: AsyncWebClient, team_id: str, channel_id: str, user_id: str
    ) -> bool:
        if not channel_id:  # e.g. a form submission, which names no channel itself
            return False
        key = (team_id, channel_id)
        cached = self._known.get(key)
        now = self._monotonic()
        if cached is None or now - cached[0] >= self.ttl:
            try:
                response = await client.conversations_info(channel=channel_id)
            except SlackApiError as error:
                # Fail closed, uncached: a missing scope or a DM channel makes nobody organizer.
                log.warning(
                    "conversations.info failed (%s); not treating anyone as the channel's creator",
                    error.response.get("error"),
                )
                return False
            creator = (response.get("channel") or {}).get("creator")
            cached = (now, str(creator) if creator else None)
            self._known[key] = cached
        return cached[1] == user_id
