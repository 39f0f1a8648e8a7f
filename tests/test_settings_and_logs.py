from __future__ import annotations

import logging

import pytest

from bot.logs import SecretRedactor
from bot.settings import Settings


def test_settings_hide_secrets_in_repr() -> None:
    settings = Settings(
        SLACK_BOT_TOKEN="xoxb-very-secret-token", DISCORD_TOKEN="discord-secret-xyz"
    )
    assert "xoxb-very-secret-token" not in repr(settings)
    assert "discord-secret-xyz" not in str(settings.model_dump())
    assert settings.secret_values() == ["xoxb-very-secret-token", "discord-secret-xyz"]


def test_redactor_masks_secrets_in_messages_args_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("studybot.test.redaction")
    redactor = SecretRedactor(["xoxb-very-secret-token"])
    caplog.handler.addFilter(redactor)
    try:
        logger.warning("token is %s", "xoxb-very-secret-token")
        try:
            raise ValueError("auth failed for xoxb-very-secret-token")
        except ValueError:
            logger.exception("call failed")
    finally:
        caplog.handler.removeFilter(redactor)
    assert "xoxb-very-secret-token" not in caplog.text
    assert caplog.text.count("[redacted]") >= 2


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("PT12H", 43200), ("43200", 43200), ("12:00:00", 43200), ("2h", 7200), ("90m", 5400)],
)
def test_misfire_grace_accepts_common_duration_spellings(
    monkeypatch: pytest.MonkeyPatch, raw: str, seconds: int
) -> None:
    monkeypatch.setenv("STUDYBOT_MISFIRE_GRACE", raw)
    assert Settings().misfire_grace.total_seconds() == seconds
