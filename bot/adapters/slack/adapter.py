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
import json
import logging
import re
import uuid
from datetime import timedelta
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters.intake import Intake
from bot.adapters.slack import inbound
from bot.adapters.slack.admins import AdminCache
from bot.adapters.slack.client import make_client
from bot.adapters.slack.manifest import BOT_SCOPES, EVENTS_PATH
from bot.adapters.slack.outbound import FORM_CALLBACK, render, render_form
from bot.core.dispatcher import Dispatcher
from bot.core.model import ActionPress, Form, Member, Reply, Section, Visibility
from bot.core.ports import Pace, PostFailed, PostOutcomeUnknown
from bot.features.services import Services
from bot.settings import Settings
from bot.store.db import process_identity
from bot.store.inbox import Carried, Inbox, InboxItem

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
# Errors after which re-sending cannot help.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "missing_scope",
        "msg_too_long",
        "no_text",
        "invalid_blocks",
        "restricted_action",
    }
)
EDIT_COALESCE_SECONDS = 0.5
# A response_url takes replies for 30 minutes; work resumed later answers with chat.postMessage.
RESPONSE_URL_LIFETIME = timedelta(minutes=30)
BUSY = "studybot could not take that just now; please try again in a minute."


class SlackConfigurationError(Exception):
    """Settings that cannot work (e.g. HTTP mode without a signing secret)."""


class SlackAdapter:
    platform = inbound.PLATFORM
    # chat.postMessage: about one message per second per channel, short bursts tolerated.
    pace = Pace(per_second=20, per_conversation_per_second=1, concurrency=8)
    # Slack has no idempotency key for chat.postMessage: never re-send an unknown outcome.
    idempotent = False

    def __init__(
        self, *, settings: Settings, dispatcher: Dispatcher[Services], engine: AsyncEngine
    ) -> None:
        self.settings = settings
        self.dispatcher = dispatcher
        self.admins = AdminCache()
        self.socket_mode = settings.slack_app_token is not None
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        self.installation_store: AsyncSQLAlchemyInstallationStore | None = None
        oauth_settings = None
        if settings.slack_oauth_enabled:
            assert settings.slack_client_id is not None
            assert settings.slack_client_secret is not None
            self.installation_store = AsyncSQLAlchemyInstallationStore(
                client_id=settings.slack_client_id, engine=engine
            )
            oauth_settings = AsyncOAuthSettings(
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret.get_secret_value(),
                scopes=list(BOT_SCOPES),
                installation_store=self.installation_store,
                state_store=AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine),
            )
            token = None  # each workspace's own token comes from the installation store
        if not self.socket_mode and settings.slack_signing_secret is None:
            raise SlackConfigurationError(
                "SLACK_SIGNING_SECRET is required for Slack's HTTP mode "
                "(or set SLACK_APP_TOKEN to use Socket Mode)."
            )
        self.client = make_client(token=token, base_url=settings.slack_api_url)
        signing_secret = (
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else None
        )
        self.app = AsyncApp(
            client=self.client,
            signing_secret=signing_secret,
            request_verification_enabled=signing_secret is not None,
            # Our listener stores the interaction and acks; the feature runs afterwards on the
            # intake's workers and answers through response_url (see bot/adapters/intake.py).
            process_before_response=True,
            oauth_settings=oauth_settings,
            installation_store=self.installation_store if oauth_settings is None else None,
        )
        inbox = Inbox(
            engine,
            owner=process_identity(),
            clock=dispatcher.services.clock,
            lease=settings.inbox_lease,
        )
        self.intake = Intake(inbox, self._handle_item)
        self._http: aiohttp.ClientSession | None = None
        self._edits: dict[str, tuple[str, Reply]] = {}
        self._edit_tasks: dict[str, asyncio.Task[None]] = {}
        self._register()
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self.port: int | None = None

    # Listeners ------------------------------------------------------------------------------

    def _register(self) -> None:
        # One listener for every command: the dispatcher resolves names (and answers unknown ones
        # kindly), and one matcher keeps the ack path as short as bolt's own.
        self.app.command(re.compile(r"^/"))(self._on_command)
        self.app.action(re.compile(".+"))(self._on_action)
        self.app.view(FORM_CALLBACK)(self._on_submission)

    async def _on_command(self, ack: Any, body: dict[str, Any]) -> None:
        await self._receive(ack, "command", body)

    async def _on_action(self, ack: Any, body: dict[str, Any]) -> None:
        await self._receive(ack, "action", body)

    async def _on_submission(self, ack: Any, body: dict[str, Any]) -> None:
        # Acking a view_submission closes the modal; the answer arrives as an ephemeral message.
        await self._receive(ack, "submission", body)

    async def _receive(self, ack: Any, kind: str, body: dict[str, Any]) -> None:
        """Store the interaction in the inbox, then ack: acknowledged means stored.

        The trigger id is the request's identity: a copy Slack sent again (a retry after a slow
        ack, the same click twice, or a retry that reached another process) is acked and
        dropped, because the first copy is stored and answered.
        """
        counting = self.intake.gate.acking() if self.socket_mode else contextlib.nullcontext()
        with counting:
            trigger = body.get("trigger_id")
            request_id = f"{kind}:{trigger}" if isinstance(trigger, str) and trigger else None
            try:
                await self.intake.receive(
                    platform=self.platform,
                    request_id=request_id or f"{kind}:{uuid.uuid4().hex}",
                    payload=json.dumps({"kind": kind, "body": body}),
                )
            except Exception as error:
                log.warning("could not store a Slack %s (%s)", kind, type(error).__name__)
                await ack(**_busy_ack(kind, body))
                return
            await ack()

    async def _handle_item(self, item: InboxItem, carried: Carried) -> None:
        message = json.loads(item.payload)
        body: dict[str, Any] = message["body"]
        team = _team_of(body)
        client = await self._client_for(team)
        stale = self.dispatcher.services.clock() - item.received_at > RESPONSE_URL_LIFETIME
        if message["kind"] == "command":
            await self._run_command(body, client, carried, team=team, stale=stale)
        elif message["kind"] == "action":
            await self._run_action(body, client, carried, team=team, stale=stale)
        else:
            await self._run_submission(body, client, carried, team=team)

    async def _run_command(
        self,
        body: dict[str, Any],
        client: AsyncWebClient,
        carried: Carried,
        *,
        team: str,
        stale: bool,
    ) -> None:
        user = str(body.get("user_id", ""))
        is_admin = await self.admins.is_admin(client, team, user)
        invocation = inbound.command_to_invocation(body, is_admin=is_admin)
        reply = await self.dispatcher.invoke(invocation)
        if carried.taken:
            return  # another process answered this one
        channel = str(body.get("channel_id", ""))
        if reply.form is not None:
            await self._open_form(client, body, reply.form, channel, user=user)
            return
        if stale:
            await self._post_late(client, channel, user, reply)
        else:
            await self._respond(str(body.get("response_url", "")), reply)
        await self._upload_image(client, channel, reply)

    async def _run_action(
        self,
        body: dict[str, Any],
        client: AsyncWebClient,
        carried: Carried,
        *,
        team: str,
        stale: bool,
    ) -> None:
        user = body.get("user") or {}
        user_id = str(user.get("id", ""))
        is_admin = await self.admins.is_admin(client, team, user_id)
        press = inbound.action_to_press(body, is_admin=is_admin)
        reply = await self.dispatcher.press(press)
        if carried.taken:
            return
        channel = str((body.get("channel") or {}).get("id", ""))
        if reply.form is not None:
            await self._open_form(client, body, reply.form, channel, user=user_id)
            return
        response_url = str(body.get("response_url", ""))
        if stale:
            await self._post_late(client, channel, user_id, reply, edit_of=press.message_ref)
        elif reply.replace_original and press.message_ref:
            self._coalesce_edit(press.message_ref, response_url, reply)
        else:
            await self._respond(response_url, reply, replace_original=False)
        await self._upload_image(client, channel, reply)

    async def _post_late(
        self,
        client: AsyncWebClient,
        channel: str,
        user: str,
        reply: Reply,
        *,
        edit_of: str | None = None,
    ) -> None:
        """Answer work resumed after its response_url expired: edit the message the member
        clicked, post to the channel what the channel would have seen, or else show it to the
        member alone."""
        try:
            if edit_of and reply.replace_original and ":" in edit_of:
                ts = edit_of.split(":", 1)[1]
                await client.chat_update(channel=channel, ts=ts, **render(reply))
            elif reply.visibility is Visibility.PRIVATE:
                await client.chat_postEphemeral(channel=channel, user=user, **render(reply))
            else:
                await client.chat_postMessage(channel=channel, **render(reply))
        except SlackApiError as error:
            log.warning("Slack refused a late reply (%s)", error.response.get("error"))

    def _coalesce_edit(self, message_ref: str, response_url: str, reply: Reply) -> None:
        """A burst of clicks on one message (votes) becomes one edit with the latest state."""
        self._edits[message_ref] = (response_url, reply)
        if message_ref not in self._edit_tasks:
            self._edit_tasks[message_ref] = asyncio.ensure_future(self._flush_edit(message_ref))

    async def _flush_edit(self, message_ref: str, *, wait: float = EDIT_COALESCE_SECONDS) -> None:
        await asyncio.sleep(wait)
        self._edit_tasks.pop(message_ref, None)
        response_url, reply = self._edits.pop(message_ref)
        await self._respond(response_url, reply, replace_original=True)

    async def _open_form(
        self, client: AsyncWebClient, body: dict[str, Any], form: Form, channel: str, *, user: str
    ) -> None:
        metadata = json.dumps(
            {"action": form.submit_action, "value": form.submit_value, "channel": channel}
        )
        try:
            await client.views_open(
                trigger_id=str(body.get("trigger_id", "")),
                view=render_form(form, metadata=metadata),
            )
        except SlackApiError as error:
            # A trigger id is good for 3 seconds: work resumed after a restart cannot open it.
            log.warning("Slack did not open a form (%s)", error.response.get("error"))
            late = Reply(
                title="That form could not open in time",
                parts=(Section(text="Please run the command again."),),
                visibility=Visibility.PRIVATE,
            )
            await self._post_late(client, channel, user, late)

    async def _run_submission(
        self, body: dict[str, Any], client: AsyncWebClient, carried: Carried, *, team: str
    ) -> None:
        view = body.get("view") or {}
        metadata = json.loads(view.get("private_metadata") or "{}")
        user = body.get("user") or {}
        user_id = str(user.get("id", ""))
        channel = str(metadata.get("channel", ""))
        is_admin = await self.admins.is_admin(client, team, user_id)
        press = ActionPress(
            action_id=str(metadata.get("action", "")),
            value=str(metadata.get("value", "")),
            member=Member(
                id=inbound.member_id(team, user_id),
                name=str(user.get("username") or user.get("name") or ""),
                is_admin=is_admin,
            ),
            group_id=inbound.group_id(team, channel),
            platform=self.platform,
            fields=inbound.submission_fields(view),
        )
        reply = await self.dispatcher.press(press)
        if carried.taken:
            return
        await client.chat_postEphemeral(channel=channel, user=user_id, **render(reply))

    async def _respond(self, response_url: str, reply: Reply, **extra: Any) -> None:
        """Answer through the response_url, on one shared HTTP session (bolt's `respond` opens a
        new connection per call)."""
        if not response_url:
            log.warning("a Slack request without response_url; the reply was dropped")
            return
        visible = "ephemeral" if reply.visibility is Visibility.PRIVATE else "in_channel"
        webhook = AsyncWebhookClient(url=response_url, session=self._session())
        response = await webhook.send_dict({**render(reply), "response_type": visible, **extra})
        if response.status_code >= 400:
            log.warning("Slack refused a reply on response_url: HTTP %s", response.status_code)

    async def _upload_image(self, client: AsyncWebClient, channel: str, reply: Reply) -> None:
        """Charts go up as files into the channel (files.uploadV2: get URL, upload, complete)."""
        if reply.image is None or not channel:
            return
        try:
            await client.files_upload_v2(
                channel=channel,
                file=reply.image.data,
                filename=reply.image.filename,
                title=reply.image.alt,
            )
        except SlackApiError as error:
            log.warning("Slack refused the chart upload (%s)", error.response.get("error"))

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._http

    # Serving --------------------------------------------------------------------------------

    async def start(self, *, host: str | None = None, port: int | None = None) -> None:
        if self.installation_store is None:
            await self._check_token()
        await self.intake.start()
        if self.socket_mode:
            assert self.settings.slack_app_token is not None
            self._socket = AsyncSocketModeHandler(
                self.app,
                app_token=self.settings.slack_app_token.get_secret_value(),
                web_client=self.client,
            )
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("Slack: connected in Socket Mode")
            return
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(
            self._runner,
            host or self.settings.host,
            self.settings.port if port is None else port,
        )
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else port
        log.info("Slack: listening for events on port %s", self.port)

    async def _check_token(self) -> None:
        """Fail at start, with a clear message, rather than at the first command."""
        try:
            await self.client.auth_test()
        except SlackApiError as error:
            code = error.response.get("error", "unknown_error")
            raise SlackConfigurationError(
                f"Slack rejected SLACK_BOT_TOKEN ({code}); check the token in your settings."
            ) from None
        except aiohttp.ClientError as error:
            raise SlackConfigurationError(
                f"cannot reach Slack at SLACK_API_URL ({type(error).__name__})"
            ) from None

    def web_app(self) -> web.Application:
        application = web.Application()
        application.router.add_post(EVENTS_PATH, self._handle_post)
        application.router.add_get(HEALTH_PATH, _health)
        flow = self.app.oauth_flow
        if flow is not None:
            application.router.add_get(flow.install_path, self._handle_install)
            application.router.add_get(flow.redirect_uri_path, self._handle_redirect)
        return application

    async def _handle_post(self, request: web.Request) -> web.Response:
        # The whole request counts as an ack in flight: reading, verifying and answering it.
        with self.intake.gate.acking():
            bolt_response = await self.app.async_dispatch(await to_bolt_request(request))
            return await to_aiohttp_response(bolt_response)

    async def _handle_install(self, request: web.Request) -> web.Response:
        assert self.app.oauth_flow is not None
        response = await self.app.oauth_flow.handle_installation(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def _handle_redirect(self, request: web.Request) -> web.Response:
        assert self.app.oauth_flow is not None
        response = await self.app.oauth_flow.handle_callback(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.intake.stop()
        for pending in list(self._edit_tasks.values()):
            with contextlib.suppress(Exception):
                await pending
        if self._http is not None:
            await self._http.close()

    # Outbox ---------------------------------------------------------------------------------

    async def _client_for(self, team_id: str) -> AsyncWebClient:
        if self.installation_store is None:
            return self.client
        bot = await self.installation_store.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:
            raise PostFailed(f"studybot is not installed in workspace {team_id}", retryable=False)
        return make_client(token=bot.bot_token, base_url=self.settings.slack_api_url)

    async def post(self, group_id: str, reply: Reply, *, idempotency_key: str) -> str | None:
        team, channel = inbound.split_group_id(group_id)
        client = await self._client_for(team)
        thread_ts = None
        if reply.thread_of and ":" in reply.thread_of:
            # Our message references are "<channel>:<ts>": answer in that message's thread.
            thread_ts = reply.thread_of.split(":", 1)[1]
        try:
            response = await client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, **render(reply)
            )
        except SlackApiError as error:
            code = str(error.response.get("error", "unknown_error"))
            status = error.response.status_code
            raise PostFailed(
                f"Slack said {code} (HTTP {status})",
                retryable=code not in PERMANENT_ERRORS,
            ) from None
        except aiohttp.ClientConnectorError as error:
            # The connection never opened, so nothing reached Slack.
            raise PostFailed(f"cannot reach Slack: {error.os_error}") from None
        except (TimeoutError, aiohttp.ClientError) as error:
            raise PostOutcomeUnknown(f"no answer from Slack ({type(error).__name__})") from None
        await self._upload_image(client, channel, reply)
        return f"{response.get('channel', channel)}:{response.get('ts', '')}"


async def _health(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


def _team_of(body: dict[str, Any]) -> str:
    """The workspace of a slash command (team_id) or of an interaction payload (team.id)."""
    user = body.get("user")
    user = user if isinstance(user, dict) else {}
    team = body.get("team")
    team = team if isinstance(team, dict) else {}
    return str(body.get("team_id") or team.get("id") or user.get("team_id") or "")


def _busy_ack(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """What to ack with when the interaction could not be stored: say so, keep nothing."""
    if kind != "submission":
        return {"text": BUSY}
    blocks = (body.get("view") or {}).get("blocks") or [{}]
    # A modal stays open with the message under its first field, so nothing typed is lost.
    return {"response_action": "errors", "errors": {blocks[0].get("block_id", ""): BUSY}}
