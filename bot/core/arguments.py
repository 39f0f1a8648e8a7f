"""Turn the text after a command name into typed arguments, the same way on every platform."""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from bot.core.errors import UserError
from bot.core.registry import CommandSpec, OptionKind, OptionSpec
from bot.core.text import closest, one_of


def split_words(text: str) -> list[str]:
    """Shell-like splitting so members can quote: /poll "Which week?" "one" "two"."""
    try:
        return shlex.split(text)
    except ValueError as error:
        raise UserError(
            "I couldn't read that: a quote is left open.",
            hint='Close every " you open, or leave quotes out.',
        ) from error


def parse_arguments(
    spec: CommandSpec,
    text: str,
    choices_for: dict[str, Sequence[str]] | None = None,
) -> dict[str, str | int | None]:
    """Map words to the spec's options in order; validate kinds and choices.

    `choices_for` carries each option's valid values, computed by the caller from the loaded
    content, so this function stays pure.
    """
    words = split_words(text)
    values: dict[str, str | int | None] = {option.name: None for option in spec.options}
    options = list(spec.options)
    for index, option in enumerate(options):
        if index >= len(words):
            break
        raw = " ".join(words[index:]) if option.rest else words[index]
        values[option.name] = _convert(spec, option, raw, (choices_for or {}).get(option.name))
    taken = len(options) if options and options[-1].rest else len(options)
    if len(words) > taken and not (options and options[-1].rest):
        extra = " ".join(words[taken:])
        raise UserError(
            f"/{spec.name} doesn't take `{extra}`.",
            hint=f"Usage: {spec.usage}",
        )
    for option in options:
        if option.required and values[option.name] is None:
            raise UserError(
                f"/{spec.name} needs {option.name}: {option.description}.",
                hint=f"Usage: {spec.usage}",
            )
    return values


def _convert(
    spec: CommandSpec, option: OptionSpec, raw: str, choices: Sequence[str] | None
) -> str | int:
    if option.kind is OptionKind.INTEGER:
        try:
            number = int(raw)
        except ValueError:
            raise UserError(
                f"{option.name} should be a whole number, not `{raw}`.",
                hint=f"Usage: {spec.usage}",
            ) from None
        _check_range(option, number)
        return number
    if choices:
        by_lower = {choice.lower(): choice for choice in choices}
        if raw.lower() in by_lower:
            return by_lower[raw.lower()]
        suggestion = closest(raw, choices)
        guess = f" Did you mean `{suggestion[0]}`?" if suggestion else ""
        raise UserError(
            f"I don't know the {option.name} `{raw}`.{guess}",
            hint=f"Choose {one_of(choices)}.",
        )
    return raw


def _check_range(option: OptionSpec, number: int) -> None:
    low, high = option.min_value, option.max_value
    if (low is not None and number < low) or (high is not None and number > high):
        raise UserError(
            f"{option.name} must be between {low} and {high}, not {number}.",
        )
