"""Slack ack benchmark: studybot's HTTP endpoint against a bare bolt AsyncApp that only acks.

N real signed slash-command requests (`/tip math`) at concurrency C go to each server in turn, in
the same run, on the same machine. Each server runs in its own process; this process generates the
load and hosts the fake Slack API; studybot's replies (response_url) go to a sink process of their
own. Reported:
p50/p99 latency until the HTTP 200 (Slack's 3-second ack window is about this number) and
throughput, the ratios studybot / bare (medians over alternating rounds), and how many of
studybot's replies arrived during the burst and when the last one did.

Run: .venv/bin/python benchmarks/slack_ack.py [--requests 4000] [--concurrency 20] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.slack.server import FakeSlack, command_body, form, sign  # noqa: E402

SECRET = "benchmark-signing-secret-0123456789"
# studybot's /tip replies per second on SQLite, measured with this benchmark (the backlog's
# drain) when issue 14 was filed: 100-130/s, bound by aiosqlite's per-statement thread hand-offs.
FILED_REPLIES_PER_SECOND = 130.0
TOKEN = "xoxb-benchmark-token-0123456789"


# The two servers ------------------------------------------------------------------------------


async def serve_bare(port: int, api_url: str) -> None:
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(
        client=AsyncWebClient(token=TOKEN, base_url=api_url),
        signing_secret=SECRET,
        process_before_response=True,  # the same bolt configuration studybot uses
    )

    @app.command("/tip")
    async def only_ack(ack):  # type: ignore[no-untyped-def]
        await ack()

    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", handle)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await asyncio.Event().wait()


async def serve_studybot(port: int, api_url: str, database: str) -> None:
    from bot.adapters.slack.adapter import SlackAdapter
    from bot.app import build_application, freeze_startup_objects
    from bot.settings import Settings

    settings = Settings(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=api_url,
        STUDYBOT_DATABASE_URL=f"sqlite:///{database}",
    )
    app = await build_application(settings)
    adapter = SlackAdapter(
        settings=settings, dispatcher=app.dispatcher, engine=app.services.store.engine
    )
    await adapter.start(host="127.0.0.1", port=port)
    freeze_startup_objects()
    await asyncio.Event().wait()


async def serve_sink(port: int) -> None:
    """Where studybot's replies go (their response_urls): counts them, answers as Slack does.

    A process of its own, so that replies arriving during a burst cost the load generator
    nothing: in its process they held up its event loop, and the latencies it measured were
    partly its own (the bare app sends no replies, so only studybot's figures suffered)."""
    from aiohttp import web

    received = 0

    async def respond(_request: web.Request) -> web.Response:
        nonlocal received
        received += 1
        return web.Response(text="ok")

    async def count(_request: web.Request) -> web.Response:
        return web.Response(text=str(received))

    web_app = web.Application()
    web_app.router.add_post("/respond/{name}", respond)
    web_app.router.add_get("/count", count)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await asyncio.Event().wait()


class Sink:
    """The reply sink's process, seen from the load generator."""

    def __init__(self, port: int, process: asyncio.subprocess.Process) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.process = process

    @classmethod
    async def start(cls) -> Sink:
        port = free_port()
        command = [sys.executable, __file__, "--serve", "sink", "--port", str(port)]
        process = await asyncio.create_subprocess_exec(*pinned(command, LOAD_CPU), cwd=str(ROOT))
        sink = cls(port, process)
        for _ in range(400):
            try:
                await sink.count()
                return sink
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
        raise RuntimeError("the reply sink did not start")

    def response_url(self, name: str) -> str:
        return f"{self.url}/respond/{name}"

    async def count(self) -> int:
        async with aiohttp.ClientSession() as session, session.get(f"{self.url}/count") as r:
            return int(await r.text())

    async def wait_for(self, expected: int, *, within: float) -> None:
        deadline = time.perf_counter() + within
        while await self.count() < expected:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"replies did not arrive: {await self.count()} of {expected}")
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        self.process.terminate()
        await self.process.wait()


# The load ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def wait_until_up(port: int) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(400):
            try:
                async with session.post(f"http://127.0.0.1:{port}/slack/events", data="") as r:
                    if r.status in {200, 401}:
                        return
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
    raise RuntimeError("server did not start")


async def load(port: int, sink: Sink, requests: int, concurrency: int) -> dict[str, float]:
    url = f"http://127.0.0.1:{port}/slack/events"
    bodies = [
        form(
            command_body("/tip", "math", response_url=sink.response_url(f"r{i}"), user=f"U{i % 50}")
        )
        for i in range(requests)
    ]
    latencies: list[float] = []
    queue: asyncio.Queue[str] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            body = queue.get_nowait()
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                assert response.status == 200, response.status
            latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "p50": statistics.median(latencies) * 1000,
        "p99": quantiles[98] * 1000,
        "throughput": requests / elapsed,
    }


async def measure(
    kind: str,
    slack: FakeSlack,
    sink: Sink,
    args: argparse.Namespace,
    folder: str,
    round_: int,
) -> dict[str, float]:
    port = free_port()
    database = str(Path(folder) / f"{kind}-{round_}.db")
    command = [
        sys.executable,
        __file__,
        "--serve",
        kind,
        "--port",
        str(port),
        "--api-url",
        slack.api_url,
        "--database",
        database,
    ]
    process = await asyncio.create_subprocess_exec(
        *pinned(command, SERVER_CPU), cwd=str(ROOT), env=os.environ.copy()
    )
    try:
        await wait_until_up(port)
        before = await sink.count()
        await load(port, sink, args.warmup, args.concurrency)
        if kind == "studybot":
            # The warm-up's replies are answered before the measured burst starts, so that the
            # burst is timed against an idle server, as the bare app's is.
            await sink.wait_for(before + args.warmup, within=300)
        answered_before = await sink.count()
        figures = await load(port, sink, args.requests, args.concurrency)
        figures["answered_during"] = await sink.count() - answered_before
        if kind == "studybot":
            # Every acked command must still get its answer; time how long the backlog takes.
            started = time.perf_counter()
            await sink.wait_for(before + args.warmup + args.requests, within=300)
            figures["drain"] = time.perf_counter() - started
            # The replies' own rate: all of them, from the burst's start to the last one.
            figures["replies_per_second"] = args.requests / (
                args.requests / figures["throughput"] + figures["drain"]
            )
        return figures
    finally:
        process.terminate()
        await process.wait()


# On a machine with two or more cores the server under test runs on one core and the load (with
# the fake Slack) on another, for both servers alike: otherwise the scheduler moves them between
# cores mid-run, and on a 2-core machine with noisy neighbours that moved the ratios by ±0.15
# from one run to the next.
SERVER_CPU, LOAD_CPU = 1, 0
PIN = {SERVER_CPU, LOAD_CPU} <= os.sched_getaffinity(0) and shutil.which("taskset") is not None


def pinned(command: list[str], cpu: int) -> list[str]:
    return ["taskset", "-c", str(cpu), *command] if PIN else command


async def main(args: argparse.Namespace) -> None:
    if PIN:
        os.sched_setaffinity(0, {LOAD_CPU})
    slack = await FakeSlack().start()
    sink = await Sink.start()
    rounds: list[dict[str, dict[str, float]]] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            # Alternate the two servers so that machine noise hits both alike.
            for round_ in range(args.rounds):
                rounds.append(
                    {
                        kind: await measure(kind, slack, sink, args, folder, round_)
                        for kind in ("bare", "studybot")
                    }
                )
    finally:
        await sink.stop()
        await slack.stop()
    print(
        f"{args.requests} signed /tip requests at concurrency {args.concurrency}, "
        f"{args.rounds} alternating rounds (after {args.warmup} warm-up requests each):"
    )
    for index, result in enumerate(rounds, 1):
        for kind, figures in result.items():
            drain = (
                f"  {figures['answered_during']:.0f} answered during the burst, "
                f"all {figures['drain']:.1f} s after it"
                if "drain" in figures
                else ""
            )
            print(
                f"  round {index} {kind:9} p50 {figures['p50']:6.2f} ms  "
                f"p99 {figures['p99']:6.2f} ms  {figures['throughput']:6.0f} req/s{drain}"
            )
    p99 = statistics.median(r["studybot"]["p99"] / r["bare"]["p99"] for r in rounds)
    rate = statistics.median(r["studybot"]["throughput"] / r["bare"]["throughput"] for r in rounds)
    print(
        f"  median ratios: p99 {p99:.2f}x (goal <= 1.2: {'met' if p99 <= 1.2 else 'NOT met'}), "
        f"throughput {rate:.2f}x (goal >= 0.9: {'met' if rate >= 0.9 else 'NOT met'})"
    )
    replies = statistics.median(r["studybot"]["replies_per_second"] for r in rounds)
    times = replies / FILED_REPLIES_PER_SECOND
    print(
        f"  /tip replies per second (one process, SQLite): {replies:.0f}, "
        f"{times:.1f}x the {FILED_REPLIES_PER_SECOND:.0f}/s measured this way when issue 14 "
        f"was filed (goal >= 5x: {'met' if times >= 5 else 'NOT met'})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--serve", choices=["bare", "studybot", "sink"])
    parser.add_argument("--port", type=int)
    parser.add_argument("--api-url")
    parser.add_argument("--database")
    arguments = parser.parse_args()
    if arguments.serve == "bare":
        asyncio.run(serve_bare(arguments.port, arguments.api_url))
    elif arguments.serve == "sink":
        asyncio.run(serve_sink(arguments.port))
    elif arguments.serve == "studybot":
        asyncio.run(serve_studybot(arguments.port, arguments.api_url, arguments.database))
    else:
        asyncio.run(main(arguments))
