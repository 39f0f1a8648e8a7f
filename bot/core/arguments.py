"""Turn the text after a command name into typed arguments, the same way on every platform."""

from __future__ import annotations

import io
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


def split_leading(text: str, count: int) -> tuple[list[str], str]:
    """The first `count` shell-like words, and the rest of the text exactly as typed (quotes
    kept), for an option that takes the rest of the line and parses it itself."""
    stream = io.StringIO(text)
    lexer = shlex.shlex(stream, posix=True)
    lexer.whitespace_split = True
    words: list[str] = []
    try:
        while len(words) < count:
            token = lexer.get_token()
            if token is None or token == lexer.eof:
                return words, ""
            words.append(token)
    except ValueError as error:
        raise UserError(
            "I couldn't read that: a quote is left open.",
            hint='Close every " you open, or leave quotes out.',
        ) from error
    return words, text[stream.tell() :].strip()


def parse_arguments(
    spec: CommandSpec,
    text: str,
    choices_for: dict[str, Sequence[str]] | None = None,
) -> dict[str, str | int | None]:
    """Map words to the spec's options in order; validate kinds and choices.

    `choices_for` carries each option's valid values, computed by the caller from the loaded
    content, so this function stays pure.
    """
    options = list(spec.options)
    has_rest = bool(options) and options[-1].rest
    if has_rest:
        words, rest = split_leading(text, len(options) - 1)
        if rest:
            words.append(rest)
        split_words(rest)  # a quote left open in the rest is reported now, not later
    else:
        words = split_words(text)
    values: dict[str, str | int | None] = {option.name: None for option in spec.options}
    for index, option in enumerate(options):
        if index >= len(words):
            break
        values[option.name] = _convert(
            spec, option, words[index], (choices_for or {}).get(option.name)
        )
    taken = len(options)
    if len(words) > taken and not has_rest:
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
        if low is not None and high is not None:
            allowed = f"from {low} to {high}"
        elif low is not None:
            allowed = f"{low} or more"
        else:
            allowed = f"{high} or less"
        raise UserError(f"{option.name} must be {allowed}, not {number}.")
