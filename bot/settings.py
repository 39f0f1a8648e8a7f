"""Configuration from the environment and `.env`. Secrets are SecretStr so they never print."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, BeforeValidator, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.time import read_duration


def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


def _duration(value: object) -> object:
    """Accept what people write in an env file: `12h`, `90m`, `3600`; else let pydantic parse
    (`12:00:00`, ISO 8601 `PT12H`)."""
    if isinstance(value, str):
        span = read_duration(value)
        if span is not None:
            return span
    return value


Duration = Annotated[timedelta, BeforeValidator(_duration)]

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigurationError(Exception):
    """Settings or surroundings that cannot work (a rejected token, an unreachable database).
    The command line prints the message as one line and exits 2; messages never hold secrets."""


def _log_level(value: object) -> object:
    if isinstance(value, str):
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"use one of {', '.join(LOG_LEVELS)}")
        return level
    return value


def _database_url(value: object) -> object:
    """A URL SQLAlchemy can parse, for a database studybot supports. The URL is never echoed:
    it may hold a password."""
    if not isinstance(value, str) or not value.strip():
        return None
    from sqlalchemy.engine import make_url  # here, not at import: `studybot --help` stays quick
    from sqlalchemy.exc import ArgumentError

    try:
        backend = make_url(value.strip()).get_backend_name()
    except ArgumentError:
        raise ValueError(
            "not a database URL; use e.g. sqlite:///path/studybot.db or "
            "postgresql://user@host:5432/studybot"
        ) from None
    if backend not in {"sqlite", "postgresql", "postgres"}:
        raise ValueError(f"{backend} is not supported; use sqlite:///… or postgresql://…")
    return value.strip()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # Slack
    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_BOT_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_SIGNING_SECRET")
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_APP_TOKEN")
    )
    # Many workspaces through bolt's OAuth flow, when the client id and secret are set. The OAuth
    # state lives in our database (bolt's SQLAlchemy state store, checked against a browser
    # cookie), so SLACK_STATE_SECRET is accepted for compatibility but not needed.
    slack_client_id: str | None = Field(default=None, validation_alias=_env("SLACK_CLIENT_ID"))
    slack_client_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_CLIENT_SECRET")
    )
    slack_state_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_STATE_SECRET")
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/", validation_alias=_env("SLACK_API_URL")
    )

    # Discord
    discord_token: SecretStr | None = Field(default=None, validation_alias=_env("DISCORD_TOKEN"))
    discord_api_url: str = Field(
        default="https://discord.com/api/v10", validation_alias=_env("DISCORD_API_URL")
    )
    discord_gateway_url: str = Field(
        default="wss://gateway.discord.gg/", validation_alias=_env("DISCORD_GATEWAY_URL")
    )

    # Several processes may split the shards: e.g. 4 shards, this process runs "0,1".
    discord_shard_count: int | None = Field(
        default=None, ge=1, validation_alias=_env("DISCORD_SHARD_COUNT")
    )
    discord_shard_ids: str | None = Field(default=None, validation_alias=_env("DISCORD_SHARD_IDS"))

    # studybot itself
    database_url: Annotated[str | None, BeforeValidator(_database_url)] = Field(
        default=None, validation_alias=_env("STUDYBOT_DATABASE_URL")
    )
    content_dir: Path | None = Field(default=None, validation_alias=_env("STUDYBOT_CONTENT_DIR"))
    host: str = Field(default="0.0.0.0", validation_alias=_env("STUDYBOT_HOST"))  # noqa: S104
    port: int = Field(default=3000, ge=1, le=65535, validation_alias=_env("STUDYBOT_PORT"))
    # Where people reach this bot's HTTP server (the calendar feed's links start with it).
    public_url: str | None = Field(default=None, validation_alias=_env("STUDYBOT_PUBLIC_URL"))
    log_level: Annotated[str, BeforeValidator(_log_level)] = Field(
        default="WARNING", validation_alias=_env("STUDYBOT_LOG_LEVEL")
    )
    # Occurrences missed while the bot was down are sent late (once) within this window.
    misfire_grace: Duration = Field(
        default=timedelta(hours=12), validation_alias=_env("STUDYBOT_MISFIRE_GRACE")
    )
    # Acknowledged interactions left unfinished by a process that stopped are taken over by
    # another (or the restarted) process once this lease runs out; see bot/store/inbox.py.
    inbox_lease: Duration = Field(
        default=timedelta(seconds=20), validation_alias=_env("STUDYBOT_INBOX_LEASE")
    )
    # Scheduled posts claimed by a process that stopped are taken over once this runs out; a
    # running process renews its claims every third of it (scheduler/service.py).
    claim_lease: Duration = Field(
        default=timedelta(minutes=1), validation_alias=_env("STUDYBOT_CLAIM_LEASE")
    )

    @property
    def slack_oauth_enabled(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def has_slack(self) -> bool:
        return self.slack_bot_token is not None or self.slack_oauth_enabled

    @property
    def has_discord(self) -> bool:
        return self.discord_token is not None

    def secret_values(self) -> list[str]:
        """Every configured secret, for the log redaction filter."""
        secrets = [
            self.slack_bot_token,
            self.slack_signing_secret,
            self.slack_app_token,
            self.slack_client_secret,
            self.slack_state_secret,
            self.discord_token,
        ]
        values = [secret.get_secret_value() for secret in secrets if secret is not None]
        return values + [password for password in [self.database_password()] if password]

    def database_password(self) -> str | None:
        if not self.database_url:
            return None
        from sqlalchemy.engine import make_url

        return make_url(self.database_url).password

    @classmethod
    def variable_names(cls) -> list[str]:
        """Every environment variable studybot reads."""
        names: list[str] = []
        for field in cls.model_fields.values():
            alias = field.validation_alias
            if isinstance(alias, AliasChoices):
                names += [choice for choice in alias.choices if isinstance(choice, str)]
        return names


# Variables other tools set in the same prefixes, not misspellings of ours.
OTHERS = frozenset({"STUDYBOT_TEST_POSTGRES_URL"})


def unknown_variables(environ: Mapping[str, str]) -> list[tuple[str, str | None]]:
    """(name, closest known name) for each STUDYBOT_/SLACK_/DISCORD_ variable studybot does not
    read: most often a misspelling whose setting is then silently missing."""
    from difflib import get_close_matches

    known = Settings.variable_names()
    found = []
    for name in sorted(environ):
        if name.startswith(("STUDYBOT_", "SLACK_", "DISCORD_")) and name not in known:
            if name in OTHERS:
                continue
            guess = get_close_matches(name, known, n=1, cutoff=0.6)
            found.append((name, guess[0] if guess else None))
    return found
