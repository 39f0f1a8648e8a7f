"""The Slack Web API client: our base URL (proxies, GovSlack, the tests' fake) and 429 retries."""

from __future__ import annotations

from typing import Any

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.metrics import PLATFORM_RETRIES

DEFAULT_API_URL = "https://slack.com/api/"


def normalise_base_url(url: str) -> str:
    """slack_sdk joins `base_url + method`, so the base must end with a slash."""
    return url if url.endswith("/") else url + "/"


def make_client(*, token: str | None, base_url: str, timeout: int = 30) -> AsyncWebClient:
    # Only 429s are retried here: Slack rejected those, so a retry cannot duplicate a message
    # (slack_sdk waits out Retry-After only with this handler). slack_sdk's default handler also
    # re-sends after a dropped connection, when chat.postMessage may already have been posted;
    # the scheduler decides about those itself (see scheduler/service.py).
    return AsyncWebClient(
        token=token,
        base_url=normalise_base_url(base_url),
        timeout=timeout,
        retry_handlers=[CountedRateLimitRetries(max_retry_count=3)],
    )


class CountedRateLimitRetries(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler, counting each wait-and-retry in studybot_platform_retries_total."""

    async def prepare_for_next_attempt_async(self, **kwargs: Any) -> None:
        PLATFORM_RETRIES.labels(platform="slack", reason="rate_limited").inc()
        await super().prepare_for_next_attempt_async(**kwargs)
