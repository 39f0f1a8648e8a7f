"""The `studybot` command as a user runs it: a real process, piped input, exit codes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.loopback import free_port

DONE_WHEN = "/compare\n/compare skills\n/tip math\n/roadmap 3\n/compare salary\n/nope\n"


def studybot(
    *args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "100", **(env or {})},
        check=False,
    )


@pytest.fixture
def db_env(tmp_path: Path) -> dict[str, str]:
    return {"STUDYBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}


def test_console_answers_each_piped_line_and_exits_zero(
    tmp_path: Path, db_env: dict[str, str]
) -> None:
    result = studybot("console", stdin=DONE_WHEN, env=db_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Software engineer vs ML engineer" in out
    assert "Core skills: software engineer vs ML engineer" in out
    assert "Math and statistics tip:" in out
    assert "Week 3: Probability and statistics for ML" in out
    assert "I don't know the aspect salary" in out
    assert "I don't know the command /nope" in out
    assert "Traceback" not in result.stderr


def test_console_buttons_are_pressed_by_number(tmp_path: Path, db_env: dict[str, str]) -> None:
    result = studybot("console", stdin="/tip mlops\n/press 1\n/press 9\n", env=db_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("MLOps and deployment tip:") == 2
    assert "Press a button by its number, 1 to 1" in result.stdout


def test_run_without_tokens_opens_the_console(tmp_path: Path, db_env: dict[str, str]) -> None:
    result = studybot("run", stdin="/help\n", env=db_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "No Slack or Discord settings found" in result.stderr
    assert "studybot commands" in result.stdout


def test_content_check_against_source_texts_names_copied_runs(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "clean.txt").write_text("Nothing here repeats the content.", encoding="utf-8")
    clean = studybot("content", "check", "--against", str(sources), cwd=tmp_path)
    assert clean.returncode == 0, clean.stderr
    assert "0 run(s) of 8+ words shared with 1 source text(s)" in clean.stdout
    from content.catalog import load_catalog

    copied_tip = load_catalog().tips["math-gradient-descent-1d"]
    (sources / "course.txt").write_text(
        f"As a course might put it. {copied_tip.why} End of page.", encoding="utf-8"
    )
    copied = studybot("content", "check", "--against", str(sources), cwd=tmp_path)
    assert copied.returncode == 1
    assert "tips/math-gradient-descent-1d:" in copied.stdout
    assert "shared with course.txt" in copied.stdout
    assert "Content has copied passages" in copied.stdout
    missing = studybot("content", "check", "--against", str(tmp_path / "nope"), cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1


def test_content_check_reports_problems_and_exits_one(tmp_path: Path) -> None:
    good = studybot("content", "check", cwd=tmp_path)
    assert good.returncode == 0
    assert good.stdout.startswith("Content OK: ")
    counts = dict(
        (name, int(number))
        for number, name in re.findall(
            r"(\d+) (tips|topics|roadmap weeks|resources|quiz questions)", good.stdout
        )
    )
    assert counts["tips"] >= 120
    assert counts["topics"] >= 10
    assert counts["roadmap weeks"] == 12
    assert counts["quiz questions"] >= 120
    assert counts["resources"] >= 24

    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "bad.toml").write_text('[[tips]]\nid = "half"\ntopic = "math"\n', encoding="utf-8")
    bad = studybot("content", "check", str(extra), cwd=tmp_path)
    assert bad.returncode == 1
    assert f"{extra / 'bad.toml'} [half]: title: Field required" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_broken_content_stops_console_and_run_without_traceback(
    tmp_path: Path, db_env: dict[str, str]
) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "bad.toml").write_text("[[weeks]]\nnumber = 'x'\n", encoding="utf-8")
    env = {**db_env, "STUDYBOT_CONTENT_DIR": str(extra)}
    for command in ("console", "run"):
        result = studybot(command, stdin="/help\n", env=env, cwd=tmp_path)
        assert result.returncode == 1
        assert "The study content has" in result.stderr
        assert "Traceback" not in result.stderr
        assert "studybot commands" not in result.stdout
    assert not (tmp_path / "cli.db").exists()  # refused before touching the store


def test_db_upgrade(tmp_path: Path, db_env: dict[str, str]) -> None:
    result = studybot("db", "upgrade", env=db_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    assert (tmp_path / "cli.db").exists()


def test_bad_settings_are_reported_without_values(tmp_path: Path) -> None:
    result = studybot("db", "upgrade", env={"STUDYBOT_PORT": "not-a-port"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "STUDYBOT_PORT" in result.stderr or "port" in result.stderr.lower()
    assert "Traceback" not in result.stderr


def test_schedules_survive_kill_9(tmp_path: Path, db_env: dict[str, str]) -> None:
    """A schedule acknowledged in the console is on disk, even if the process dies at once."""
    import signal
    import time

    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "console"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "100", **db_env},
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write("/schedule add nudge mon,thu 18:30 Europe/Berlin\n")
    process.stdin.flush()
    deadline = time.monotonic() + 30
    seen = ""
    while "Scheduled #1" not in seen and time.monotonic() < deadline:
        seen += process.stdout.readline()
    assert "Scheduled #1" in seen
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)

    after = studybot("console", stdin="/schedule list\n", env=db_env, cwd=tmp_path)
    assert after.returncode == 0, after.stderr
    assert "#1 weekly learning nudge · mon,thu 18:30 Europe/Berlin" in after.stdout


def _one_clear_line(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in expected:
        assert fragment in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://postgres:hunter2pw@127.0.0.1:{port}/studybot", "Connect call failed"),
        ("mysql://user:hunter2pw@localhost/studybot", "mysql is not supported"),
        ("notaurl", "not a database URL"),
        ("sqlite:////nonexistent-dir/deeper/studybot.db", "unable to open database file"),
    ],
)
def test_a_database_url_that_cannot_work_is_one_line(
    tmp_path: Path, url: str, expected: str
) -> None:
    env = {"STUDYBOT_DATABASE_URL": url.format(port=free_port())}
    line = _one_clear_line(studybot("db", "upgrade", env=env, cwd=tmp_path), expected)
    assert "STUDYBOT_DATABASE_URL" in line
    assert "hunter2pw" not in line


def test_a_missing_postgres_database_is_one_line(tmp_path: Path) -> None:
    base = os.environ.get("STUDYBOT_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("STUDYBOT_TEST_POSTGRES_URL is not set")
    from sqlalchemy.engine import make_url

    url = make_url(base).set(database="studybot_no_such_database", password="hunter2pw")
    env = {"STUDYBOT_DATABASE_URL": url.render_as_string(hide_password=False)}
    line = _one_clear_line(studybot("db", "upgrade", env=env, cwd=tmp_path), "does not exist")
    assert "hunter2pw" not in line


def test_an_unknown_log_level_is_one_line(tmp_path: Path, db_env: dict[str, str]) -> None:
    env = {**db_env, "STUDYBOT_LOG_LEVEL": "LOUD"}
    _one_clear_line(studybot("db", "upgrade", env=env, cwd=tmp_path), "STUDYBOT_LOG_LEVEL", "INFO")


def test_discord_sync_without_discord_is_one_line(tmp_path: Path, db_env: dict[str, str]) -> None:
    env = {
        **db_env,
        "DISCORD_TOKEN": "not-a-real-token.abc.def",
        "DISCORD_API_URL": f"http://127.0.0.1:{free_port()}/api/v10",
    }
    line = _one_clear_line(studybot("discord", "sync", env=env, cwd=tmp_path), "DISCORD_API_URL")
    assert "not-a-real-token" not in line


def test_export_lists_groups_and_refuses_an_unknown_one(
    tmp_path: Path, db_env: dict[str, str]
) -> None:
    studybot("console", stdin='/poll "Best day?" "Mon" "Thu"\n', env=db_env, cwd=tmp_path)
    listed = studybot("export", "--list", env=db_env, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == ["console:local"]
    unknown = studybot(
        "export", "--group", "slack:T1:C9", "--what", "polls", env=db_env, cwd=tmp_path
    )
    _one_clear_line(unknown, "slack:T1:C9", "known groups: console:local")
    assert unknown.stdout == ""


def test_the_console_form_asks_again_and_can_be_cancelled(
    tmp_path: Path, db_env: dict[str, str]
) -> None:
    script = (
        "/checkin open\n/checkin answer\nWent well\nNext week\nnone\n7\n4\n/checkin status\n"
        "/checkin answer\nChanged my mind\n/cancel\n/checkin status\n"
    )
    result = studybot("console", stdin=script, env=db_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Please answer with a number from 1 to 5" in out
    assert "Thanks, your check-in is saved" in out
    assert "Form cancelled" in out
    assert out.count("1 answered so far") == 2  # the cancelled answer changed nothing


def test_ctrl_c_leaves_the_console_at_once(tmp_path: Path, db_env: dict[str, str]) -> None:
    import signal
    import time

    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "console"],
        stdin=subprocess.PIPE,  # kept open: the console is waiting for input
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env={**os.environ, **db_env},
    )
    try:
        time.sleep(2.0)
        process.send_signal(signal.SIGINT)
        started = time.monotonic()
        _, stderr = process.communicate(timeout=10)
        assert time.monotonic() - started < 3
    finally:
        process.kill()
    assert process.returncode == 130
    assert b"Traceback" not in stderr


def test_the_study_content_tour_in_the_console(tmp_path: Path, db_env: dict[str, str]) -> None:
    tour = "/tip llm-engineering\n/roadmap 8\n/resources\n/quiz\n/press 2\n/quiz stats\n"
    result = studybot("console", stdin=tour, env={**db_env, "COLUMNS": "120"}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "LLM engineering tip:" in out
    assert "Week 8: Neural networks, pretrained models and the GPU" in out
    assert "Capstone step (about 5 hours)" in out
    assert "https://course.fast.ai/Lessons/lesson3.html" in out
    assert "What to read and watch" in out
    assert "practice question" in out
    assert ("✅ Right" in out) != ("❌ Not quite" in out)  # one answer, judged once
    assert "Your practice: 1 answer," in out
