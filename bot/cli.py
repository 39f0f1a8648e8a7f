"""The `studybot` command line: the parser, answered before anything heavy is imported.

What each command does lives in bot/cli_commands.py, imported once the arguments are parsed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

EXPORT_KINDS = ("checkins", "polls", "votes", "members")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="studybot",
        description="A study-group bot for software engineers moving into ML engineering.",
    )
    parser.add_argument("--version", action="version", version=f"studybot {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("run", help="serve every configured platform (the console if none)")

    console = commands.add_parser("console", help="talk to studybot in this terminal")
    console.add_argument("--user", default="you", help="your name in the conversation")
    console.add_argument("--group", default="local", help="the study group to speak in")

    content = commands.add_parser("content", help="study content tools")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    check = content_commands.add_parser("check", help="validate shipped content plus a folder")
    check.add_argument("dir", nargs="?", type=Path, help="extra content folder to validate")
    check.add_argument(
        "--against",
        type=Path,
        metavar="DIR",
        help="also report runs of 8+ words shared with any .txt source text in DIR",
    )

    slack = commands.add_parser("slack", help="Slack tools")
    slack_commands = slack.add_subparsers(dest="slack_command", required=True)
    manifest = slack_commands.add_parser("manifest", help="print a Slack app manifest (YAML)")
    manifest.add_argument("--socket-mode", action="store_true", help="no public URL needed")
    manifest.add_argument("--url", help="public base URL, e.g. https://studybot.example.org")

    discord_parser = commands.add_parser("discord", help="Discord tools")
    discord_commands = discord_parser.add_subparsers(dest="discord_command", required=True)
    sync = discord_commands.add_parser("sync", help="register the slash commands with Discord")
    sync.add_argument("--guild", type=int, help="one server only (instant; global takes a while)")

    export = commands.add_parser("export", help="write a group's data as CSV to standard output")
    export.add_argument("--list", action="store_true", help="list the group ids there is data for")
    export.add_argument("--group", help="group id, e.g. slack:T1:C2")
    # Spelled out rather than read from bot.export, which would import every feature at start-up;
    # tests/test_cli.py checks the two agree.
    export.add_argument("--what", choices=EXPORT_KINDS)
    export.add_argument("--format", default="csv", choices=["csv"])

    db = commands.add_parser("db", help="database tools")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply schema migrations")
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("studybot")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(sys.argv[1:] if argv is None else list(argv))
    except BrokenPipeError:
        # The reader went away (`studybot slack manifest | head`): not an error of ours. Point
        # stdout at /dev/null so the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _main(argv: list[str]) -> int:
    parser = build_parser()
    if not argv:
        parser.print_help()
        return 0
    args = parser.parse_args(argv)
    # Imported only now: `studybot --help` and argument errors answer without loading pydantic,
    # the settings or asyncio (issue 14: --help at most half the time of importing the SDKs).
    from bot.cli_commands import execute

    return execute(args)


if __name__ == "__main__":
    raise SystemExit(main())
