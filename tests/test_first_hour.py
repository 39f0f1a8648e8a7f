"""Rough edges a newcomer hit in the first hour, each driven from outside (chat, CLI)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from bot.adapters.console.adapter import ConsoleAdapter
from bot.app import Application
from bot.core.model import ActionPress, Reply
from bot.features.checkins import SUBMIT_ACTION
from tests.chat import Chat, reply_text
from tests.conftest import ADMIN
from tests.fakes.clock import FakeClock
from tests.test_cli import studybot


async def test_unknown_commands_get_a_suggestion_only_when_it_is_close(admin: Chat) -> None:
    assert "Did you mean" not in reply_text(await admin.send("/nope"))
    assert "Did you mean `/tip`?" in reply_text(await admin.send("/tpi"))


@pytest.mark.parametrize(
    ("zone", "meant"),
    [("EST", "America/New_York"), ("PST", "America/Los_Angeles"), ("Etc/GMT+5", None)],
)
async def test_fixed_offset_zones_are_refused_with_the_place_meant(
    admin: Chat, zone: str, meant: str | None
) -> None:
    reply = await admin.send(f"/schedule add nudge mon 09:00 {zone}")
    assert reply.is_error
    text = reply_text(reply)
    assert "names an offset, not a place" in text
    if meant:
        assert meant in text
    assert "No schedules yet" in reply_text(await admin.send("/schedule list"))


async def test_progress_zone_takes_a_city_and_helps_when_empty(admin: Chat) -> None:
    assert "America/New_York" in reply_text(await admin.send("/progress zone New York"))
    empty = await admin.send("/progress zone")
    assert empty.is_error
    assert "Which time zone?" in reply_text(empty)


def test_press_only_presses_the_last_replys_buttons(tmp_path: Path) -> None:
    env = {"STUDYBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    result = studybot("console", stdin="/tip math\n/help\n/press 1\n", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "The last reply has no buttons to press" in result.stdout
    assert result.stdout.count("Math and statistics tip") == 1


async def test_a_note_arriving_before_press_leaves_the_polls_buttons(
    app: Application, tmp_path: Path
) -> None:
    # The scheduler delivers on its own time: a private note printed between a poll and the
    # member's `/press 1` must not leave the press with nothing to press.
    console = ConsoleAdapter(
        app.dispatcher,
        stdin=io.StringIO(""),
        console=Console(file=io.StringIO()),
        charts_dir=tmp_path,
    )
    poll = await console.handle('/poll "Best day?" "Mon" "Thu"')
    assert poll is not None
    await console.show(poll)
    await console.post_private(
        "console:you", Reply(title="You're on the roster"), idempotency_key="k"
    )
    vote = await console.handle("/press 1")
    assert vote is not None
    assert not vote.is_error
    assert "1 vote" in reply_text(vote)


def test_bare_studybot_prints_help(tmp_path: Path) -> None:
    result = studybot(cwd=tmp_path)
    assert result.returncode == 0
    assert "usage: studybot" in result.stdout
    assert result.stderr == ""


def test_run_as_a_service_with_nothing_to_serve_says_so(tmp_path: Path) -> None:
    env = {**os.environ, "STUDYBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    for name in ("SLACK_BOT_TOKEN", "DISCORD_TOKEN", "SLACK_CLIENT_ID"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "studybot: nothing to serve: set SLACK_BOT_TOKEN (and SLACK_SIGNING_SECRET or "
        "SLACK_APP_TOKEN) or DISCORD_TOKEN, or run `studybot console` in a terminal."
    ]


@pytest.mark.parametrize("url", ["http://bot.example.org", "bot.example.org"])
def test_the_manifest_wants_an_https_url(tmp_path: Path, url: str) -> None:
    result = studybot("slack", "manifest", "--url", url, cwd=tmp_path)
    assert result.returncode == 2
    assert "--url must be an https:// address" in result.stderr


def test_the_manifest_piped_into_a_reader_that_left_is_no_error(tmp_path: Path) -> None:
    # Like `| head -n 1`, but certain: the reader is gone before studybot writes a byte.
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "slack", "manifest", "--url", "https://bot.example.org"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert process.stdout is not None
    process.stdout.close()
    _, stderr = process.communicate(timeout=60)
    assert b"Traceback" not in stderr
    assert b"BrokenPipeError" not in stderr
    assert process.returncode == 0


async def test_a_duplicate_schedule_is_refused_with_the_existing_id(admin: Chat) -> None:
    await admin.send("/schedule add nudge mon,thu 18:30 Europe/Berlin")
    again = await admin.send("/schedule add nudge thu,mon 18:30 europe/berlin")
    assert again.is_error
    assert "That schedule exists already: #1." in reply_text(again)
    other = await admin.send("/schedule add checkin mon,thu 18:30 Europe/Berlin")
    assert not other.is_error


def test_console_charts_go_to_the_data_folder_one_per_group(tmp_path: Path) -> None:
    env = {"STUDYBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    for poll_id, group in enumerate(("alpha", "beta"), start=1):
        script = f'/poll "Best day?" "Mon" "Thu"\n/press 1\n/poll close {poll_id}\n'
        result = studybot("console", "--group", group, stdin=script, env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    charts = Path(os.environ["XDG_DATA_HOME"]) / "studybot" / "charts"
    assert (charts / "console-alpha" / "poll-1.png").exists()
    assert (charts / "console-beta" / "poll-2.png").exists()
    assert str(Path.home()) == os.environ["HOME"]  # the session's temporary home, not yours


def test_a_misspelt_setting_is_named_with_the_one_meant(tmp_path: Path) -> None:
    env = {
        "STUDYBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
        "STUDYBOT_LOG_LEVL": "INFO",
        "SLACK_BOT_TOKN": "xoxb-not-printed",
    }
    result = studybot("db", "upgrade", env=env, cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.strip().splitlines() == [
        "studybot: SLACK_BOT_TOKN is not a setting studybot reads; did you mean SLACK_BOT_TOKEN?",
        "studybot: STUDYBOT_LOG_LEVL is not a setting studybot reads; "
        "did you mean STUDYBOT_LOG_LEVEL?",
    ]


async def test_an_unquoted_poll_splits_at_the_question_mark(admin: Chat) -> None:
    reply = await admin.send("/poll Which topic next? Statistics MLOps")
    assert reply.title == "📊 Which topic next?"
    assert [button.label for button in reply.buttons] == ["Statistics", "MLOps"]
    refused = await admin.send("/poll close the old poll")
    assert refused.is_error
    assert "quotes" in reply_text(refused)
    assert "Open polls (1)" in reply_text(await admin.send("/poll list"))


async def test_poll_close_without_an_id_closes_your_newest(admin: Chat) -> None:
    assert "No open polls" in reply_text(await admin.send("/poll list"))
    assert "no open poll" in reply_text(await admin.send("/poll close"))
    await admin.send('/poll "First?" "a" "b"')
    await admin.send('/poll "Second?" "a" "b"')
    listing = reply_text(await admin.send("/poll list"))
    assert listing.index("#2 Second?") < listing.index("#1 First?")
    assert "Results: Second?" in reply_text(await admin.send("/poll close"))
    assert "Open polls (1)" in reply_text(await admin.send("/poll list"))


async def test_a_topic_used_up_says_so_and_suggests_the_least_covered(
    admin: Chat, app: Application
) -> None:
    count = len(app.services.catalog.tips_in("math"))
    for _ in range(count):
        assert "start over" not in reply_text(await admin.send("/tip math"))
    again = reply_text(await admin.send("/tip math"))
    assert f"You've seen all {count} Math and statistics tips, so they start over." in again
    assert "Least covered so far:" in again


def test_make_stops_with_one_line_when_python_is_too_old(tmp_path: Path) -> None:
    """`make run` with an old interpreter says which Python to use instead of failing later."""
    root = Path(__file__).resolve().parent.parent
    for name in ("Makefile", "pyproject.toml"):
        (tmp_path / name).write_text((root / name).read_text())
    old = tmp_path / "python3.9"
    old.write_text("#!/bin/sh\n[ \"$1\" = -V ] && echo 'Python 3.9.2'\nexit 1\n")
    old.chmod(0o755)
    result = subprocess.run(
        ["make", f"PYTHON={old}", "run"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "studybot needs Python 3.11 or newer" in result.stderr
    assert "Python 3.9.2" in result.stderr
    assert not (tmp_path / ".venv").exists()


async def test_snooze_and_progress_agree_on_the_day_and_name_the_zone(
    admin: Chat, clock: FakeClock
) -> None:
    """A member east of the group's zone: both replies use their zone and say which."""
    clock.set(datetime(2026, 12, 20, 9, 0, tzinfo=UTC))
    await admin.send("/me zone Pacific/Auckland")
    snoozed = reply_text(await admin.send("/snooze 2026-12-24"))
    assert "Snoozed until the end of Thu 24 Dec (Pacific/Auckland)" in snoozed
    progress = reply_text(await admin.send("/progress"))
    assert "Snoozed until the end of Thu 24 Dec (Pacific/Auckland)." in progress


async def test_a_long_check_in_answer_is_refused_whole_not_cut(
    admin: Chat, app: Application
) -> None:
    await admin.send("/checkin open")
    long_answer = "x" * 3001
    reply = await app.dispatcher.press(
        ActionPress(
            action_id=SUBMIT_ACTION,
            value="1",
            member=ADMIN,
            group_id="test:group",
            platform="test",
            fields=(("q0", long_answer), ("confidence", "3")),
        )
    )
    assert reply.is_error
    assert "Answer 1 is 3,001 characters; the limit is 3,000. Nothing was saved." in reply_text(
        reply
    )
    assert await app.services.checkins.answers(1) == []
    fits = await app.dispatcher.press(
        ActionPress(
            action_id=SUBMIT_ACTION,
            value="1",
            member=ADMIN,
            group_id="test:group",
            platform="test",
            fields=(("q0", "y" * 3000),),
        )
    )
    assert not fits.is_error
    (saved,) = await app.services.checkins.answers(1)
    assert len(saved.answers[0]) == 3000
