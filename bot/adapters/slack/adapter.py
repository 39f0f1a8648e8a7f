"""The Slack adapter: bolt listeners that ack first, then run the feature and respond.

HTTP mode serves `POST /slack/events` (slash commands, buttons) and `GET /healthz` on aiohttp;
Socket Mode (with SLACK_APP_TOKEN) needs no public URL. With SLACK_CLIENT_ID, _SECRET and
_STATE_SECRET set, bolt's OAuth flow serves `/slack/install` and `/slack/oauth_redirect` and keeps
installations in our database, so one deployment serves many workspaces.

Which replies are visible to whom: command replies whose Reply is CHANNEL-visible (/compare,
/tip, /roadmap, schedule changes) are posted `in_channel` through the command's response_url, so
the group sees them; PRIVATE replies (/help, every error) are `ephemeral`, seen only by the member
who asked. Scheduled posts go through chat.postMessage.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters.health import PlatformHealth
from bot.adapters.intake import Intake
from bot.adapters.slack import inbound
from bot.adapters.slack.admins import AdminCache, ChannelCreators
from bot.adapters.slack.bolt_app import (
    SlackConfigurationError,
    build_bolt_app,
    check_app_token,
    check_bot_token,
)
from bot.adapters.slack.codec import FORM_CALLBACK
from bot.adapters.slack.http import SlackHttpServer
from bot.adapters.slack.outbound import busy_ack, render
from bot.adapters.slack.outbox import Workspaces, find_posted, open_direct, post_message
from bot.adapters.slack.replies import SlackReplies
from bot.adapters.slack.stored import StoredInteraction
from bot.core.dispatcher import Dispatcher
from bot.core.model import Reply
from bot.core.ports import Pace
from bot.features.services import Services
from bot.settings import Settings
from bot.store.db import process_identity
from bot.store.inbox import Carried, Inbox, InboxItem

log = logging.getLogger(__name__)
# A response_url takes replies for 30 minutes; work resumed later answers with chat.postMessage.
RESPONSE_URL_LIFETIME = timedelta(minutes=30)
BUSY = "studybot could not take that just now; please try again in a minute."


class SlackAdapter:
    platform = inbound.PLATFORM
    # chat.postMessage: about one message per second per channel, short bursts tolerated.
    # Slack's limits are per workspace (and about one message a second per channel), so a
    # multi-workspace install is not slowed by one busy workspace.
    pace = Pace(
        per_second=20, per_conversation_per_second=1, concurrency=8, limit_scope="workspace"
    )
    # Slack has no idempotency key for chat.postMessage: never re-send an unknown outcome.
    idempotent = False

    def __init__(
        self,
        *,
        settings: Settings,
        dispatcher: Dispatcher[Services],
        engine: AsyncEngine,
        extra_routes: Sequence[web.RouteDef] = (),
    ) -> None:
        self.settings = settings
        self.dispatcher = dispatcher
        self.admins = AdminCache()
        self.creators = ChannelCreators()
        self._dm_channels: dict[str, str] = {}
        self.socket_mode = settings.slack_app_token is not None
        if not self.socket_mode and settings.slack_signing_secret is None:
            raise SlackConfigurationError(
                "SLACK_SIGNING_SECRET is required for Slack's HTTP mode "
                "(or set SLACK_APP_TOKEN to use Socket Mode)."
            )
        bolt = build_bolt_app(settings, engine)
        self.app, self.client, self.installation_store = bolt.app, bolt.client, bolt.installations
        inbox = Inbox(
            engine,
            owner=process_identity(),
            clock=dispatcher.services.clock,
            lease=settings.inbox_lease,
        )
        self.intake = Intake(inbox, self._handle_item)
        self.workspaces = Workspaces(
            self.client, installations=self.installation_store, api_url=settings.slack_api_url
        )
        self.replies = SlackReplies()
        secret = settings.slack_signing_secret
        self.http = SlackHttpServer(
            self.app,
            signing_secret=secret.get_secret_value() if secret else None,
            acking=self.intake.gate.acking,
            accept=self.accept,
            extra_routes=extra_routes,
        )
        self._register()
        self._socket: AsyncSocketModeHandler | None = None
        self.port: int | None = None
        # HTTP mode has no connection to lose; Socket Mode reconnects inside slack-sdk.
        self.failed: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    # Listeners: store, then ack ------------------------------------------------------------

    def _register(self) -> None:
        # One listener for every command: the dispatcher resolves names (and answers unknown ones
        # kindly), and one matcher keeps the ack path as short as bolt's own.
        self.app.command(re.compile(r"^/"))(self._on_command)
        self.app.action(re.compile(".+"))(self._on_action)
        self.app.view(FORM_CALLBACK)(self._on_submission)

    async def _on_command(self, ack: Any, body: dict[str, Any]) -> None:
        await ack(**await self._store(StoredInteraction.from_payload("command", body)))

    async def _on_action(self, ack: Any, body: dict[str, Any]) -> None:
        await ack(**await self._store(StoredInteraction.from_payload("action", body)))

    async def _on_submission(self, ack: Any, body: dict[str, Any]) -> None:
        # Acking a view_submission closes the modal; the answer arrives as an ephemeral message.
        await ack(**await self._store(StoredInteraction.from_payload("submission", body)))

    async def accept(self, stored: StoredInteraction) -> dict[str, Any] | None:
        """Store an interaction read off HTTP ahead of bolt; the ack's fields (bolt's `ack()`
        keywords), or None to leave the request to bolt.

        In HTTP mode this is the whole ack path: bolt's middleware and listener matching would
        cost as much again as the store. What bolt would still decide here is whether the
        workspace has installed studybot (OAuth); a workspace that has not is left to bolt,
        which answers with its install prompt.
        """
        try:
            installed = await self.workspaces.installed(stored.team)
        except Exception as error:  # bolt's own authorization answers for itself
            log.warning("could not look up workspace %s (%s)", stored.team, type(error).__name__)
            return None
        return await self._store(stored) if installed else None

    async def _store(self, stored: StoredInteraction) -> dict[str, Any]:
        """Store the interaction in the inbox; the ack's fields: acknowledged means stored.

        The trigger id is the request's identity: a copy Slack sent again (a retry after a slow
        ack, the same click twice, or a retry that reached another process) is acked and
        dropped, because the first copy is stored and answered.
        """
        counting = self.intake.gate.acking() if self.socket_mode else contextlib.nullcontext()
        with counting:
            request_id = f"{stored.kind}:{stored.trigger_id or uuid.uuid4().hex}"
            try:
                await self.intake.receive(
                    platform=self.platform, request_id=request_id, payload=stored.encode()
                )
            except Exception as error:
                log.warning("could not store a Slack %s (%s)", stored.kind, type(error).__name__)
                return busy_ack(stored.kind, stored.body, BUSY)
            return {}

    # Work, after the ack --------------------------------------------------------------------

    async def _handle_item(self, item: InboxItem, carried: Carried) -> None:
        stored = StoredInteraction.decode(item.payload)
        work = _Work(
            stored=stored,
            carried=carried,
            stale=self.dispatcher.services.clock() - item.received_at > RESPONSE_URL_LIFETIME,
        )
        client = await self.workspaces.client_for(stored.team)
        role = _Role(
            is_admin=await self.admins.is_admin(client, stored.team, stored.user),
            manages_channel=await self.creators.created(
                client, stored.team, stored.channel, stored.user
            ),
        )
        if stored.kind == "command":
            await self._run_command(work, client, role)
        elif stored.kind == "action":
            await self._run_action(work, client, role)
        else:
            await self._run_submission(work, client, role)

    async def _run_command(self, work: _Work, client: Any, role: _Role) -> None:
        stored = work.stored
        invocation = inbound.command_to_invocation(
            stored.body, is_admin=role.is_admin, manages_channel=role.manages_channel
        )
        async with self.intake.gate.turn():
            reply = await self.dispatcher.invoke(invocation)
        if work.carried.taken:
            return  # another process answered this one
        await self.intake.gate.settled()  # sending is work on the loop too
        if reply.form is not None:
            await self.replies.open_form(
                client,
                stored.trigger_id,
                reply.form,
                stored.channel,
                user=stored.user,
            )
            return
        if work.stale:
            await self.replies.post_late(client, stored.channel, stored.user, reply)
        else:
            await self.replies.respond(stored.response_url, reply)
        await self.replies.upload_image(client, stored.channel, reply)

    async def _run_action(self, work: _Work, client: Any, role: _Role) -> None:
        stored = work.stored
        press = inbound.action_to_press(
            stored.body, is_admin=role.is_admin, manages_channel=role.manages_channel
        )
        async with self.intake.gate.turn():
            reply = await self.dispatcher.press(press)
        if work.carried.taken:
            return
        await self.intake.gate.settled()  # sending is work on the loop too
        if reply.form is not None:
            await self.replies.open_form(
                client,
                stored.trigger_id,
                reply.form,
                stored.channel,
                user=stored.user,
            )
            return
        if work.stale:
            await self.replies.post_late(
                client, stored.channel, stored.user, reply, edit_of=press.message_ref
            )
        elif reply.replace_original and press.message_ref:
            self.replies.edit(press.message_ref, stored.response_url, reply)
        else:
            await self.replies.respond(stored.response_url, reply, replace_original=False)
        await self.replies.upload_image(client, stored.channel, reply)

    async def _run_submission(self, work: _Work, client: Any, role: _Role) -> None:
        stored = work.stored
        press, channel = inbound.submission_to_press(
            stored.body,
            team=stored.team,
            is_admin=role.is_admin,
            manages_channel=role.manages_channel,
        )
        async with self.intake.gate.turn():
            reply = await self.dispatcher.press(press)
        if work.carried.taken:
            return
        await client.chat_postEphemeral(channel=channel, user=stored.user, **render(reply))

    # Serving --------------------------------------------------------------------------------

    async def start(self, *, host: str | None = None, port: int | None = None) -> None:
        if self.installation_store is None:
            await check_bot_token(self.client)
        await self.intake.start()
        if self.socket_mode:
            assert self.settings.slack_app_token is not None
            await check_app_token(self.settings)
            self._socket = AsyncSocketModeHandler(
                self.app,
                app_token=self.settings.slack_app_token.get_secret_value(),
                web_client=self.client,
            )
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("Slack: connected in Socket Mode")
            return
        self.port = await self.http.start(
            host or self.settings.host, self.settings.port if port is None else port
        )

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        await self.http.stop()
        await self.intake.stop()
        await self.replies.close()

    @property
    def serves_http(self) -> bool:
        return not self.socket_mode

    async def health(self) -> PlatformHealth:
        if self._socket is not None:
            connected = await self._socket.client.is_connected()
            return PlatformHealth(state="ok" if connected else "failing", healthy=connected)
        listening = self.port is not None
        return PlatformHealth(state="ok" if listening else "failing", healthy=listening)

    # Outbox ---------------------------------------------------------------------------------

    async def post(self, group_id: str, reply: Reply, *, idempotency_key: str) -> str | None:
        team, channel = inbound.split_group_id(group_id)
        client = await self.workspaces.client_for(team)
        posted = await post_message(client, channel, reply, key=idempotency_key)
        await self.replies.upload_image(client, channel, reply)
        return str(posted)

    async def find_posted(
        self, group_id: str, idempotency_key: str, *, since: datetime
    ) -> str | None:
        team, channel = inbound.split_group_id(group_id)
        client = await self.workspaces.client_for(team)
        found = await find_posted(client, channel, idempotency_key, since=since)
        return None if found is None else str(found)

    async def post_private(
        self, member_id: str, reply: Reply, *, idempotency_key: str
    ) -> str | None:
        client, channel = await self._direct(member_id)
        posted = await post_message(client, channel, reply, key=idempotency_key)
        await self.replies.upload_image(client, channel, reply)
        return str(posted)

    async def find_posted_private(
        self, member_id: str, idempotency_key: str, *, since: datetime
    ) -> str | None:
        client, channel = await self._direct(member_id)
        found = await find_posted(client, channel, idempotency_key, since=since)
        return None if found is None else str(found)

    async def post_shared(
        self, group_id: str, member_ids: Sequence[str], reply: Reply, *, idempotency_key: str
    ) -> str | None:
        client, channel = await self._shared(group_id, member_ids)
        return str(await post_message(client, channel, reply, key=idempotency_key))

    async def find_posted_shared(
        self, group_id: str, member_ids: Sequence[str], idempotency_key: str, *, since: datetime
    ) -> str | None:
        client, channel = await self._shared(group_id, member_ids)
        found = await find_posted(client, channel, idempotency_key, since=since)
        return None if found is None else str(found)

    async def _shared(self, group_id: str, member_ids: Sequence[str]) -> tuple[Any, str]:
        """conversations.open with every member: one multi-person DM, the same each time."""
        team, _ = inbound.split_group_id(group_id)
        client = await self.workspaces.client_for(team)
        users = ",".join(inbound.split_member_id(member)[1] for member in member_ids)
        return client, await open_direct(client, users)

    async def _direct(self, member_id: str) -> tuple[Any, str]:
        """The workspace's client and the member's DM channel (opened once, then remembered:
        conversations.open returns the same channel every time)."""
        team, user = inbound.split_member_id(member_id)
        client = await self.workspaces.client_for(team)
        channel = self._dm_channels.get(member_id)
        if channel is None:
            channel = await open_direct(client, user)
            self._dm_channels[member_id] = channel
        return client, channel


@dataclass(frozen=True, kw_only=True)
class _Work:
    """One stored interaction being worked on."""

    stored: StoredInteraction
    carried: Carried
    # Its response_url has expired (the work was resumed late, e.g. after a restart).
    stale: bool


@dataclass(frozen=True, kw_only=True)
class _Role:
    """What Slack says about the member; the dispatcher decides from it who is an organizer."""

    is_admin: bool
    manages_channel: bool
