"""Discord interaction benchmark: studybot against a bare discord.py client, same fake gateway.

N INTERACTION_CREATE dispatches (by default `/tip`; `--command compare --option aspect skills`
for a command without database work; `--vote` for presses of a poll's vote buttons, each a vote
stored before it is acknowledged) at a steady rate go through the fake
Discord's gateway to the client under test, which runs in its own process; the fake records the
time from each dispatch to the interaction callback that answers it. The bare client's
on_interaction only answers "ok". Two alternating rounds; p50/p99 and the ratio studybot / bare.

Run: .venv/bin/python benchmarks/discord_interaction.py [--interactions 600] [--rate 40]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.discord.server import FakeDiscord  # noqa: E402

TOKEN = "benchmark.discord.token-0123456789"
POLL = '"Ready for week 3?" "yes" "not yet"'
MANAGE_GUILD = 0x20


async def serve_bare(api_url: str, gateway_url: str) -> None:
    import discord

    from bot.adapters.discord.endpoints import configure_endpoints

    configure_endpoints(api_url=api_url, gateway_url=gateway_url)

    class Bare(discord.AutoShardedClient):
        async def on_interaction(self, interaction: discord.Interaction) -> None:
            await interaction.response.send_message("ok")

    client = Bare(intents=discord.Intents(guilds=True), shard_count=1)
    await client.start(TOKEN)


async def serve_studybot(api_url: str, gateway_url: str, database: str) -> None:
    from bot.adapters.discord.adapter import DiscordAdapter
    from bot.app import build_application, freeze_startup_objects
    from bot.settings import Settings

    settings = Settings(
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_URL=api_url,
        DISCORD_GATEWAY_URL=gateway_url,
        STUDYBOT_DATABASE_URL=f"sqlite:///{database}",
    )
    app = await build_application(settings)
    adapter = DiscordAdapter(settings=settings, dispatcher=app.dispatcher, store=app.services.store)
    await adapter.start()
    freeze_startup_objects()
    await asyncio.Event().wait()


async def measure(
    kind: str, fake: FakeDiscord, args: argparse.Namespace, folder: str, round_: int
) -> dict[str, float]:
    fake._ready.clear()
    command = [
        sys.executable,
        __file__,
        "--serve",
        kind,
        "--api-url",
        fake.api_url,
        "--gateway-url",
        fake.gateway_url,
        "--database",
        str(Path(folder) / f"{kind}-{round_}.db"),
    ]
    process = await asyncio.create_subprocess_exec(*command, cwd=str(ROOT), env=os.environ.copy())
    try:
        await fake.wait_ready(within=60)
        await asyncio.sleep(3)  # discord.py waits for guilds before it dispatches interactions
        ids = []
        if args.vote:
            # Poll 1, opened by an organizer (Manage Server) before the clock starts.
            opening = fake.command("poll", {"details": POLL}, permissions=MANAGE_GUILD)
            await fake.dispatch("INTERACTION_CREATE", opening)
            await fake.wait_for(lambda: opening["id"] in fake.answered_at, within=30)
        interval = 1 / args.rate
        loop = asyncio.get_running_loop()
        start = loop.time()
        for index in range(args.warmup + args.interactions):
            who = str(1600 + index % 200)
            payload = (
                fake.button(f"sb|poll:vote|1:{index % 2}", label="yes", user_id=who)
                if args.vote
                else fake.command(args.command, dict(args.option or []), user_id=who)
            )
            await asyncio.sleep(max(0.0, start + index * interval - loop.time()))
            await fake.dispatch("INTERACTION_CREATE", payload)
            if index >= args.warmup:
                ids.append(payload["id"])
        await fake.wait_for(lambda: all(i in fake.answered_at for i in ids), within=120)
        latencies = [(fake.answered_at[i] - fake.dispatched_at[i]) * 1000 for i in ids]
        return {
            "p50": statistics.median(latencies),
            "p99": statistics.quantiles(latencies, n=100)[98],
        }
    finally:
        process.terminate()
        await process.wait()


async def main(args: argparse.Namespace) -> None:
    fake = await FakeDiscord().start()
    rounds = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            for round_ in range(args.rounds):
                rounds.append(
                    {
                        kind: await measure(kind, fake, args, folder, round_)
                        for kind in ("bare", "studybot")
                    }
                )
    finally:
        await fake.stop()
    options = " ".join(f"{name}:{value}" for name, value in args.option or [])
    print(
        "poll votes (button presses):" if args.vote else f"/{args.command} {options}".rstrip() + ":"
    )
    print(
        f"{args.interactions} interactions at {args.rate:.0f}/s, dispatch → callback, "
        f"{args.rounds} alternating rounds (after {args.warmup} warm-up each):"
    )
    for index, result in enumerate(rounds, 1):
        for kind, figures in result.items():
            print(
                f"  round {index} {kind:9} p50 {figures['p50']:6.2f} ms  "
                f"p99 {figures['p99']:6.2f} ms"
            )
    p50 = statistics.median(r["studybot"]["p50"] / r["bare"]["p50"] for r in rounds)
    p99 = statistics.median(r["studybot"]["p99"] / r["bare"]["p99"] for r in rounds)
    verdict = "met" if max(p50, p99) <= 1.2 else "NOT met"
    print(f"  median ratios: p50 {p50:.2f}x, p99 {p99:.2f}x (goal <= 1.2: {verdict})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=600)
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--command", default="tip")
    parser.add_argument(
        "--option",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="an option of the command, e.g. --option topic math",
    )
    parser.add_argument("--vote", action="store_true", help="press poll vote buttons instead")
    parser.add_argument("--serve", choices=["bare", "studybot"])
    parser.add_argument("--api-url")
    parser.add_argument("--gateway-url")
    parser.add_argument("--database")
    arguments = parser.parse_args()
    if arguments.serve == "bare":
        asyncio.run(serve_bare(arguments.api_url, arguments.gateway_url))
    elif arguments.serve == "studybot":
        asyncio.run(serve_studybot(arguments.api_url, arguments.gateway_url, arguments.database))
    else:
        asyncio.run(main(arguments))
