"""Slack reply benchmark: how long a member waits for the answer, not only for the ack.

A steady stream of real signed `/tip math` slash commands (each with its own response_url) goes
to studybot's HTTP endpoint and, in the same run, to a bare bolt AsyncApp whose handler acks and
then answers with `respond()`. Each server runs in its own process; this process sends the load
and hosts the fake Slack that receives the replies. Reported per scenario: ack p50/p99 (request
to HTTP 200) and reply p50/p99/latest (request to the reply arriving at its response_url).

Scenarios: a steady 60/s and 150/s for --seconds each, and a burst of --burst requests at
concurrency 20 (the ack benchmark's load), which shows how long replies wait behind a burst.

Run: .venv/bin/python benchmarks/slack_replies.py [--seconds 10] [--burst 2000] [--rounds 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from slack_ack import SECRET, TOKEN, free_port, serve_studybot, wait_until_up  # noqa: E402

from tests.fakes.slack.server import FakeSlack, command_body, form, sign  # noqa: E402

HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


async def serve_bare(port: int, api_url: str) -> None:
    """A bolt app that acks, then answers through the response_url: the least a bot can do."""
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(
        client=AsyncWebClient(token=TOKEN, base_url=api_url),
        signing_secret=SECRET,
        process_before_response=True,
    )

    @app.command("/tip")
    async def ack_and_respond(ack, respond):  # type: ignore[no-untyped-def]
        await ack()
        await respond(text="A tip: check a derivative numerically.")

    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", handle)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await asyncio.Event().wait()


@dataclass
class Timings:
    sent: dict[str, float] = field(default_factory=dict)
    acked: dict[str, float] = field(default_factory=dict)


def body_for(slack: FakeSlack, name: str, index: int) -> str:
    return form(
        command_body("/tip", "math", response_url=slack.response_url(name), user=f"U{index % 50}")
    )


async def post(session: aiohttp.ClientSession, url: str, body: str) -> None:
    async with session.post(url, data=body, headers={**HEADERS, **sign(SECRET, body)}) as r:
        await r.read()
        assert r.status == 200, r.status


async def steady(
    session: aiohttp.ClientSession, url: str, slack: FakeSlack, label: str, rate: float, count: int
) -> Timings:
    timings = Timings()

    async def one(index: int) -> None:
        name = f"{label}-{index}"
        body = body_for(slack, name, index)
        timings.sent[name] = time.perf_counter()
        await post(session, url, body)
        timings.acked[name] = time.perf_counter()

    started = time.perf_counter()
    tasks = []
    for index in range(count):
        delay = started + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(index)))
    await asyncio.gather(*tasks)
    return timings


async def burst(
    session: aiohttp.ClientSession, url: str, slack: FakeSlack, label: str, count: int
) -> Timings:
    timings = Timings()
    names = iter(range(count))

    async def worker() -> None:
        for index in names:
            name = f"{label}-{index}"
            body = body_for(slack, name, index)
            timings.sent[name] = time.perf_counter()
            await post(session, url, body)
            timings.acked[name] = time.perf_counter()

    await asyncio.gather(*(worker() for _ in range(20)))
    return timings


def summarise(timings: Timings, slack: FakeSlack) -> dict[str, float]:
    acks = [timings.acked[n] - timings.sent[n] for n in timings.sent]
    replies = [slack.response_arrivals[n] - timings.sent[n] for n in timings.sent]
    return {
        "ack_p50": statistics.median(acks) * 1000,
        "ack_p99": statistics.quantiles(acks, n=100)[98] * 1000,
        "reply_p50": statistics.median(replies) * 1000,
        "reply_p99": statistics.quantiles(replies, n=100)[98] * 1000,
        "latest": max(replies) * 1000,
    }


async def measure(
    kind: str, slack: FakeSlack, args: argparse.Namespace, folder: str, round_: int
) -> dict[str, dict[str, float]]:
    port = free_port()
    command = [sys.executable, __file__, "--serve", kind, "--port", str(port)]
    command += ["--api-url", slack.api_url, "--database", str(Path(folder) / f"{kind}{round_}.db")]
    process = await asyncio.create_subprocess_exec(*command, cwd=str(ROOT), env=os.environ.copy())
    url = f"http://127.0.0.1:{port}/slack/events"
    results: dict[str, dict[str, float]] = {}
    try:
        await wait_until_up(port)
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            warm = await steady(session, url, slack, f"{kind}{round_}-warm", 100, 100)
            await slack.wait_for(lambda: all(n in slack.response_arrivals for n in warm.sent), 60)
            for rate in (60, 150):
                label = f"{kind}{round_}-{rate}"
                timings = await steady(session, url, slack, label, rate, rate * args.seconds)
                await slack.wait_for(
                    lambda t=timings: all(n in slack.response_arrivals for n in t.sent), 120
                )
                results[f"{rate}/s"] = summarise(timings, slack)
            label = f"{kind}{round_}-burst"
            timings = await burst(session, url, slack, label, args.burst)
            await slack.wait_for(
                lambda: all(n in slack.response_arrivals for n in timings.sent), 300
            )
            results[f"burst {args.burst}"] = summarise(timings, slack)
        return results
    finally:
        process.terminate()
        await process.wait()


async def main(args: argparse.Namespace) -> None:
    slack = await FakeSlack().start()
    rounds = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            for round_ in range(args.rounds):
                rounds.append(
                    {
                        kind: await measure(kind, slack, args, folder, round_)
                        for kind in ("bare", "studybot")
                    }
                )
    finally:
        await slack.stop()
    print(f"signed /tip commands; steady streams for {args.seconds} s, burst at concurrency 20")
    for index, result in enumerate(rounds, 1):
        for scenario in result["bare"]:
            for kind in ("bare", "studybot"):
                f = result[kind][scenario]
                print(
                    f"  round {index} {scenario:11} {kind:8} ack p50 {f['ack_p50']:7.2f} "
                    f"p99 {f['ack_p99']:7.2f} ms | reply p50 {f['reply_p50']:8.2f} "
                    f"p99 {f['reply_p99']:8.2f} latest {f['latest']:8.1f} ms"
                )
    for scenario in rounds[0]["bare"]:
        reply = statistics.median(
            r["studybot"][scenario]["reply_p99"] / r["bare"][scenario]["reply_p99"] for r in rounds
        )
        ack = statistics.median(
            r["studybot"][scenario]["ack_p99"] / r["bare"][scenario]["ack_p99"] for r in rounds
        )
        latest = max(r["studybot"][scenario]["latest"] for r in rounds)
        print(
            f"  {scenario:11} reply p99 {reply:5.2f}x, ack p99 {ack:5.2f}x of bare bolt, "
            f"latest studybot reply {latest / 1000:.2f} s"
        )
    at_60 = "60/s"
    reply_60 = statistics.median(
        r["studybot"][at_60]["reply_p99"] / r["bare"][at_60]["reply_p99"] for r in rounds
    )
    latest_60 = max(r["studybot"][at_60]["latest"] for r in rounds) / 1000
    met = reply_60 <= 5 and latest_60 <= 2
    print(
        f"  goal at 60/s: reply p99 <= 5x bare bolt ({reply_60:.2f}x) and no reply later than "
        f"2 s ({latest_60:.2f} s): {'met' if met else 'NOT met'}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--serve", choices=["bare", "studybot"])
    parser.add_argument("--port", type=int)
    parser.add_argument("--api-url")
    parser.add_argument("--database")
    arguments = parser.parse_args()
    if arguments.serve == "bare":
        asyncio.run(serve_bare(arguments.port, arguments.api_url))
    elif arguments.serve == "studybot":
        asyncio.run(serve_studybot(arguments.port, arguments.api_url, arguments.database))
    else:
        asyncio.run(main(arguments))
