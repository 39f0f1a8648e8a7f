"""The README's generated parts match the code: its command table is the registry's (the same
lines as /help), and its console transcripts are what the console prints today."""

from __future__ import annotations

import re

import pytest

from bot.core.registry import Registry
from bot.features import feature_modules
from bot.readme import README, TRANSCRIPTS, commands_markdown, generated_section, transcript

REGENERATE = "Run `python -m bot.readme` (or `make docs`) and commit the README."
_TIME = re.compile(
    r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d [A-Z][a-z]{2}( \d{4})?( \d\d:\d\d)?( [A-Z]{3,4})?"
)
_RELATIVE = re.compile(r"\b(in \d+ (day|hour|minute)s?|\d+ (day|hour|minute)s? ago|now)\b")


def normalised(text: str) -> str:
    """Times and countdowns differ from run to run; so does the padding they push around."""
    text = _RELATIVE.sub("<rel>", _TIME.sub("<time>", text))
    return re.sub(r"[ ─]+", " ", text)


def test_the_command_table_is_the_registrys() -> None:
    registry = Registry.collect(feature_modules())
    section = generated_section(README.read_text(), "commands")
    assert section is not None
    assert commands_markdown(registry) in section, REGENERATE
    for spec in registry.commands:
        assert f"`/{spec.name}" in section


@pytest.mark.parametrize("name", sorted(TRANSCRIPTS))
def test_the_console_transcripts_are_real_output(name: str) -> None:
    section = generated_section(README.read_text(), f"transcript:{name}")
    assert section is not None
    assert normalised(transcript(name)) in normalised(section), REGENERATE
