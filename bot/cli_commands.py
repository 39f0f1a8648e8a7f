"""What each `studybot` command does (bot/cli.py parses the arguments first)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from bot.logs import configure_logging
from bot.settings import ConfigurationError, Settings, unknown_variables
from content.catalog import ContentError, load_catalog

CONNECT_HINT = (
    "No Slack or Discord settings found, so studybot runs in this terminal. "
    "Set SLACK_BOT_TOKEN or DISCORD_TOKEN to connect a platform (see README.md)."
)


NOTHING_TO_SERVE = (
    "studybot: nothing to serve: set SLACK_BOT_TOKEN (and SLACK_SIGNING_SECRET or "
    "SLACK_APP_TOKEN) or DISCORD_TOKEN, or run `studybot console` in a terminal."
)


def _stdin_is_null() -> bool:
    try:
        return os.path.samestat(os.fstat(sys.stdin.fileno()), os.stat(os.devnull))
    except (OSError, ValueError):
        return False


def execute(args: argparse.Namespace) -> int:
    """Run the command `args` names; every failure is one clear line (and an exit code)."""
    try:
        settings = Settings()
    except ValidationError as error:
        print(_settings_problem(error), file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.secret_values())
    for name, guess in unknown_variables(os.environ):
        meant = f"; did you mean {guess}?" if guess else ""
        print(f"studybot: {name} is not a setting studybot reads{meant}", file=sys.stderr)
    try:
        if args.command == "content":
            return check_content(args.dir or settings.content_dir, against=args.against)
        if args.command == "slack":
            return print_slack_manifest(socket_mode=args.socket_mode, url=args.url)
        if args.command == "discord":
            return asyncio.run(discord_sync(settings, guild_id=args.guild))
        if args.command == "export":
            if not args.list and not (args.group and args.what):
                print("studybot export needs --group and --what (or --list).", file=sys.stderr)
                return 2
            return asyncio.run(
                export(settings, group=args.group, what=args.what, list_only=args.list)
            )
        if args.command == "db":
            return asyncio.run(upgrade_db(settings))
        if args.command == "console":
            return asyncio.run(run_console(settings, user=args.user, group=args.group))
        return asyncio.run(run(settings))
    except ConfigurationError as error:
        print(f"studybot: {error}", file=sys.stderr)
        return 2
    except ContentError as error:
        print(error.describe(), file=sys.stderr)
        print("Fix these and start again; `studybot content check` re-checks.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def check_content(extra_dir: Path | None, *, against: Path | None = None) -> int:
    catalog = load_catalog(extra_dir)  # ContentError is reported by main()
    if against is None:
        print(f"Content OK: {catalog.summary()}.")
        return 0
    from content.overlap import RUN, shared_runs

    if not against.is_dir():
        print(f"studybot: {against} is not a folder of .txt source texts", file=sys.stderr)
        return 2
    sources = {
        path.name: path.read_text(encoding="utf-8", errors="replace")
        for path in sorted(against.glob("*.txt"))
    }
    copied = shared_runs(catalog, sources)
    for run in copied:
        print(f"{run.entry}: {len(run.words.split())} words shared with {run.source}: {run.words}")
    print(
        f"Content {'has copied passages' if copied else 'OK'}: {catalog.summary()}; "
        f"{len(copied)} run(s) of {RUN}+ words shared with {len(sources)} source text(s)."
    )
    return 1 if copied else 0


async def export(settings: Settings, *, group: str, what: str, list_only: bool) -> int:
    from bot.app import build_application
    from bot.export import UnknownGroup, export_csv

    app = await build_application(settings)
    try:
        if list_only:
            for group_id in await app.services.store.known_group_ids():
                print(group_id)
            return 0
        count = await export_csv(app.services, group, what, sys.stdout)
    except UnknownGroup as error:
        print(f"studybot: {error}", file=sys.stderr)
        return 2
    finally:
        await app.close()
    print(f"{count} rows", file=sys.stderr)
    return 0


async def upgrade_db(settings: Settings) -> int:
    from bot.store.db import default_database_url, open_database

    engine = await open_database(settings.database_url or default_database_url())
    await engine.dispose()
    print("Database schema is up to date.")
    return 0


async def run_console(settings: Settings, *, user: str, group: str) -> int:
    from bot.adapters.console.adapter import ConsoleAdapter
    from bot.app import build_application, freeze_startup_objects

    app = await build_application(settings)
    freeze_startup_objects()
    try:
        console = ConsoleAdapter(app.dispatcher, user=user, group=group)
        scheduler = app.scheduler({console.platform: console})
        await scheduler.start()
        try:
            await console.serve()
        finally:
            await scheduler.stop()
    finally:
        await app.close()
    return 0


async def run(settings: Settings) -> int:
    if not (settings.has_slack or settings.has_discord):
        if _stdin_is_null():
            # A service (systemd, a container without a terminal) with nothing to serve: say so
            # instead of opening a console nobody can type into and exiting 0.
            print(NOTHING_TO_SERVE, file=sys.stderr)
            return 2
        print(CONNECT_HINT, file=sys.stderr)
        return await run_console(settings, user="you", group="local")
    from bot.app import PlatformFailed, serve_platforms

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    try:
        serving = serve_platforms(settings, stop=stop, announce=_to_stderr)
        await _serve_until_stopped(serving, stop)
    except PlatformFailed as error:
        print(f"studybot stopped: {error}", file=sys.stderr)
        return 1
    return 0


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# After SIGTERM or Ctrl-C, a clean stop gets this long before the process stops anyway.
STOP_GRACE_SECONDS = 8.0


async def _serve_until_stopped(serving: Coroutine[Any, Any, None], stop: asyncio.Event) -> None:
    """Run `serving`; once `stop` is set it has STOP_GRACE_SECONDS to finish (also while still
    starting up, e.g. waiting on a platform), then it is cancelled: a stop always stops."""
    task = asyncio.ensure_future(serving)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not task.done():
            await asyncio.wait({task}, timeout=STOP_GRACE_SECONDS)
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            return
        task.result()
    finally:
        stopping.cancel()


async def discord_sync(settings: Settings, *, guild_id: int | None) -> int:
    from bot.app import sync_discord_commands

    if settings.discord_token is None:
        print("Set DISCORD_TOKEN first (see README.md, Connect to Discord).", file=sys.stderr)
        return 2
    count = await sync_discord_commands(settings, guild_id=guild_id)
    where = f"server {guild_id}" if guild_id else "every server (global commands)"
    print(f"Synced {count} commands to {where}.")
    return 0


def print_slack_manifest(*, socket_mode: bool, url: str | None) -> int:
    from bot.adapters.slack.manifest import manifest_yaml
    from bot.core.registry import Registry
    from bot.features import feature_modules

    if not socket_mode and not url:
        print(
            "HTTP mode needs the public URL: --url https://your.host (or --socket-mode).",
            file=sys.stderr,
        )
        return 2
    if url is not None:
        parsed = urlsplit(url)
        if parsed.scheme != "https" or not parsed.netloc:
            print(
                f"--url must be an https:// address Slack can reach (not {url!r}); "
                "Slack only calls apps over HTTPS.",
                file=sys.stderr,
            )
            return 2
    print(manifest_yaml(Registry.collect(feature_modules()), socket_mode=socket_mode, url=url))
    return 0


def _settings_problem(error: ValidationError) -> str:
    """One line per setting at fault, naming it; values are left out (they may be secrets)."""
    lines = []
    for detail in error.errors():
        name = ".".join(str(part) for part in detail["loc"])
        message = str(detail["msg"]).removeprefix("Value error, ")
        lines.append(f"studybot cannot use {name}: {message}")
    return "\n".join(lines)
