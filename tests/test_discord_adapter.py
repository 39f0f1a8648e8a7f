"""The Discord adapter against the fake Discord: a real gateway and REST routes over loopback."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.discord.adapter import DiscordAdapter
from bot.adapters.discord.inbound import MANAGE_CHANNELS
from bot.app import Application, build_application
from bot.core.model import Reply, Section
from bot.core.ports import DirectMessagesClosed
from bot.settings import Settings
from tests.fakes.discord.server import MANAGE_GUILD, FakeDiscord

TOKEN = "discord-test-token.ABCDEF.0123456789"


@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    fake = await FakeDiscord().start()
    yield fake
    await fake.stop()


def discord_settings(tmp_path: Path, fake: FakeDiscord, **extra: Any) -> Settings:
    return Settings(
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_URL=fake.api_url,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        STUDYBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'discord.db'}",
        **extra,
    )


@pytest.fixture
async def app(tmp_path: Path, discord_fake: FakeDiscord) -> AsyncIterator[Application]:
    application = await build_application(discord_settings(tmp_path, discord_fake))
    yield application
    await application.close()


@pytest.fixture
async def adapter(app: Application, discord_fake: FakeDiscord) -> AsyncIterator[DiscordAdapter]:
    discord_adapter = DiscordAdapter(
        settings=app.settings, dispatcher=app.dispatcher, store=app.services.store
    )
    await discord_adapter.start()
    await discord_fake.wait_ready()
    await discord_adapter.ready.wait()
    yield discord_adapter
    await discord_adapter.stop()


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[tuple[Application, DiscordAdapter]]:
    """studybot's application and Discord adapter, started, and stopped however the test ends."""
    application = await build_application(settings)
    discord_adapter = DiscordAdapter(
        settings=settings, dispatcher=application.dispatcher, store=application.services.store
    )
    try:
        await discord_adapter.start()
        yield application, discord_adapter
    finally:
        await discord_adapter.stop()
        await application.close()


async def run(fake: FakeDiscord, payload: dict[str, Any]) -> dict[str, Any]:
    before = len(fake.callbacks)
    await fake.dispatch("INTERACTION_CREATE", payload)
    await fake.wait_for(lambda: len(fake.callbacks) > before)
    return fake.callbacks[-1]


def text_of(callback: dict[str, Any]) -> str:
    return json.dumps(callback.get("data") or {}, ensure_ascii=False)


async def test_every_command_answers_through_a_real_interaction(
    adapter: DiscordAdapter, discord_fake: FakeDiscord, app: Application
) -> None:
    examples = {
        "compare": {"aspect": "skills"},
        "tip": {"topic": "math"},
        "roadmap": {"week": 3},
        "help": {},
        "schedule": {"action": "list"},
        "poll": {"details": '"Best study day?" "Monday" "Thursday"'},
        "checkin": {"action": "questions"},
        "progress": {"scope": "group"},
        "snooze": {"until": "off"},
        "join": {},
        "leave": {},
        "members": {},
        "me": {},
        "organizers": {},
        "report": {},
        "pairs": {},
        "session": {"action": "list"},
        "quiz": {"topic": "llm-engineering"},
        "resources": {"topic_or_week": "9"},
    }
    assert set(examples) == {spec.name for spec in app.services.registry.commands}
    for name, options in examples.items():
        callback = await run(
            discord_fake, discord_fake.command(name, options, permissions=MANAGE_GUILD)
        )
        assert callback["type"] == 4, name
        assert callback["data"]["embeds"], name
        assert callback["data"]["allowed_mentions"] == {"parse": []}, name
    assert "Core skills" in text_of(discord_fake.callbacks[0])
    quiz_callback = discord_fake.callbacks[list(examples).index("quiz")]
    assert quiz_callback["data"]["flags"] & 64  # ephemeral: a practice question is yours alone
    assert len(button_ids(quiz_callback)) == 4


def button_ids(callback: dict[str, Any]) -> list[str]:
    rows = callback["data"].get("components") or []
    return [item["custom_id"] for row in rows for item in row["components"]]


async def test_commands_are_synced_once_and_only_when_changed(
    adapter: DiscordAdapter, discord_fake: FakeDiscord, app: Application
) -> None:
    puts = discord_fake.requests_to("PUT", r"/applications/\d+/commands")
    assert len(puts) == 1
    synced = {command["name"]: command for command in puts[0].body}
    assert set(synced) == {spec.name for spec in app.services.registry.commands}
    # Not hidden: an organizer added with /organizers may hold no Discord permission at all.
    assert "default_member_permissions" not in synced["schedule"]
    assert "default_member_permissions" not in synced["tip"]
    topic = synced["tip"]["options"][0]
    assert {choice["value"] for choice in topic["choices"]} >= {"math", "mlops"}
    assert synced["schedule"]["options"][1]["autocomplete"] is True
    # A restart with the same commands does not sync again.
    await adapter.stop()
    again = DiscordAdapter(
        settings=app.settings, dispatcher=app.dispatcher, store=app.services.store
    )
    await again.start()
    await again.ready.wait()
    await again.stop()
    assert len(discord_fake.requests_to("PUT", r"/applications/\d+/commands")) == 1


async def test_a_button_works_and_still_works_after_a_restart(
    tmp_path: Path, discord_fake: FakeDiscord
) -> None:
    settings = discord_settings(tmp_path, discord_fake)
    async with running(settings) as (_, first):
        await first.ready.wait()
        tip = await run(discord_fake, discord_fake.command("tip", {"topic": "mlops"}))
        [custom_id] = button_ids(tip)
        assert custom_id == "sb|tip:another|mlops"
        clicked = await run(discord_fake, discord_fake.button(custom_id))
        assert "MLOps and deployment tip" in text_of(clicked)

    async with running(settings) as (_, second):
        await second.ready.wait()
        after = await run(discord_fake, discord_fake.button(custom_id))
        assert after["type"] == 4
        assert "MLOps and deployment tip" in text_of(after)


async def test_a_slow_reply_is_deferred_then_followed_up(
    adapter: DiscordAdapter,
    discord_fake: FakeDiscord,
    app: Application,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asyncio

    import bot.adapters.discord.interactions as module

    monkeypatch.setattr(module, "DEFER_AFTER", 0.05)
    release = asyncio.Event()
    original = app.dispatcher.invoke

    async def slow(invocation: Any) -> Reply:
        await release.wait()
        return await original(invocation)

    monkeypatch.setattr(app.dispatcher, "invoke", slow)
    deferred = await run(discord_fake, discord_fake.command("tip", {"topic": "data"}))
    assert deferred["type"] == 5
    release.set()
    await discord_fake.wait_for(lambda: discord_fake.messages)
    followup = discord_fake.messages[-1]
    assert followup["route"] == "followup"
    assert "Data engineering tip" in json.dumps(followup["embeds"])


async def test_a_429_is_waited_out_and_retried(
    adapter: DiscordAdapter, discord_fake: FakeDiscord
) -> None:
    discord_fake.fail("POST", r"/interactions/\d+/[^/]+/callback", 429, retry_after=0.2)
    callback = await run(discord_fake, discord_fake.command("help"))
    assert callback["type"] == 4
    attempts = discord_fake.requests_to("POST", r"/interactions/\d+/[^/]+/callback")
    assert len(attempts) == 2


async def test_user_text_cannot_mention_anyone(
    adapter: DiscordAdapter, discord_fake: FakeDiscord
) -> None:
    callback = await run(
        discord_fake, discord_fake.command("help", {"command": "@everyone <@&123> @here"})
    )
    assert callback["data"]["allowed_mentions"] == {"parse": []}
    assert "@everyone" in text_of(callback)  # echoed as text, but it cannot ping


async def test_members_without_manage_server_are_refused_admin_commands(
    adapter: DiscordAdapter, discord_fake: FakeDiscord
) -> None:
    refused = await run(discord_fake, discord_fake.command("schedule", {"action": "list"}))
    assert "Only organizers can use /schedule" in text_of(refused)
    assert refused["data"]["flags"] == 64  # ephemeral


async def test_manage_channels_in_the_channel_makes_an_organizer(
    adapter: DiscordAdapter, discord_fake: FakeDiscord
) -> None:
    # Interaction member.permissions are the member's permissions in that channel.
    steward: dict[str, Any] = {"user_id": "1600000000000000007", "permissions": MANAGE_CHANNELS}
    added = await run(
        discord_fake,
        discord_fake.command(
            "schedule", {"action": "add", "details": "nudge mon 09:00 Europe/Berlin"}, **steward
        ),
    )
    assert "Scheduled #1" in text_of(added)
    plain: dict[str, Any] = {"user_id": "1600000000000000008"}
    refused = await run(
        discord_fake,
        discord_fake.command(
            "organizers", {"action": "add", "member": "<@1600000000000000009>"}, **plain
        ),
    )
    assert "Only organizers can add organizers" in text_of(refused)
    made = await run(
        discord_fake,
        discord_fake.command(
            "organizers", {"action": "add", "member": "<@1600000000000000008>"}, **steward
        ),
    )
    assert "is now an organizer" in text_of(made)
    listed = await run(discord_fake, discord_fake.command("schedule", {"action": "list"}, **plain))
    assert "#1" in text_of(listed)


async def test_private_messages_go_to_the_dm_channel_and_50007_means_closed(
    adapter: DiscordAdapter, discord_fake: FakeDiscord
) -> None:
    reply = Reply(title="Just for you", parts=(Section(text="hello"),))
    member = "discord:1:1600000000000000005"
    await adapter.post_private(member, reply, idempotency_key="k1")
    # A repeat with the same key (a takeover after a crash) is dropped by the nonce.
    await adapter.post_private(member, reply, idempotency_key="k1")
    opened = discord_fake.requests_to("POST", r"/users/@me/channels")
    assert [r.body for r in opened] == [{"recipient_id": 1600000000000000005}] * 2
    sent = discord_fake.dms_to("1600000000000000005")
    assert len(sent) == 1
    assert sent[0]["embeds"][0]["title"] == "Just for you"

    discord_fake.closed_dms.add("1600000000000000006")
    with pytest.raises(DirectMessagesClosed):
        await adapter.post_private("discord:1:1600000000000000006", reply, idempotency_key="k2")


async def test_schedule_details_autocomplete_time_zones(
    adapter: DiscordAdapter, discord_fake: FakeDiscord
) -> None:
    payload = discord_fake.interaction(
        4,
        {
            "id": "1",
            "name": "schedule",
            "type": 1,
            "options": [
                {"name": "action", "type": 3, "value": "add"},
                {"name": "details", "type": 3, "value": "nudge mon 18:30 berl", "focused": True},
            ],
        },
        permissions=MANAGE_GUILD,
    )
    callback = await run(discord_fake, payload)
    assert callback["type"] == 8
    assert {"name": "nudge mon 18:30 Europe/Berlin", "value": "nudge mon 18:30 Europe/Berlin"} in (
        callback["data"]["choices"]
    )


async def test_scheduled_posts_carry_an_enforced_nonce(
    adapter: DiscordAdapter, discord_fake: FakeDiscord
) -> None:
    reply = Reply(title="Week 1", parts=(Section(text="@everyone study time"),))
    first = await adapter.post("discord:1:1300000000000000009", reply, idempotency_key="s:1:x")
    second = await adapter.post("discord:1:1300000000000000009", reply, idempotency_key="s:1:x")
    sent = discord_fake.requests_to("POST", r"/channels/\d+/messages")
    assert len(sent) == 2
    assert sent[0].body["nonce"] == sent[1].body["nonce"]
    assert len(sent[0].body["nonce"]) <= 25
    assert sent[0].body["enforce_nonce"] is True
    assert sent[0].body["allowed_mentions"] == {"parse": []}
    assert first == second  # Discord dropped the repeat
    assert len(discord_fake.messages) == 1


async def test_a_scheduled_nudge_reaches_the_discord_channel(
    adapter: DiscordAdapter, discord_fake: FakeDiscord, app: Application
) -> None:
    from datetime import timedelta

    from scheduler.service import SchedulerService

    await run(
        discord_fake,
        discord_fake.command(
            "schedule",
            {"action": "add", "details": "nudge daily 09:00 UTC"},
            permissions=MANAGE_GUILD,
        ),
    )
    [record] = await app.services.schedules.list_schedules(
        "discord:1200000000000000001:1300000000000000001"
    )
    service = SchedulerService(
        ledger=app.services.deliveries,
        notices=app.services.notices,
        outboxes={"discord": adapter},
        kinds=app.kinds,
        clock=lambda: record.next_due_at + timedelta(seconds=1),
        grace=timedelta(hours=1),
    )
    await service.tick()
    await service.drain()
    posts = [m for m in discord_fake.messages if m["route"] == "channel"]
    assert len(posts) == 1
    assert "Week 1" in json.dumps(posts[0]["embeds"])


async def test_heartbeats_and_resume_after_a_dropped_connection(tmp_path: Path) -> None:
    fake = await FakeDiscord(heartbeat_ms=100).start()
    try:
        async with running(discord_settings(tmp_path, fake)):
            await fake.wait_ready()
            await fake.wait_for(lambda: fake.heartbeats >= 2)
            await fake.drop_connection(4000)
            await fake.wait_for(lambda: fake.resumes, within=15)
            assert fake.resumes[0]["session_id"] == "session-1"
            assert fake.resumes[0]["token"] == TOKEN
            fake._ready.set()
            callback = await run(fake, fake.command("help"))
            assert callback["type"] == 4
    finally:
        await fake.stop()


@pytest.mark.parametrize(
    ("count", "ids", "expected"),
    [(None, None, [[0, 2], [1, 2]]), (4, "1,3", [[1, 4], [3, 4]])],
)
async def test_sharding(
    tmp_path: Path, count: int | None, ids: str | None, expected: list[list[int]]
) -> None:
    fake = await FakeDiscord(shards=2).start()
    extra: dict[str, Any] = {}
    if count is not None:
        extra = {"DISCORD_SHARD_COUNT": count, "DISCORD_SHARD_IDS": ids}
    try:
        async with running(discord_settings(tmp_path, fake, **extra)):
            await fake.wait_for(lambda: len(fake.identifies) == len(expected), within=20)
            assert sorted(identify["shard"] for identify in fake.identifies) == expected
    finally:
        await fake.stop()


async def test_with_no_servers_the_invite_url_is_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = await FakeDiscord(guilds=[]).start()
    try:
        async with running(discord_settings(tmp_path, fake)) as (_, discord_adapter):
            await discord_adapter.ready.wait()
    finally:
        await fake.stop()
    out = capsys.readouterr().out
    assert "oauth2/authorize?client_id=1100000000000000001" in out
    assert "scope=bot+applications.commands" in out
    assert "permissions=" in out


async def test_the_token_never_reaches_the_logs(
    tmp_path: Path, discord_fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from bot.core.ports import PostFailed

    caplog.set_level(logging.DEBUG)
    async with running(discord_settings(tmp_path, discord_fake)) as (_, discord_adapter):
        await discord_adapter.ready.wait()
        # A 500 is retried by discord.py (with the same nonce, so never a duplicate)...
        discord_fake.fail("POST", r"/channels/\d+/messages", 500)
        await discord_adapter.post("discord:1:2", Reply(title="x"), idempotency_key="k")
        assert len(discord_fake.requests_to("POST", r"/channels/\d+/messages")) == 2
        # ...a 403 is final, and its error says nothing secret.
        discord_fake.fail("POST", r"/channels/\d+/messages", 403)
        with pytest.raises(PostFailed) as failure:
            await discord_adapter.post("discord:1:2", Reply(title="x"), idempotency_key="k2")
        assert not failure.value.retryable
        assert TOKEN not in str(failure.value)
    assert TOKEN not in caplog.text


async def test_a_rejected_token_is_a_clear_error_without_the_token(
    tmp_path: Path, discord_fake: FakeDiscord
) -> None:
    from bot.adapters.discord.adapter import DiscordConfigurationError

    discord_fake.fail("GET", "/users/@me", 401)
    with pytest.raises(DiscordConfigurationError, match="Discord rejected DISCORD_TOKEN") as error:
        async with running(discord_settings(tmp_path, discord_fake)):
            pass
    assert TOKEN not in str(error.value)


async def test_poll_votes_edit_the_message_and_results_attach_a_chart(
    adapter: DiscordAdapter, discord_fake: FakeDiscord
) -> None:
    card = await run(
        discord_fake, discord_fake.command("poll", {"details": '"Best day?" "Mon" "Thu"'})
    )
    assert button_ids(card) == ["sb|poll:vote|1:0", "sb|poll:vote|1:1"]
    vote = await run(discord_fake, discord_fake.button("sb|poll:vote|1:1", label="Thu"))
    assert vote["type"] == 6  # DEFERRED_UPDATE_MESSAGE, then the message is edited in place
    await discord_fake.wait_for(lambda: any(m["route"] == "edit" for m in discord_fake.messages))
    edit = next(m for m in discord_fake.messages if m["route"] == "edit")
    assert "2. Thu  ██████████ 1 (100%)" in json.dumps(edit["embeds"], ensure_ascii=False)
    results = await run(
        discord_fake,
        discord_fake.command("poll", {"details": "close 1"}, permissions=MANAGE_GUILD),
    )
    assert results["type"] == 4
    assert results["data"]["attachments"][0]["filename"] == "poll-1.png"
    assert results["data"]["embeds"][0]["image"]["url"] == "attachment://poll-1.png"


async def test_checkin_answers_go_through_a_modal(
    adapter: DiscordAdapter, discord_fake: FakeDiscord, app: Application
) -> None:
    await run(
        discord_fake, discord_fake.command("checkin", {"action": "open"}, permissions=MANAGE_GUILD)
    )
    modal = await run(discord_fake, discord_fake.command("checkin", {"action": "answer"}))
    assert modal["type"] == 9  # MODAL
    assert modal["data"]["custom_id"] == "sb|checkin:submit|1"
    inputs = [row["components"][0]["custom_id"] for row in modal["data"]["components"]]
    assert inputs == ["q0", "q1", "q2", "confidence"]
    values = {"q0": "Backprop by hand", "q1": "Attention", "q2": "", "confidence": "5"}
    submit = discord_fake.interaction(
        5,
        {
            "custom_id": "sb|checkin:submit|1",
            "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
                for key, value in values.items()
            ],
        },
    )
    thanks = await run(discord_fake, submit)
    assert thanks["type"] == 4
    assert thanks["data"]["flags"] == 64
    assert "your check-in is saved" in text_of(thanks)
    [answer] = await app.services.checkins.answers(1)
    assert answer.confidence == 5


async def test_a_burst_of_votes_is_one_edit_with_an_exact_tally(
    adapter: DiscordAdapter, discord_fake: FakeDiscord, app: Application
) -> None:
    import asyncio

    await run(discord_fake, discord_fake.command("poll", {"details": '"Ready?" "yes" "no"'}))
    clicks = [
        discord_fake.button(
            f"sb|poll:vote|1:{i % 2}",
            message_id="1450000000000000001",
            user_id=str(1700000000000000000 + i),
        )
        for i in range(60)
    ]
    await asyncio.gather(*(discord_fake.dispatch("INTERACTION_CREATE", c) for c in clicks))
    await discord_fake.wait_for(lambda: len(discord_fake.callbacks) >= 61, within=15)
    await discord_fake.wait_for(
        lambda: any(m["route"] == "edit" for m in discord_fake.messages), within=5
    )
    await asyncio.sleep(0.7)  # let any trailing edit land
    edits = [m for m in discord_fake.messages if m["route"] == "edit"]
    assert 1 <= len(edits) < 10  # coalesced, not one per click
    poll = await app.services.polls.get(1)
    assert poll is not None
    assert (await app.services.polls.tally(poll)).counts == (30, 30)
    assert "60 votes" in json.dumps(edits[-1]["embeds"], ensure_ascii=False)


async def test_a_threaded_post_replies_to_its_message(
    adapter: DiscordAdapter, discord_fake: FakeDiscord
) -> None:
    await adapter.post(
        "discord:1:1300000000000000001",
        Reply(title="digest", thread_of="1450000000000000009"),
        idempotency_key="k",
    )
    sent = discord_fake.requests_to("POST", r"/channels/\d+/messages")[-1]
    # channel_id is optional when sending; when given it must be the channel posted to.
    assert sent.body["message_reference"] == {
        "message_id": "1450000000000000009",
        "channel_id": "1300000000000000001",
        "fail_if_not_exists": False,
    }


ODD_EVENTS: list[tuple[str, Any]] = [
    ("INTERACTION_CREATE", {"type": 2, "data": {"name": "tip"}}),  # no id, token, version
    ("INTERACTION_CREATE", {"id": "1", "token": "t", "version": 1}),  # no type
    ("GUILD_CREATE", {}),
    ("GUILD_CREATE", {"id": "1300000000000000002", "name": 5, "channels": "x"}),
    ("CHANNEL_CREATE", None),
]
ODD_FRAMES = ["this is not json", "[1, 2]", "null", '{"op": 0, "t": "READY", "d": 5}']


async def test_odd_gateway_events_are_dropped_and_the_bot_keeps_serving(
    adapter: DiscordAdapter, discord_fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    for event, data in ODD_EVENTS:
        await discord_fake.dispatch(event, data)
    for frame in ODD_FRAMES:
        await discord_fake.send_frame(frame)
    callback = await run(discord_fake, discord_fake.command("tip", {"topic": "math"}))
    assert callback["type"] == 4
    assert "Math and statistics tip" in text_of(callback)
    assert not adapter.failed.done()
    dropped = [r.getMessage() for r in caplog.records if "Discord: dropped" in r.getMessage()]
    assert len(dropped) == len(ODD_EVENTS) + len(ODD_FRAMES)
    assert "Discord: dropped a INTERACTION_CREATE event (KeyError)" in dropped
    assert "Discord: dropped a gateway frame (JSONDecodeError)" in dropped
    # One line each, naming the event and the error, never the payload.
    assert all("channels" not in line and "not json" not in line for line in dropped)


async def test_a_connection_that_ends_for_good_stops_the_process(
    adapter: DiscordAdapter, discord_fake: FakeDiscord
) -> None:
    # 4004 is "authentication failed": discord.py does not reconnect after it.
    await discord_fake.drop_connection(code=4004)
    reason = await asyncio.wait_for(adapter.failed, 10)
    assert "stopped for good" in reason


async def test_serving_ends_with_a_reason_when_discord_is_gone_for_good(
    tmp_path: Path, discord_fake: FakeDiscord
) -> None:
    from bot.app import PlatformFailed, serve_platforms

    stop = asyncio.Event()
    serving = asyncio.ensure_future(
        serve_platforms(discord_settings(tmp_path, discord_fake), stop=stop)
    )
    await discord_fake.wait_ready()
    await discord_fake.drop_connection(code=4004)
    with pytest.raises(PlatformFailed, match="stopped for good"):
        await asyncio.wait_for(serving, 15)


async def test_rate_limits_discord_waits_out_are_counted(
    adapter: DiscordAdapter, discord_fake: FakeDiscord
) -> None:
    from prometheus_client import REGISTRY

    labels = {"platform": "discord", "reason": "rate_limited"}
    before = REGISTRY.get_sample_value("studybot_platform_retries_total", labels) or 0.0
    discord_fake.fail("POST", r"/channels/\d+/messages", 429, retry_after=0.05)
    await adapter.post("discord:1:1300000000000000001", Reply(title="hi"), idempotency_key="r1")
    after = REGISTRY.get_sample_value("studybot_platform_retries_total", labels)
    assert after == before + 1


async def test_discord_opens_a_private_thread_with_both_members(
    discord_fake: FakeDiscord, adapter: DiscordAdapter, app: Application
) -> None:
    for user in ("1600000000000000011", "1600000000000000012"):
        await run(discord_fake, discord_fake.command("pairs", {"action": "join"}, user_id=user))
    await run(
        discord_fake,
        discord_fake.command("pairs", {"action": "round"}, permissions=MANAGE_GUILD),
    )
    service = app.scheduler({"discord": adapter})
    await service.tick()
    await service.drain()
    (thread,) = discord_fake.threads.values()
    assert thread["type"] == 12
    assert thread["thread_metadata"]["invitable"] is False
    assert sorted(thread["members"]) == ["1600000000000000011", "1600000000000000012"]
    posted: list[dict[str, Any]] = discord_fake.thread_messages(thread["id"])
    assert len(posted) == 1
    assert posted[0]["embeds"][0]["title"] == "🤝 Your study partners this week"
