"""Where discord.py talks to: the one place that sets its REST base and gateway URL.

discord.py has no constructor argument for either, so they are class attributes set here from
settings, and nothing else touches them. Users need this for rate-limit proxies; the tests use it
to reach the fake Discord.
"""

from __future__ import annotations

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

DEFAULT_API_URL = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"


def configure_endpoints(*, api_url: str, gateway_url: str) -> None:
    Route.BASE = api_url.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
