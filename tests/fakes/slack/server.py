"""A fake Slack over loopback that speaks the real protocol.

Web API: `POST|GET /api/<method>` with the JSON shapes slack_sdk expects, a bearer token, form or
JSON bodies. `response_url` sink: `POST /respond/<name>`. Socket Mode: `apps.connections.open`
returns a ws URL on this server, which sends `hello`, pushes envelopes and records acks.
Failures can be queued per method (e.g. 429 with Retry-After, 500).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import WSMsgType, web

from tests.fakes.loopback import serve_on_loopback, wait_until

TEAM_ID = "T1"
BOT_USER = "UBOT"


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    token: str | None


@dataclass
class Failure:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends with every HTTP request to an app."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{stamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


class FakeSlack:
    def __init__(
        self, *, admins: set[str] | None = None, creators: dict[str, str] | None = None
    ) -> None:
        self.admins = admins or set()
        # Who created each channel (conversations.info); other channels were made by USLACKBOT.
        self.creators = creators or {}
        # Direct conversations opened with conversations.open: channel id → its users.
        self.dm_users: dict[str, str] = {}
        self._dm_channels: dict[frozenset[str], str] = {}
        # Users whose DM cannot be opened, and the error Slack gives (e.g. user_disabled).
        self.dm_refusals: dict[str, str] = {}
        self.calls: list[ApiCall] = []
        self.responses: list[tuple[str, dict[str, Any]]] = []
        # When each response_url first received a reply (time.perf_counter()), for benchmarks.
        self.response_arrivals: dict[str, float] = {}
        self.failures: dict[str, list[Failure]] = {}
        self.acks: list[dict[str, Any]] = []
        self.uploads: dict[str, bytes] = {}
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._connected = asyncio.Event()
        self._ts = itertools.count(1)
        self._envelopes = itertools.count(1)
        self._ack_waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        # Messages posted, per channel, oldest first, as Slack keeps them (metadata included).
        self.messages: dict[str, list[dict[str, Any]]] = {}
        # Methods that store what they were asked and then never answer (a crash in between).
        self.hanging: set[str] = set()
        self._release_hanging = asyncio.Event()

    # Lifecycle ------------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_get("/socket", self._socket)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner, self.url = await serve_on_loopback(app)
        return self

    async def stop(self) -> None:
        self._release_hanging.set()
        for socket in self._sockets:
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.url}/respond/{name}"

    def fail(
        self,
        method: str,
        status: int,
        body: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        failure = Failure(
            status=status, body=body or {"ok": False, "error": "fatal_error"}, headers=headers or {}
        )
        self.failures.setdefault(method, []).extend([failure] * times)

    def dms_to(self, user: str) -> list[dict[str, Any]]:
        """Messages posted into the 1:1 DM with `user` (opened with conversations.open)."""
        channels = {c for c, users in self.dm_users.items() if users == user}
        return [m for c in channels for m in self.messages.get(c, [])]

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, predicate: Callable[[], object], within: float = 5.0) -> None:
        await wait_until(predicate, within=within, what="the fake Slack")

    # Web API --------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.method == "POST":
            params.update(dict(await request.post()))
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or None
        self.calls.append(ApiCall(method=method, params=params, token=token))
        queued = self.failures.get(method)
        if queued:
            failure = queued.pop(0)
            return web.json_response(failure.body, status=failure.status, headers=failure.headers)
        answer = self._answer(method, params, token)
        if method in self.hanging:
            # Slack did the work; the answer never comes back (until the fake stops).
            await self._release_hanging.wait()
            raise web.HTTPServiceUnavailable()
        return web.json_response(answer)

    def _post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        """chat.postMessage: the message is kept with its `ts`, and with its metadata when given
        (https://api.slack.com/methods/chat.postMessage: metadata has event_type and
        event_payload)."""
        channel = str(params.get("channel"))
        # Real timestamps (seconds since the epoch), so `oldest` in conversations.history works.
        ts = f"{time.time():.0f}.{next(self._ts):06d}"
        message: dict[str, Any] = {"type": "message", "ts": ts, "text": params.get("text", "")}
        blocks = params.get("blocks")
        if blocks:
            message["blocks"] = json.loads(blocks) if isinstance(blocks, str) else blocks
        metadata = params.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        if isinstance(metadata, dict) and metadata.get("event_type"):
            message["metadata"] = {
                "event_type": metadata["event_type"],
                "event_payload": metadata.get("event_payload") or {},
            }
        self.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": params}

    def _history(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.history as documented: newest first, `oldest`/`latest` bounds, `limit`,
        `cursor` paging, metadata only with `include_all_metadata`."""
        channel = str(params.get("channel"))
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or "inf")
        limit = int(params.get("limit") or 100)
        start = int(params.get("cursor") or 0)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in {"true", "1"}
        newest_first = [
            m
            for m in reversed(self.messages.get(channel, []))
            if oldest <= float(m["ts"]) <= latest
        ]
        page = newest_first[start : start + limit]
        if not with_metadata:
            page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
        more = start + limit < len(newest_first)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _open_conversation(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.open (https://api.slack.com/methods/conversations.open): `users` is a
        comma-separated list; one user gives a 1:1 DM (D…), two to eight a multi-person DM
        (G…). Opening it again returns the same channel with `already_open`."""
        users = [u for u in str(params.get("users") or "").split(",") if u]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if len(users) > 8:
            return {"ok": False, "error": "too_many_users"}
        for user in users:
            if user in self.dm_refusals:
                return {"ok": False, "error": self.dm_refusals[user]}
        key = frozenset(users)
        existing = self._dm_channels.get(key)
        if existing is None:
            prefix = "D" if len(users) == 1 else "G"
            existing = f"{prefix}{next(self._ts):08d}"
            self._dm_channels[key] = existing
            self.dm_users[existing] = ",".join(users)
            return {"ok": True, "channel": {"id": existing}}
        return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": existing}}

    def _channel_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.info (https://api.slack.com/methods/conversations.info): the channel
        object, whose `creator` is the user id of whoever created it; D… ids are DMs."""
        channel = str(params.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if channel.startswith("D"):
            return {
                "ok": True,
                "channel": {"id": channel, "is_im": True, "user": self.dm_users.get(channel)},
            }
        return {
            "ok": True,
            "channel": {
                "id": channel,
                "name": channel.lower(),
                "is_channel": True,
                "is_private": False,
                "is_im": False,
                "created": 1700000000,
                "creator": self.creators.get(channel, "USLACKBOT"),
            },
        }

    def _answer(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if token is None:
            return {"ok": False, "error": "not_authed"}
        if method == "auth.test":
            team = "T2" if token == "xoxb-installed-t2" else TEAM_ID
            return {
                "ok": True,
                "url": "https://fake.slack.invalid/",
                "team": "Fake team",
                "user": "studybot",
                "team_id": team,
                "user_id": BOT_USER,
                "bot_id": "B1",
            }
        if method == "chat.postMessage":
            return self._post_message(params)
        if method == "chat.update":
            ts = f"1700000000.{next(self._ts):06d}"
            return {"ok": True, "channel": params.get("channel"), "ts": ts, "message": params}
        if method == "conversations.history":
            return self._history(params)
        if method in {"chat.postEphemeral", "views.open"}:
            return {"ok": True}
        if method == "conversations.open":
            return self._open_conversation(params)
        if method == "conversations.info":
            return self._channel_info(params)
        if method == "users.info":
            user = str(params.get("user"))
            return {
                "ok": True,
                "user": {"id": user, "name": user.lower(), "is_admin": user in self.admins},
            }
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http", "ws") + "/socket"}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts)}"
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = (
                json.loads(params["files"])
                if isinstance(params.get("files"), str)
                else (params.get("files") or [])
            )
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method == "oauth.v2.access":
            return {
                "ok": True,
                "app_id": "A1",
                "authed_user": {"id": "U9"},
                "scope": "commands,chat:write",
                "token_type": "bot",
                "access_token": "xoxb-installed-t2",
                "bot_user_id": "UB2",
                "team": {"id": "T2", "name": "Second team"},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        return {"ok": False, "error": "unknown_method"}

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text=f"OK - {len(self.uploads)}")

    async def _respond(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.response_arrivals.setdefault(name, time.perf_counter())
        self.responses.append((name, await request.json()))
        return web.Response(text="ok")

    # Socket Mode ----------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}
        )
        self._connected.set()
        async for message in socket:
            if message.type is WSMsgType.TEXT:
                data = json.loads(message.data)
                if "envelope_id" in data:
                    self.acks.append(data)
                    waiter = self._ack_waiters.pop(data["envelope_id"], None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(data)
        return socket

    async def push(self, kind: str, payload: dict[str, Any], within: float = 5.0) -> dict[str, Any]:
        """Send an envelope over Socket Mode and wait for the app's ack."""
        await asyncio.wait_for(self._connected.wait(), within)
        envelope_id = f"env-{next(self._envelopes)}"
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._ack_waiters[envelope_id] = waiter
        await self._sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        return await asyncio.wait_for(waiter, within)


def command_body(
    command: str,
    text: str,
    *,
    response_url: str,
    user: str = "U1",
    channel: str = "C1",
    trigger: str | None = None,
) -> dict[str, str]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "fake",
        "channel_id": channel,
        "channel_name": "study",
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": "A1",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger or f"trigger-{time.monotonic_ns()}",
    }


def action_payload(
    action_id: str, value: str, *, response_url: str, user: str = "U1", channel: str = "C1"
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
        "api_app_id": "A1",
        "token": "legacy-verification-token",
        "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": channel},
        "trigger_id": f"trigger-{time.monotonic_ns()}",
        "team": {"id": TEAM_ID, "domain": "fake"},
        "channel": {"id": channel, "name": "study"},
        "message": {"ts": "1700000000.000001", "text": "tip"},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "type": "button",
                "action_ts": "1700000001.000001",
            }
        ],
    }


def form(fields: dict[str, str]) -> str:
    return urlencode(fields)
