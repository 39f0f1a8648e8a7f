"""The bolt app studybot's Slack adapter listens through: one bot token, or bolt's OAuth flow
with installations kept in our database, so one deployment serves many workspaces."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
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
