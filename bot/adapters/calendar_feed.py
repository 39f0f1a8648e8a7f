"""`GET /calendar/<token>.ics`: a group's study sessions for calendar apps that subscribe.

Served by whichever HTTP server the process runs (the Slack endpoint's, or the health server's),
from the token `/session feed` handed out. A wrong token gets the same 404 however close it is.
"""

from __future__ import annotations

import re

from aiohttp import web

from bot.features.services import Services
from bot.features.session_calendar import feed_for

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def calendar_routes(services: Services) -> list[web.RouteDef]:
    async def feed(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        body = await feed_for(services, token) if _TOKEN.match(token) else None
        if body is None:
            raise web.HTTPNotFound(text="no such calendar")
        return web.Response(
            body=body,
            content_type="text/calendar",
            charset="utf-8",
            headers={"Cache-Control": "private, max-age=300"},
        )

    return [web.get("/calendar/{token}.ics", feed)]
