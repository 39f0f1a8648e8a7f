"""The Slack Web API client: our base URL (proxies, GovSlack, the tests' fake) and 429 retries."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

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
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)],
    )
