"""The Slack adapter against the fake Slack: real signed HTTP requests and Socket Mode."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.bolt_app import SlackConfigurationError
from bot.app import Application, build_application
from bot.core.model import Reply, Section
from bot.core.ports import DirectMessagesClosed, PostFailed
from bot.settings import Settings
from tests.fakes.slack.server import FakeSlack, action_payload, command_body, form, sign

SECRET = "signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-bot-token-123456"
APP_TOKEN = "xapp-test-app-token-654321"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack(admins={"UADMIN"}).start()
    yield fake
    await fake.stop()


def slack_settings(tmp_path: Path, slack: FakeSlack, **extra: str) -> Settings:
    return Settings(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url.rstrip("/"),  # the adapter must add the slash itself
        STUDYBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'slack.db'}",
        **extra,
    )


@pytest.fixture
async def app(tmp_path: Path, slack: FakeSlack) -> AsyncIterator[Application]:
    application = await build_application(slack_settings(tmp_path, slack))
    yield application
    await application.close()


@pytest.fixture
async def adapter(app: Application) -> AsyncIterator[SlackAdapter]:
    slack_adapter = SlackAdapter(
        settings=app.settings, dispatcher=app.dispatcher, engine=app.services.store.engine
    )
    await slack_adapter.start(host="127.0.0.1", port=0)
    yield slack_adapter
    await slack_adapter.stop()


async def send(
    adapter: SlackAdapter,
    body: str,
    *,
    secret: str | None = SECRET,
    timestamp: int | None = None,
    extra_headers: dict[str, str] | None = None,
) -> tuple[int, float]:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if secret is not None:
        headers |= sign(secret, body, timestamp)
    headers |= extra_headers or {}
    started = time.perf_counter()
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"http://127.0.0.1:{adapter.port}/slack/events", data=body, headers=headers
        ) as response,
    ):
        await response.read()
        return response.status, time.perf_counter() - started


async def command(
    adapter: SlackAdapter, slack: FakeSlack, line: str, *, user: str = "U1", name: str = "r"
) -> dict[str, Any]:
    """Run a slash command and return what the bot answered on the response_url."""
    name_, _, text = line.partition(" ")
    before = len(slack.responses)
    body = form(command_body(name_, text, response_url=slack.response_url(name), user=user))
    status, _ = await send(adapter, body)
    assert status == 200
    await slack.wait_for(lambda: len(slack.responses) > before)
    return slack.responses[-1][1]


def everything(response: dict[str, Any]) -> str:
    return json.dumps(response, ensure_ascii=False)


async def test_every_command_is_answered_through_the_response_url(
    adapter: SlackAdapter, slack: FakeSlack, app: Application
) -> None:
    examples = {
        "compare": "/compare skills",
        "tip": "/tip math",
        "roadmap": "/roadmap 3",
        "help": "/help",
        "schedule": "/schedule list",
        "poll": '/poll "Best study day?" "Monday" "Thursday"',
        "checkin": "/checkin questions",
        "progress": "/progress",
        "snooze": "/snooze off",
        "join": "/join",
        "leave": "/leave",
        "members": "/members",
        "me": "/me",
        "organizers": "/organizers",
        "report": "/report",
        "pairs": "/pairs",
        "session": "/session list",
        "quiz": "/quiz llm-engineering",
        "resources": "/resources 9",
    }
    assert set(examples) == {spec.name for spec in app.services.registry.commands}
    for name, line in examples.items():
        response = await command(adapter, slack, line, user="UADMIN", name=name)
        assert response["blocks"], name
        assert response["text"].strip(), name
        assert response["response_type"] in {"in_channel", "ephemeral"}
    by_name = dict(slack.responses)
    assert by_name["tip"]["response_type"] == "in_channel"
    assert by_name["help"]["response_type"] == "ephemeral"
    assert by_name["quiz"]["response_type"] == "ephemeral"  # a practice question is yours alone
    assert "https://arxiv.org/abs/2005.11401" in everything(by_name["resources"])
    assert "Core skills" in everything(by_name["compare"])
    assert "Week 3" in everything(by_name["roadmap"])


async def test_the_comparison_renders_as_side_by_side_fields(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    response = await command(adapter, slack, "/compare")
    sections_with_fields = [b for b in response["blocks"] if "fields" in b]
    assert len(sections_with_fields) >= 8
    assert all(len(b["fields"]) == 2 for b in sections_with_fields)
    assert response["blocks"][0]["type"] == "header"


async def test_the_umbrella_command_reaches_every_command(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    response = await command(adapter, slack, "/studybot tip math")
    assert "Math and statistics tip" in everything(response)
    assert "studybot commands" in everything(await command(adapter, slack, "/studybot"))


async def test_unknown_umbrella_command_is_a_friendly_ephemeral_error(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    response = await command(adapter, slack, "/studybot tpi")
    assert response["response_type"] == "ephemeral"
    assert "Did you mean `/tip`?" in everything(response)


async def test_a_button_click_answers_with_another_tip(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    first = await command(adapter, slack, "/tip mlops")
    actions = next(b for b in first["blocks"] if b["type"] == "actions")
    button = actions["elements"][0]
    payload = action_payload(
        button["action_id"], button["value"], response_url=slack.response_url("click")
    )
    status, _ = await send(adapter, form({"payload": json.dumps(payload)}))
    assert status == 200
    await slack.wait_for(lambda: slack.responses[-1][0] == "click")
    answer = slack.responses[-1][1]
    assert "MLOps and deployment tip" in everything(answer)
    assert answer["replace_original"] is False


@pytest.mark.parametrize(
    ("secret", "age"),
    [
        ("forged-secret-that-is-wrong", 0),  # forged
        (None, 0),  # missing
        (SECRET, 6 * 60),  # stale: older than five minutes
    ],
    ids=["forged", "missing", "stale"],
)
async def test_bad_signatures_get_401_and_reach_no_handler(
    adapter: SlackAdapter, slack: FakeSlack, secret: str | None, age: int
) -> None:
    body = form(command_body("/tip", "math", response_url=slack.response_url("x")))
    status, _ = await send(adapter, body, secret=secret, timestamp=int(time.time()) - age)
    assert status == 401
    # Give any wrongly started background work a chance to show itself.
    status_ok, _ = await send(
        adapter, form(command_body("/help", "", response_url=slack.response_url("after")))
    )
    assert status_ok == 200
    await slack.wait_for(lambda: len(slack.responses) == 1)
    assert [name for name, _ in slack.responses] == ["after"]
    assert slack.calls_to("chat.postMessage") == []


async def test_a_retried_request_produces_one_reply(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    fields = command_body("/tip", "data", response_url=slack.response_url("once"), trigger="t-1")
    body = form(fields)
    assert (await send(adapter, body))[0] == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert (await send(adapter, body, extra_headers=retry))[0] == 200
    assert (await send(adapter, body))[0] == 200  # the same trigger again, without the header
    await slack.wait_for(lambda: len(slack.responses) >= 1)
    await command(adapter, slack, "/help", name="marker")  # later work has drained
    assert [name for name, _ in slack.responses] == ["once", "marker"]


async def test_user_text_can_never_ping_the_channel(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    response = await command(adapter, slack, "/compare <!channel> @here <@U123> <!everyone>")
    text = everything(response)
    for dangerous in ("<!channel>", "<!here>", "<@U123>", "<!everyone>"):
        assert dangerous not in text
    assert "&lt;!channel&gt;" in text
    assert "link_names" not in response


async def test_admin_rights_come_from_users_info_and_are_cached(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    refused = await command(adapter, slack, "/schedule list", user="U1")
    assert "Only organizers can use /schedule" in everything(refused)
    allowed = await command(
        adapter, slack, "/schedule add nudge mon 09:00 Europe/Berlin", user="UADMIN"
    )
    assert "Scheduled #1" in everything(allowed)
    await command(adapter, slack, "/schedule list", user="UADMIN")
    assert [c.params["user"] for c in slack.calls_to("users.info")] == ["U1", "UADMIN"]


async def test_the_channel_creator_organizes_without_being_a_workspace_admin(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    slack.creators["C1"] = "UCREATOR"
    created = await command(
        adapter, slack, "/schedule add nudge mon 09:00 Europe/Berlin", user="UCREATOR"
    )
    assert "Scheduled #1" in everything(created)
    assert [c.params["channel"] for c in slack.calls_to("conversations.info")] == ["C1"]

    refused = await command(adapter, slack, "/organizers add <@U2|grace>", user="U1")
    assert "Only organizers can add organizers" in everything(refused)
    added = await command(adapter, slack, "/organizers add <@U2|grace>", user="UCREATOR")
    assert "grace is now an organizer" in everything(added)
    # The added organizer is neither admin nor creator, and may now run organizer commands.
    listed = await command(adapter, slack, "/schedule list", user="U2")
    assert "#1" in everything(listed)
    still_refused = await command(adapter, slack, "/schedule list", user="U1")
    assert "Only organizers can use /schedule" in everything(still_refused)
    # The creator is looked up once per channel and then remembered.
    assert len(slack.calls_to("conversations.info")) == 1


async def test_private_messages_open_a_dm_and_closed_ones_are_told_apart(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    reply = Reply(title="Just for you", parts=(Section(text="hello"),))
    first = await adapter.post_private("slack:T1:U7", reply, idempotency_key="k1")
    await adapter.post_private("slack:T1:U7", reply, idempotency_key="k2")
    assert first is not None
    assert [c.params["users"] for c in slack.calls_to("conversations.open")] == ["U7"]
    sent = slack.dms_to("U7")
    assert [m["metadata"]["event_payload"]["key"] for m in sent] == ["k1", "k2"]
    found = await adapter.find_posted_private(
        "slack:T1:U7", "k2", since=datetime.now(UTC) - timedelta(minutes=5)
    )
    assert found is not None

    slack.dm_refusals["U8"] = "user_disabled"
    with pytest.raises(DirectMessagesClosed):
        await adapter.post_private("slack:T1:U8", reply, idempotency_key="k3")
    slack.fail("conversations.open", 500, times=1)
    with pytest.raises(PostFailed) as failed:
        await adapter.post_private("slack:T1:U9", reply, idempotency_key="k4")
    assert not isinstance(failed.value, DirectMessagesClosed)
    assert failed.value.retryable


async def test_the_ack_returns_before_the_feature_finishes(
    adapter: SlackAdapter, slack: FakeSlack, app: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    release = asyncio.Event()
    original = app.dispatcher.invoke

    async def slow_invoke(invocation: Any) -> Reply:
        await release.wait()
        return await original(invocation)

    monkeypatch.setattr(app.dispatcher, "invoke", slow_invoke)
    body = form(command_body("/tip", "math", response_url=slack.response_url("slow")))
    status, _ = await send(adapter, body)
    assert status == 200
    assert slack.responses == []  # acked while the feature is still waiting
    release.set()
    await slack.wait_for(lambda: len(slack.responses) == 1)


async def test_scheduled_posts_use_chat_post_message(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    reply = Reply(title="Week 1", parts=(Section(text="Hello <!here> & all"),))
    ref = await adapter.post("slack:T1:C9", reply, idempotency_key="k1")
    call = slack.calls_to("chat.postMessage")[-1]
    assert call.params["channel"] == "C9"
    assert call.token == BOT_TOKEN
    assert "&lt;!here&gt; &amp; all" in json.dumps(call.params["blocks"])
    assert ref is not None
    assert ref.startswith("C9:")


async def test_a_429_is_waited_out_and_delivered(adapter: SlackAdapter, slack: FakeSlack) -> None:
    slack.fail(
        "chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, headers={"Retry-After": "1"}
    )
    await adapter.post("slack:T1:C1", Reply(title="hi"), idempotency_key="k")
    assert len(slack.calls_to("chat.postMessage")) == 2


async def test_platform_errors_become_post_failures(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    slack.fail("chat.postMessage", 500, {"ok": False, "error": "internal_error"})
    with pytest.raises(PostFailed) as server_error:
        await adapter.post("slack:T1:C1", Reply(title="hi"), idempotency_key="k")
    assert server_error.value.retryable
    slack.fail("chat.postMessage", 200, {"ok": False, "error": "channel_not_found"})
    with pytest.raises(PostFailed) as missing:
        await adapter.post("slack:T1:C1", Reply(title="hi"), idempotency_key="k")
    assert not missing.value.retryable
    assert BOT_TOKEN not in str(missing.value)


async def test_health_endpoint(adapter: SlackAdapter) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{adapter.port}/healthz") as response,
    ):
        assert response.status == 200
        assert await response.text() == "ok"


async def test_http_mode_refuses_to_start_without_a_signing_secret(
    tmp_path: Path, slack: FakeSlack, app: Application
) -> None:
    settings = Settings(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=slack.api_url)
    with pytest.raises(SlackConfigurationError, match="SLACK_SIGNING_SECRET is required") as error:
        SlackAdapter(settings=settings, dispatcher=app.dispatcher, engine=app.services.store.engine)
    assert BOT_TOKEN not in str(error.value)


async def test_secrets_never_reach_the_logs(
    adapter: SlackAdapter, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    slack.fail("users.info", 200, {"ok": False, "error": "invalid_auth"})
    await command(adapter, slack, "/schedule list", user="U7")
    body = form(command_body("/tip", "", response_url=slack.response_url("x")))
    await send(adapter, body, secret="forged-secret-that-is-wrong")
    for secret in (BOT_TOKEN, SECRET):
        assert secret not in caplog.text


async def test_socket_mode_serves_commands_and_buttons(tmp_path: Path, slack: FakeSlack) -> None:
    settings = Settings(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=slack.api_url,
        STUDYBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'socket.db'}",
    )
    application = await build_application(settings)
    socket_adapter = SlackAdapter(
        settings=settings,
        dispatcher=application.dispatcher,
        engine=application.services.store.engine,
    )
    try:
        await socket_adapter.start()
        opened = slack.calls_to("apps.connections.open")
        assert opened
        assert opened[0].token == APP_TOKEN
        ack = await slack.push(
            "slash_commands",
            command_body("/tip", "math", response_url=slack.response_url("socket")),
        )
        assert ack["envelope_id"] == "env-1"
        await slack.wait_for(lambda: len(slack.responses) == 1)
        assert "Math and statistics tip" in everything(slack.responses[0][1])
        button = next(b for b in slack.responses[0][1]["blocks"] if b["type"] == "actions")
        element = button["elements"][0]
        await slack.push(
            "interactive",
            action_payload(
                element["action_id"],
                element["value"],
                response_url=slack.response_url("socket-click"),
            ),
        )
        await slack.wait_for(lambda: len(slack.responses) == 2)
        assert "Math and statistics tip" in everything(slack.responses[1][1])
    finally:
        await socket_adapter.stop()
        await application.close()


async def test_oauth_install_keeps_the_installation_and_posts_with_its_token(
    tmp_path: Path, slack: FakeSlack
) -> None:
    settings = Settings(
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="client-secret-abcdef123",
        SLACK_STATE_SECRET="state-secret-abcdef123",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
        STUDYBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'oauth.db'}",
    )
    application = await build_application(settings)
    oauth_adapter = SlackAdapter(
        settings=settings,
        dispatcher=application.dispatcher,
        engine=application.services.store.engine,
    )
    try:
        await oauth_adapter.start(host="127.0.0.1", port=0)
        base = f"http://127.0.0.1:{oauth_adapter.port}"
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/slack/install", allow_redirects=False) as page:
                assert page.status in {200, 302}
                location = page.headers.get("Location") or await page.text()
                state = location.split("state=", 1)[1].split("&", 1)[0].split('"', 1)[0]
                # The state cookie is Secure (real deployments run behind https), so a client
                # on plain loopback http would not send it back by itself.
                cookie = "; ".join(f"{k}={v.value}" for k, v in page.cookies.items())
            async with session.get(
                f"{base}/slack/oauth_redirect",
                params={"code": "code-1", "state": state},
                headers={"Cookie": cookie},
            ) as done:
                assert done.status == 200, await done.text()
        assert slack.calls_to("oauth.v2.access")
        await oauth_adapter.post("slack:T2:C5", Reply(title="hi"), idempotency_key="k")
        assert slack.calls_to("chat.postMessage")[-1].token == "xoxb-installed-t2"
        with pytest.raises(PostFailed, match="not installed"):
            await oauth_adapter.post("slack:T3:C5", Reply(title="hi"), idempotency_key="k")
        # A command from the installed workspace is stored before the ack and answered; one
        # from a workspace without an installation gets bolt's own reinstall prompt.
        for team, answer in (("T2", "Math and statistics tip"), ("T3", "reinstall this app")):
            expected = len(slack.responses) + 1
            fields = command_body("/tip", "math", response_url=slack.response_url(team))
            status, _ = await send(oauth_adapter, form(fields | {"team_id": team}))
            assert status == 200
            await slack.wait_for(lambda n=expected: len(slack.responses) >= n)
            assert answer in everything(slack.responses[-1][1])
    finally:
        await oauth_adapter.stop()
        await application.close()


async def test_a_scheduled_nudge_reaches_the_slack_channel(
    adapter: SlackAdapter, slack: FakeSlack, app: Application
) -> None:
    from datetime import timedelta

    from scheduler.service import SchedulerService

    await command(adapter, slack, "/schedule add nudge daily 09:00 UTC", user="UADMIN")
    records = await app.services.schedules.list_schedules("slack:T1:C1")
    due = records[0].next_due_at
    service = SchedulerService(
        ledger=app.services.deliveries,
        notices=app.services.notices,
        outboxes={"slack": adapter},
        kinds=app.kinds,
        clock=lambda: due + timedelta(seconds=2),
        grace=timedelta(hours=12),
    )
    await service.tick()
    await service.drain()
    posts = slack.calls_to("chat.postMessage")
    assert len(posts) == 1
    assert posts[0].params["channel"] == "C1"
    assert "Week 1" in json.dumps(posts[0].params["blocks"])


async def test_studybot_run_serves_slack_and_stops_on_sigterm(
    tmp_path: Path, slack: FakeSlack
) -> None:
    import asyncio
    import os
    import signal
    import socket
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "STUDYBOT_HOST": "127.0.0.1",
        "STUDYBOT_PORT": str(port),
        "STUDYBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(300):
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as health:
                        if health.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            body = form(command_body("/tip", "math", response_url=slack.response_url("run")))
            async with session.post(
                f"http://127.0.0.1:{port}/slack/events",
                data=body,
                headers={"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)},
            ) as response:
                assert response.status == 200
        await slack.wait_for(lambda: len(slack.responses) == 1, within=15)
        assert "Math and statistics tip" in everything(slack.responses[0][1])
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    assert BOT_TOKEN not in stderr.decode()


async def test_a_rejected_token_stops_the_start_with_a_clear_error(
    app: Application, slack: FakeSlack
) -> None:
    slack.fail("auth.test", 200, {"ok": False, "error": "invalid_auth"})
    rejected = SlackAdapter(
        settings=app.settings, dispatcher=app.dispatcher, engine=app.services.store.engine
    )
    with pytest.raises(
        SlackConfigurationError, match=r"Slack rejected SLACK_BOT_TOKEN \(invalid_auth\)"
    ) as error:
        await rejected.start(host="127.0.0.1", port=0)
    assert BOT_TOKEN not in str(error.value)
    await rejected.stop()


async def test_poll_votes_update_in_place_and_results_upload_a_chart(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    card = await command(adapter, slack, '/poll "Best day?" "Mon" "Thu"', user="UADMIN")
    actions = next(b for b in card["blocks"] if b["type"] == "actions")
    thursday = actions["elements"][1]
    assert thursday["value"] == "1:1"
    payload = action_payload(
        thursday["action_id"], thursday["value"], response_url=slack.response_url("vote")
    )
    assert (await send(adapter, form({"payload": json.dumps(payload)})))[0] == 200
    await slack.wait_for(lambda: slack.responses[-1][0] == "vote")
    answer = slack.responses[-1][1]
    assert answer["replace_original"] is True
    assert "2. Thu  ██████████ 1 (100%)" in everything(answer)

    await command(adapter, slack, "/poll close 1", user="UADMIN", name="close")
    await slack.wait_for(lambda: slack.calls_to("files.completeUploadExternal"))
    [png] = slack.uploads.values()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert slack.calls_to("files.completeUploadExternal")[0].params["channel_id"] == "C1"


async def test_checkin_answers_go_through_a_modal(
    adapter: SlackAdapter, slack: FakeSlack, app: Application
) -> None:
    await command(adapter, slack, "/checkin open", user="UADMIN", name="open")
    body = form(command_body("/checkin", "answer", response_url=slack.response_url("a")))
    assert (await send(adapter, body))[0] == 200
    await slack.wait_for(lambda: slack.calls_to("views.open"))
    view = json.loads(json.dumps(slack.calls_to("views.open")[0].params["view"]))
    assert view["type"] == "modal"
    assert [block["block_id"] for block in view["blocks"]] == ["q0", "q1", "q2", "confidence"]
    submission = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U1", "username": "ada", "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": "trigger-submit",
        "view": {
            **view,
            "id": "V1",
            "state": {
                "values": {
                    "q0": {"value": {"type": "plain_text_input", "value": "Backprop by hand"}},
                    "q1": {"value": {"type": "plain_text_input", "value": "Attention"}},
                    "q2": {"value": {"type": "plain_text_input", "value": None}},
                    "confidence": {
                        "value": {"type": "static_select", "selected_option": {"value": "4"}}
                    },
                }
            },
        },
    }
    assert (await send(adapter, form({"payload": json.dumps(submission)})))[0] == 200
    await slack.wait_for(lambda: slack.calls_to("chat.postEphemeral"))
    thanks = slack.calls_to("chat.postEphemeral")[0].params
    assert thanks["user"] == "U1"
    assert "your check-in is saved" in json.dumps(thanks["blocks"])
    [answer] = await app.services.checkins.answers(1)
    assert answer.answers == ("Backprop by hand", "Attention", "")
    assert answer.confidence == 4


async def test_200_members_voting_at_once_through_slack(
    adapter: SlackAdapter, slack: FakeSlack, app: Application
) -> None:
    import asyncio

    card = await command(adapter, slack, '/poll "Ready?" "yes" "no"', name="card")
    actions = next(b for b in card["blocks"] if b["type"] == "actions")
    before = len(slack.responses)

    async def click(index: int) -> None:
        element = actions["elements"][index % 2]
        payload = action_payload(
            element["action_id"],
            element["value"],
            response_url=slack.response_url("vote"),
            user=f"V{index}",
        )
        assert (await send(adapter, form({"payload": json.dumps(payload)})))[0] == 200

    for start in range(0, 200, 25):
        await asyncio.gather(*(click(i) for i in range(start, start + 25)))
    poll = await app.services.polls.get(1)
    assert poll is not None
    await slack.wait_for(lambda: "200 votes" in everything(slack.responses[-1][1]), within=60)
    assert (await app.services.polls.tally(poll)).counts == (100, 100)
    edits = len(slack.responses) - before
    assert edits < 50  # bursts were coalesced into few edits


async def test_a_threaded_post_goes_into_the_thread(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    await adapter.post(
        "slack:T1:C1", Reply(title="digest", thread_of="C1:1700000000.000001"), idempotency_key="k"
    )
    assert slack.calls_to("chat.postMessage")[-1].params["thread_ts"] == "1700000000.000001"


async def test_work_resumed_after_the_response_url_expired_posts_to_the_channel(
    tmp_path: Path, slack: FakeSlack
) -> None:
    from datetime import UTC, datetime, timedelta

    from bot.store.inbox import Inbox

    settings = slack_settings(tmp_path, slack, STUDYBOT_INBOX_LEASE="1")
    application = await build_application(settings)
    # A process that acked these 31 minutes ago and died before doing them.
    long_ago = datetime.now(UTC) - timedelta(minutes=31)
    dead = Inbox(
        application.services.store.engine,
        owner="dead",
        clock=lambda: long_ago,
        lease=settings.inbox_lease,
    )
    tip = command_body("/tip", "math", response_url=slack.response_url("expired"), trigger="t-old")
    help_ = command_body("/help", "", response_url=slack.response_url("expired2"), trigger="t-h")
    for kind_body in (tip, help_):
        payload = json.dumps({"kind": "command", "body": kind_body})
        await dead.accept(
            platform="slack", request_id=f"command:{kind_body['trigger_id']}", payload=payload
        )
    slack_adapter = SlackAdapter(
        settings=settings,
        dispatcher=application.dispatcher,
        engine=application.services.store.engine,
    )
    await slack_adapter.start(host="127.0.0.1", port=0)
    try:
        await slack.wait_for(
            lambda: slack.calls_to("chat.postMessage") and slack.calls_to("chat.postEphemeral"),
            within=10,
        )
    finally:
        await slack_adapter.stop()
        await application.close()
    assert slack.responses == []  # the expired response_urls were not used
    [posted] = slack.calls_to("chat.postMessage")
    assert posted.params["channel"] == "C1"
    assert "Math and statistics tip" in json.dumps(posted.params["blocks"], ensure_ascii=False)
    [private] = slack.calls_to("chat.postEphemeral")  # /help is for the member alone
    assert private.params["user"] == "U1"


UNSIGNED_GARBAGE = [
    ("application/x-www-form-urlencoded", "payload=not json", {}),
    ("application/x-www-form-urlencoded", "payload=%5B1%2C2%5D", {}),
    ("application/x-www-form-urlencoded", "payload=null", {}),
    ("application/json", "{not json", {}),
    ("application/x-www-form-urlencoded", "command=%2Ftip", {"X-Slack-Request-Timestamp": "abc"}),
    ("application/x-www-form-urlencoded", "command=%2Ftip", {"X-Slack-Request-Timestamp": ""}),
    ("application/x-www-form-urlencoded", "command=%2Ftip", {"X-Slack-Request-Timestamp": "12.5"}),
]


@pytest.mark.parametrize(("content_type", "body", "headers"), UNSIGNED_GARBAGE)
async def test_unsigned_garbage_is_refused_before_it_is_parsed(
    adapter: SlackAdapter,
    caplog: pytest.LogCaptureFixture,
    content_type: str,
    body: str,
    headers: dict[str, str],
) -> None:
    status, _ = await send(
        adapter,
        body,
        secret=None,
        extra_headers={"Content-Type": content_type, "X-Slack-Signature": "v0=00", **headers},
    )
    assert status == 401
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


SIGNED_MALFORMED = [
    {"payload": "[1, 2]"},
    {"payload": "5"},
    {"payload": json.dumps({"type": "block_actions", "actions": []})},
    {"payload": json.dumps({"type": "block_actions", "actions": [{}]})},
    {"payload": json.dumps({"type": "block_actions", "actions": "x"})},
    {"payload": json.dumps({"type": "view_submission", "view": {"id": "V1"}})},
    {"payload": json.dumps({"type": "view_submission", "view": "x"})},
    {"team_id": "T1", "user_id": "U1", "channel_id": "C1", "text": "math"},  # no command
]


@pytest.mark.parametrize("fields", SIGNED_MALFORMED)
async def test_signed_but_malformed_payloads_change_nothing_and_never_500(
    adapter: SlackAdapter,
    app: Application,
    slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    fields: dict[str, str],
) -> None:
    body = form(fields)
    status, _ = await send(adapter, body)
    assert status in {200, 400}
    await adapter.intake.drain()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert slack.responses == []
    # Still serving.
    reply = await command(adapter, slack, "/tip math")
    assert "Math and statistics tip" in everything(reply)
