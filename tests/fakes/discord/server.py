"""A fake Discord over loopback: the REST routes studybot uses and a real gateway websocket.

Gateway: HELLO, IDENTIFY → READY (+ GUILD_CREATE), heartbeats acked, RESUME → RESUMED, and
dispatches of INTERACTION_CREATE, all zlib-stream compressed as discord.py asks. REST: the JSON
shapes discord.py parses, `application/json` exactly, interaction callbacks answered 200 with a
JSON body. Failures can be queued per route: 429 with JSON `retry_after` and the `Via` header
discord.py checks, or 500.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.loopback import serve_on_loopback, wait_until

APP_ID = "1100000000000000001"
BOT_ID = "1100000000000000002"
GUILD_ID = "1200000000000000001"
CHANNEL_ID = "1300000000000000001"
MANAGE_GUILD = 1 << 5
ZLIB_SUFFIX = b"\x00\x00\xff\xff"


@dataclass
class Request:
    method: str
    path: str
    body: Any
    query: dict[str, str] = field(default_factory=dict)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py decodes a body only when Content-Type is exactly application/json; aiohttp's
    # json_response would add "; charset=utf-8".
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


def user(user_id: str, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": user_id,
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


class FakeDiscord:
    def __init__(
        self, *, guilds: list[str] | None = None, shards: int = 1, heartbeat_ms: int = 41250
    ) -> None:
        self.heartbeat_ms = heartbeat_ms
        self.guilds = [GUILD_ID] if guilds is None else guilds
        self.shards = shards
        self.requests: list[Request] = []
        self.callbacks: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        self.failures: list[tuple[str, re.Pattern[str], int, dict[str, Any], dict[str, str]]] = []
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.heartbeats = 0
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._sockets: list[tuple[web.WebSocketResponse, Any]] = []
        self._sequence = itertools.count(1)
        self._ids = itertools.count(1)
        self._ready = asyncio.Event()
        self._nonces: dict[tuple[str, str], dict[str, Any]] = {}
        # For latency measurements: when an interaction was dispatched and when it was answered.
        self.dispatched_at: dict[str, float] = {}
        self.answered_at: dict[str, float] = {}
        # DM channels opened with POST /users/@me/channels: channel id → recipient user id.
        self.dm_channels: dict[str, str] = {}
        # Users who do not accept DMs from the bot (privacy setting, blocked, no shared server).
        self.closed_dms: set[str] = set()
        # Threads started with POST /channels/{id}/threads, with the members added to each.
        self.threads: dict[str, dict[str, Any]] = {}

    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self._runner, self.url = await serve_on_loopback(app)
        return self

    async def stop(self) -> None:
        for socket, _ in self._sockets:
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return self.url.replace("http", "ws") + "/gateway"

    def fail(
        self,
        method: str,
        path_pattern: str,
        status: int,
        *,
        retry_after: float = 0.2,
        times: int = 1,
    ) -> None:
        if status == 429:
            body: dict[str, Any] = {
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": False,
            }
            headers = {
                "Via": "1.1 google",
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset-After": str(retry_after),
                "X-RateLimit-Bucket": "fake-bucket",
                "X-RateLimit-Scope": "user",
                "Retry-After": str(retry_after),
            }
        elif status == 401:
            body, headers = {"message": "401: Unauthorized", "code": 0}, {"Via": "1.1 google"}
        elif status == 403:
            body, headers = {"message": "Missing Access", "code": 50001}, {"Via": "1.1 google"}
        else:
            body, headers = {"message": "Internal Server Error", "code": 0}, {"Via": "1.1 google"}
        for _ in range(times):
            self.failures.append((method, re.compile(path_pattern), status, body, headers))

    def requests_to(self, method: str, pattern: str) -> list[Request]:
        compiled = re.compile(pattern)
        return [r for r in self.requests if r.method == method and compiled.fullmatch(r.path)]

    async def wait_for(self, predicate: Callable[[], object], within: float = 5.0) -> None:
        await wait_until(predicate, within=within, what="the fake Discord")

    async def wait_ready(self, within: float = 10.0) -> None:
        await asyncio.wait_for(self._ready.wait(), within)

    # REST -----------------------------------------------------------------------------------

    def _snowflake(self) -> str:
        return str(1400000000000000000 + next(self._ids))

    def _message(self, channel_id: str, body: dict[str, Any], *, flags: int = 0) -> dict[str, Any]:
        return {
            "id": self._snowflake(),
            "channel_id": channel_id,
            "author": user(BOT_ID, "studybot", bot=True),
            "content": body.get("content") or "",
            "timestamp": "2026-11-26T12:00:00.000000+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags", flags) or 0,
            "nonce": body.get("nonce"),
        }

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        body: Any = None
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
            elif request.content_type.startswith("multipart/"):
                form = await request.post()
                body = json.loads(str(form.get("payload_json", "{}")))
        self.requests.append(
            Request(method=request.method, path=path, body=body, query=dict(request.query))
        )
        for index, (method, pattern, status, fail_body, headers) in enumerate(self.failures):
            if method == request.method and pattern.fullmatch(path):
                del self.failures[index]
                return _json(fail_body, status=status, headers=headers)
        return self._answer(request.method, path, body or {})

    def _answer(self, method: str, path: str, body: dict[str, Any]) -> web.Response:
        if path == "/users/@me":
            return _json({**user(BOT_ID, "studybot", bot=True), "flags": 0})
        if path == "/oauth2/applications/@me":
            return _json(
                {
                    "id": APP_ID,
                    "name": "studybot",
                    "icon": None,
                    "description": "",
                    "bot_public": True,
                    "bot_require_code_grant": False,
                    "verify_key": "00",
                    "flags": 0,
                    "owner": user("1500000000000000001", "owner"),
                    "team": None,
                }
            )
        if path == "/gateway/bot":
            return _json(
                {
                    "url": self.gateway_url,
                    "shards": self.shards,
                    "session_start_limit": {
                        "total": 1000,
                        "remaining": 999,
                        "reset_after": 0,
                        "max_concurrency": 1,
                    },
                }
            )
        if method == "PUT" and re.fullmatch(r"/applications/\d+(/guilds/\d+)?/commands", path):
            return _json(
                [
                    {**command, "id": self._snowflake(), "application_id": APP_ID, "version": "1"}
                    for command in body
                ]
            )
        match = re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path)
        if match:
            self.callbacks.append({"interaction_id": match[1], "token": match[2], **body})
            self.answered_at[match[1]] = asyncio.get_running_loop().time()
            data = body.get("data") or {}
            interaction = {"id": match[1], "type": 2}
            if body.get("type") == 5:
                interaction["response_message_loading"] = True
            resource: dict[str, Any] = {"type": body.get("type")}
            if body.get("type") in {4, 5, 7}:
                resource["message"] = self._message(CHANNEL_ID, data)
            return _json({"interaction": interaction, "resource": resource})
        match = re.fullmatch(r"/webhooks/(\d+)/([^/]+)(/messages/@original)?", path)
        if match:
            message = self._message(CHANNEL_ID, body)
            route = "edit" if method == "PATCH" else "followup"
            self.messages.append({"route": route, "token": match[2], **message})
            return _json(message)
        if path == "/users/@me/channels" and method == "POST":
            return self._open_dm(body)
        match = re.fullmatch(r"/channels/(\d+)/threads", path)
        if match and method == "POST":
            return self._start_thread(match[1], body)
        match = re.fullmatch(r"/channels/(\d+)/thread-members/(\d+)", path)
        if match and method == "PUT":
            if match[1] not in self.threads:
                return _json({"message": "Unknown Channel", "code": 10003}, status=404)
            self.threads[match[1]]["members"].append(match[2])
            return web.Response(status=204)
        match = re.fullmatch(r"/channels/(\d+)/messages", path)
        if match and method == "POST" and self.dm_channels.get(match[1]) in self.closed_dms:
            # https://discord.com/developers/docs/topics/opcodes-and-status-codes: 50007.
            return _json({"message": "Cannot send messages to this user", "code": 50007}, 403)
        if match and method == "POST":
            nonce = body.get("nonce")
            if body.get("enforce_nonce") and nonce and (match[1], nonce) in self._nonces:
                return _json(self._nonces[(match[1], nonce)])
            message = self._message(match[1], body)
            if nonce:
                self._nonces[(match[1], nonce)] = message
            self.messages.append(
                {"route": "channel", "allowed_mentions": body.get("allowed_mentions"), **message}
            )
            return _json(message)
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    def _open_dm(self, body: dict[str, Any]) -> web.Response:
        """POST /users/@me/channels {"recipient_id"} → a DM channel object (type 1), the same
        one each time for a recipient (https://discord.com/developers/docs/resources/user)."""
        recipient = str(body.get("recipient_id") or "")
        if not recipient.isdigit():
            return _json({"message": "Invalid Form Body", "code": 50035}, status=400)
        channel_id = next((c for c, u in self.dm_channels.items() if u == recipient), None)
        if channel_id is None:
            channel_id = self._snowflake()
            self.dm_channels[channel_id] = recipient
        return _json(
            {
                "id": channel_id,
                "type": 1,
                "last_message_id": None,
                "flags": 0,
                "recipients": [user(recipient, f"user{recipient[-4:]}")],
            }
        )

    def _start_thread(self, parent: str, body: dict[str, Any]) -> web.Response:
        """POST /channels/{id}/threads without a message
        (https://discord.com/developers/docs/resources/channel#start-thread-without-message):
        type 12 is a private thread; the channel object comes back."""
        thread_id = self._snowflake()
        thread = {
            "id": thread_id,
            "type": body.get("type", 12),
            "guild_id": GUILD_ID,
            "parent_id": parent,
            "name": body.get("name"),
            "owner_id": BOT_ID,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration", 4320),
                "archive_timestamp": "2026-11-26T12:00:00.000000+00:00",
                "locked": False,
                "invitable": body.get("invitable", True),
            },
            "member_count": 0,
            "message_count": 0,
        }
        self.threads[thread_id] = {**thread, "members": []}
        return _json(thread, status=201)

    def thread_messages(self, thread_id: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("channel_id") == thread_id]

    def dms_to(self, user_id: str) -> list[dict[str, Any]]:
        """Messages the bot sent into its DM channel with `user_id`."""
        channels = {c for c, u in self.dm_channels.items() if u == user_id}
        return [m for m in self.messages if m.get("channel_id") in channels]

    # Gateway --------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(max_msg_size=0)
        await socket.prepare(request)
        compress = request.query.get("compress")
        if compress not in {None, "zlib-stream"}:
            raise AssertionError(f"the fake gateway speaks zlib-stream, not {compress}")
        compressor = zlib.compressobj() if compress else None
        self._sockets.append((socket, compressor))
        await self._send(
            socket, compressor, {"op": 10, "d": {"heartbeat_interval": self.heartbeat_ms}}
        )
        async for message in socket:
            if message.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(message.data)
            op = payload.get("op")
            if op == 1:
                self.heartbeats += 1
                await self._send(socket, compressor, {"op": 11})
            elif op == 2:
                self.identifies.append(payload["d"])
                await self._ready_sequence(socket, compressor, payload["d"])
            elif op == 6:
                self.resumes.append(payload["d"])
                await self._send(
                    socket,
                    compressor,
                    {"op": 0, "t": "RESUMED", "s": next(self._sequence), "d": {}},
                )
        return socket

    async def _send(self, socket: web.WebSocketResponse, compressor: Any, payload: Any) -> None:
        await self._send_text(socket, compressor, json.dumps(payload))

    async def send_frame(self, text: str) -> None:
        """A raw gateway frame, JSON or not (for input Discord should never send, but might)."""
        await self.wait_ready()
        socket, compressor = self._sockets[-1]
        await self._send_text(socket, compressor, text)

    async def _send_text(self, socket: web.WebSocketResponse, compressor: Any, text: str) -> None:
        raw = text.encode()
        if compressor is None:
            await socket.send_str(raw.decode())
        else:
            await socket.send_bytes(compressor.compress(raw) + compressor.flush(zlib.Z_SYNC_FLUSH))

    async def _ready_sequence(
        self, socket: web.WebSocketResponse, compressor: Any, identify: dict[str, Any]
    ) -> None:
        shard = identify.get("shard") or [0, 1]
        await self._send(
            socket,
            compressor,
            {
                "op": 0,
                "t": "READY",
                "s": next(self._sequence),
                "d": {
                    "v": 10,
                    "user": {
                        **user(BOT_ID, "studybot", bot=True),
                        "verified": True,
                        "mfa_enabled": False,
                    },
                    "guilds": [{"id": g, "unavailable": True} for g in self.guilds],
                    "session_id": f"session-{len(self.identifies)}",
                    "resume_gateway_url": self.gateway_url,
                    "shard": shard,
                    "application": {"id": APP_ID, "flags": 0},
                    "private_channels": [],
                    "relationships": [],
                },
            },
        )
        for guild in self.guilds:
            await self._send(
                socket,
                compressor,
                {
                    "op": 0,
                    "t": "GUILD_CREATE",
                    "s": next(self._sequence),
                    "d": {
                        "id": guild,
                        "name": "Study group",
                        "owner_id": "1500000000000000001",
                        "unavailable": False,
                        "member_count": 3,
                        "roles": [
                            {
                                "id": guild,
                                "name": "@everyone",
                                "permissions": "0",
                                "position": 0,
                                "color": 0,
                                "hoist": False,
                                "managed": False,
                                "mentionable": False,
                                "flags": 0,
                            }
                        ],
                        "channels": [
                            {
                                "id": CHANNEL_ID,
                                "type": 0,
                                "name": "study",
                                "position": 0,
                                "guild_id": guild,
                                "permission_overwrites": [],
                            }
                        ],
                        "members": [],
                        "voice_states": [],
                        "presences": [],
                        "threads": [],
                        "emojis": [],
                        "stickers": [],
                        "features": [],
                        "joined_at": "2026-01-01T00:00:00.000000+00:00",
                    },
                },
            )
        self._ready.set()

    async def dispatch(self, event: str, data: Any) -> None:
        await self.wait_ready()
        socket, compressor = self._sockets[-1]
        if event == "INTERACTION_CREATE" and isinstance(data, dict) and "id" in data:
            self.dispatched_at[data["id"]] = asyncio.get_running_loop().time()
        await self._send(
            socket, compressor, {"op": 0, "t": event, "s": next(self._sequence), "d": data}
        )

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the gateway connection the way Discord does before asking for a RESUME."""
        self._ready.clear()
        socket, _ = self._sockets[-1]
        await socket.close(code=code)

    # Interaction payloads -------------------------------------------------------------------

    def interaction(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        user_id: str = "1600000000000000001",
        name: str = "ada",
        permissions: int = 0,
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": self._snowflake(),
            "application_id": APP_ID,
            "type": kind,
            "data": data,
            "guild_id": GUILD_ID,
            "channel_id": CHANNEL_ID,
            "channel": {
                "id": CHANNEL_ID,
                "type": 0,
                "guild_id": GUILD_ID,
                "name": "study",
                "position": 0,
                "permission_overwrites": [],
                "nsfw": False,
            },
            "member": {
                "user": user(user_id, name),
                "roles": [],
                "permissions": str(permissions),
                "joined_at": "2026-01-01T00:00:00.000000+00:00",
                "deaf": False,
                "mute": False,
                "flags": 0,
                "nick": None,
            },
            "token": f"token-{next(self._ids)}",
            "version": 1,
            "app_permissions": "2251799813685247",
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": GUILD_ID},
            "context": 0,
            "attachment_size_limit": 10485760,
        }
        if message is not None:
            payload["message"] = message
        return payload

    def command(self, name: str, options: dict[str, Any] | None = None, **who: Any) -> dict:
        data = {
            "id": self._snowflake(),
            "name": name,
            "type": 1,
            "options": [
                {"name": key, "type": 4 if isinstance(value, int) else 3, "value": value}
                for key, value in (options or {}).items()
            ],
        }
        return self.interaction(2, data, **who)

    def button(
        self, custom_id: str, label: str = "button", message_id: str | None = None, **who: Any
    ) -> dict:
        # Discord sends the whole message the button sits on, components included.
        row = {
            "type": 1,
            "components": [
                {"type": 2, "style": 1, "label": label, "custom_id": custom_id, "disabled": False}
            ],
        }
        message = self._message(CHANNEL_ID, {"content": "", "components": [row]})
        if message_id is not None:  # clicks on the same message carry the same message id
            message["id"] = message_id
        return self.interaction(
            3, {"custom_id": custom_id, "component_type": 2}, message=message, **who
        )
