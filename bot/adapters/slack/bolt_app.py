"""The bolt app studybot's Slack adapter listens through: one bot token, or bolt's OAuth flow
with installations kept in our database, so one deployment serves many workspaces."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger import get_bolt_logger
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters.slack.client import make_client
from bot.adapters.slack.manifest import BOT_SCOPES
from bot.settings import ConfigurationError, Settings


class SlackConfigurationError(ConfigurationError):
    """Settings that cannot work (e.g. HTTP mode without a signing secret)."""


@dataclass(frozen=True, kw_only=True)
class BoltApp:
    app: AsyncApp
    client: AsyncWebClient
    # Set with OAuth: where each workspace's bot token is found.
    installations: AsyncSQLAlchemyInstallationStore | None


class _KnownClientNotice(logging.Filter):
    """bolt reads SLACK_BOT_TOKEN from the environment even when handed a client, then warns at
    every start that the token is unused. We hand it a client on purpose (our base URL and 429
    handling), so that one line is noise; every other bolt message passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def build_bolt_app(settings: Settings, engine: AsyncEngine) -> BoltApp:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    installations = None
    oauth_settings = None
    if settings.slack_oauth_enabled:
        assert settings.slack_client_id is not None
        assert settings.slack_client_secret is not None
        installations = AsyncSQLAlchemyInstallationStore(
            client_id=settings.slack_client_id, engine=engine
        )
        oauth_settings = AsyncOAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret.get_secret_value(),
            scopes=list(BOT_SCOPES),
            installation_store=installations,
            state_store=AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine),
        )
        token = None  # each workspace's own token comes from the installation store
    client = make_client(token=token, base_url=settings.slack_api_url)
    bolt_logger = get_bolt_logger(AsyncApp)
    if not any(isinstance(f, _KnownClientNotice) for f in bolt_logger.filters):
        bolt_logger.addFilter(_KnownClientNotice())
    secret = settings.slack_signing_secret
    app = AsyncApp(
        client=client,
        signing_secret=secret.get_secret_value() if secret else None,
        # HTTP requests are verified by bot/adapters/slack/http.py before their body is parsed
        # (bolt parses first, so unsigned garbage reached its parsers); Socket Mode needs none.
        request_verification_enabled=False,
        # Our listener stores the interaction and acks; the feature runs afterwards on the
        # intake's workers and answers through response_url (see bot/adapters/intake.py).
        process_before_response=True,
        oauth_settings=oauth_settings,
    )
    return BoltApp(app=app, client=client, installations=installations)


async def check_bot_token(client: AsyncWebClient) -> None:
    """Fail at start, with a clear message, rather than at the first command."""
    try:
        await client.auth_test()
    except SlackApiError as error:
        code = error.response.get("error", "unknown_error")
        raise SlackConfigurationError(
            f"Slack rejected SLACK_BOT_TOKEN ({code}); check the token in your settings."
        ) from None
    except aiohttp.ClientError as error:
        raise SlackConfigurationError(
            f"cannot reach Slack at SLACK_API_URL ({type(error).__name__})"
        ) from None


async def check_app_token(settings: Settings) -> None:
    """slack-sdk's Socket Mode client retries a rejected app token forever, printing a traceback
    each time: ask once (apps.connections.open), and stop with one line if Slack says no."""
    assert settings.slack_app_token is not None
    app_token = settings.slack_app_token.get_secret_value()
    client = make_client(token=app_token, base_url=settings.slack_api_url)
    try:
        await client.apps_connections_open(app_token=app_token)
    except SlackApiError as error:
        code = error.response.get("error", "unknown_error")
        raise SlackConfigurationError(
            f"Slack rejected SLACK_APP_TOKEN ({code}); it must be an app-level token (xapp-…) "
            "with the connections:write scope."
        ) from None
    except aiohttp.ClientError as error:
        raise SlackConfigurationError(
            f"cannot reach Slack at SLACK_API_URL ({type(error).__name__})"
        ) from None
